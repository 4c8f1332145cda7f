"""Chords from a bare melody (arranging a user's melody starts from its chords):
POP909 test songs with only their MELODY track handed to the analysis, per beat against the
annotated chords (``chord_midi.txt``, MIREX major/minor) and against the analysis of the full
texture (melody, bridge and piano) of the same song, beside the full texture's own accuracy.

    .venv/bin/python bench/melody_chords.py [--split test] [--limit N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from common import add_json_option, write_json
from rich.console import Console
from rich.table import Table
from symusic import Score

from bench.analysis import POP909, annotated_chords, majmin, plan_chord_at
from songform.data.analysis import derive_plan
from songform.data.errors import CorpusError
from songform.hierarchy.chord import Chord
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.splits import POP909_UNUSABLE_LABELS, pop909_split


def tick_clock(score: Score):
    """Seconds -> ticks through the score's tempo map."""
    tpq = score.ticks_per_quarter
    changes = sorted((int(t.time), float(t.qpm)) for t in score.tempos) or [(0, 120.0)]
    if changes[0][0] > 0:
        changes.insert(0, (0, changes[0][1]))
    starts, seconds = [], 0.0
    for index, (tick, qpm) in enumerate(changes):
        if index:
            previous_tick, previous_qpm = changes[index - 1]
            seconds += (tick - previous_tick) / tpq * 60 / previous_qpm
        starts.append((seconds, tick, qpm))

    def ticks(at: float) -> float:
        base_seconds, base_tick, qpm = next(s for s in reversed(starts) if s[0] <= at + 1e-9)
        return base_tick + (at - base_seconds) * qpm / 60 * tpq

    return ticks


def harmonized_lookup(melody: Score, ticks_at, downbeat_tick: float):
    """Chord at a time (seconds) from the harmoniser (data/harmonize.py) of a one-track score
    whose bar lines fall on ``downbeat_tick``."""
    from songform.data.harmonize import harmonize
    from songform.hierarchy.meter import Meter

    tpq = melody.ticks_per_quarter
    signature = melody.time_signatures[0] if len(melody.time_signatures) else None
    meter = Meter(signature.numerator, signature.denominator) if signature else Meter(4, 4)
    length = float(meter.quarters_per_bar)
    shift = (downbeat_tick / tpq) % length  # the pickup before the first bar line
    notes = [((n.time / tpq) - shift, (n.time + n.duration) / tpq - shift, n.pitch)
             for n in melody.tracks[0].notes]
    notes = [(max(0.0, a), b, p) for a, b, p in notes if b > 0]
    bars = int(max(end for _, end, _ in notes) // length) + 1
    per_bar = harmonize(notes, meter, bars)

    def chord_at(seconds: float) -> Chord:
        quarters = ticks_at(seconds) / tpq - shift
        bar = min(max(0, int(quarters // length)), bars - 1)
        offset = quarters - bar * length
        current = per_bar[bar][0][1]
        for at, chord in per_bar[bar]:
            if at <= offset + 1e-6:
                current = chord
        return current

    return chord_at


def evaluate(song_dir: Path) -> dict[str, list[int]]:
    full = Score(str(song_dir / f"{song_dir.name}.mid"))
    melody = full.copy()
    melody.tracks = [t for t in full.tracks if t.name.upper() == "MELODY"]
    if not melody.tracks or not len(melody.tracks[0].notes):
        raise CorpusError(f"{song_dir.name}: no MELODY track")
    ticks_at = tick_clock(full)
    rows = np.loadtxt(song_dir / "beat_midi.txt", ndmin=2)
    beats = rows[:, 0]
    downbeats = [t for t, *flags in rows if flags and flags[-1] == 1]
    from_melody = harmonized_lookup(melody, ticks_at, ticks_at(downbeats[0] if downbeats
                                                               else beats[0]))
    tpq = full.ticks_per_quarter
    full_bars = list(derive_plan(full, song_dir.name).bars())

    def from_full(seconds: float) -> Chord:  # the full texture's analysis, on its own grid
        return plan_chord_at(full_bars, ticks_at(seconds) / tpq)

    spans = annotated_chords(song_dir)
    counts = {"melody_vs_annotation": [0, 0], "full_vs_annotation": [0, 0],
              "melody_vs_full": [0, 0]}
    for time_ in beats:
        melody_chord = majmin(from_melody(time_ + 1e-3))
        full_chord = majmin(from_full(time_ + 1e-3))
        reference = next((c for s, e, c in spans if s <= time_ + 1e-3 < e), None)
        if reference is not None and reference.root is not None and majmin(reference):
            counts["melody_vs_annotation"][0] += melody_chord == majmin(reference)
            counts["melody_vs_annotation"][1] += 1
            counts["full_vs_annotation"][0] += full_chord == majmin(reference)
            counts["full_vs_annotation"][1] += 1
        if full_chord is not None:
            counts["melody_vs_full"][0] += melody_chord == full_chord
            counts["melody_vs_full"][1] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("train", "valid", "test"))
    parser.add_argument("--limit", type=int, default=None)
    add_json_option(parser, "melody_chords.json")
    args = parser.parse_args()
    if not POP909.is_dir():
        print(f"no POP909 at {POP909}: nothing to measure")
        return 0
    dirs = [d for d in sorted(POP909.iterdir()) if d.is_dir() and d.name.isdigit()
            and int(d.name) not in POP909_UNUSABLE_LABELS and pop909_split(d.name) == args.split]
    totals: dict[str, list[int]] = {}
    skipped, started, songs = [], time.perf_counter(), 0
    for song_dir in dirs[:args.limit]:
        try:
            counts = evaluate(song_dir)
        except (CorpusError, ValueError, TemplateError) as error:
            skipped.append((song_dir.name, str(error)))
            continue
        songs += 1
        for name, (hits, total) in counts.items():
            totals.setdefault(name, [0, 0])
            totals[name][0] += hits
            totals[name][1] += total
    result = {"split": args.split, "songs": songs, "skipped": skipped,
              **{name: hits / max(1, total) for name, (hits, total) in totals.items()},
              "seconds": time.perf_counter() - started}
    table = Table(title=f"Chords per beat from the bare melody, POP909 {args.split} "
                        f"({songs} songs, MIREX maj/min)")
    for column in ("analysis", "against", "accuracy"):
        table.add_column(column)
    table.add_row("melody only", "annotated chords", f"{result['melody_vs_annotation']:.3f}")
    table.add_row("full texture", "annotated chords", f"{result['full_vs_annotation']:.3f}")
    table.add_row("melody only", "full-texture analysis", f"{result['melody_vs_full']:.3f}")
    Console().print(table)
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
