"""Plan derivation measured on POP909 songs read as plain MIDI (no labels handed in).

    .venv/bin/python bench/analysis.py [--split valid] [--json bench/results/analysis.json]

Chord accuracy per beat (MIREX major/minor, and with sevenths) against ``chord_midi.txt``;
key accuracy against ``analyzed_key.txt`` (both are algorithmic annotations, not ground
truth); phrase-boundary F-measure (within one bar) and pairwise label agreement against the
human ``human_label1.txt``, beside the same scores of ``human_label2.txt`` against it (the
human ceiling).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from common import POP909, ROOT, write_json
from rich.console import Console
from rich.table import Table
from symusic import Score

from songform.data.analysis import derive_plan
from songform.data.errors import CorpusError
from songform.data.pop909 import pop909_beats_per_bar, read_pop909_song
from songform.hierarchy.chord import Chord
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.key import Key
from songform.hierarchy.labels import parse_label_string
from songform.hierarchy.splits import POP909_UNUSABLE_LABELS, pop909_split

MAJ = {"maj", "7", "maj7", "aug", "maj6", "9", "maj9", "add9", "69", "13", "11", "aug7",
       "maj13"}
MIN = {"min", "min7", "dim", "hdim7", "dim7", "min6", "min9", "madd9", "minmaj7", "min11",
       "min13"}
SEVENTHS = {"maj", "min", "7", "maj7", "min7"}


def majmin(chord: Chord) -> tuple | None:
    if chord.root is None:
        return ("N",)
    quality = chord.quality
    if quality in MAJ:
        return (chord.root, "maj")
    if quality in MIN:
        return (chord.root, "min")
    return None  # sus and power chords are outside the vocabulary


def sevenths(chord: Chord) -> tuple | None:
    if chord.root is None:
        return ("N",)
    quality = chord.quality
    if quality in SEVENTHS:
        return (chord.root, quality)
    base = majmin(chord)
    return base


def boundary_f(reference: list[float], estimate: list[float], tolerance: float) -> float:
    """F-measure of boundary times, each matched at most once within ``tolerance``."""
    if not reference or not estimate:
        return 0.0
    used, hits = set(), 0
    for r in reference:
        candidates = [i for i, e in enumerate(estimate) if abs(e - r) <= tolerance
                      and i not in used]
        if candidates:
            used.add(min(candidates, key=lambda i: abs(estimate[i] - r)))
            hits += 1
    precision, recall = hits / len(estimate), hits / len(reference)
    return 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)


def pairwise_f(reference: list[str], estimate: list[str]) -> float:
    """Pairwise F-measure of same-label relations over aligned frames."""
    ref = np.array(reference)[:, None] == np.array(reference)[None, :]
    est = np.array(estimate)[:, None] == np.array(estimate)[None, :]
    upper = np.triu(np.ones_like(ref, dtype=bool), 1)
    both = (ref & est & upper).sum()
    precision = both / max((est & upper).sum(), 1)
    recall = both / max((ref & upper).sum(), 1)
    return 0.0 if both == 0 else 2 * precision * recall / (precision + recall)


def label_frames(labels: str) -> tuple[list[str], list[int]]:
    """Per-bar labels and the phrase start bars of a label string."""
    frames, starts, bar = [], [], 0
    for phrase in parse_label_string(labels):
        starts.append(bar)
        frames += [phrase.label] * phrase.bars
        bar += phrase.bars
    return frames, starts


def pop909_split_songs(root: Path, split: str = "test", count: int | None = None,
                       beats: int | None = None) -> list[tuple[Path, int]]:
    """The first ``count`` (default all) usable POP909 folders of ``split`` with their beats
    per bar (only those with ``beats`` per bar when given)."""
    from songform.data.pop909_annotations import beats_per_bar_table
    from songform.hierarchy.splits import POP909_UNUSABLE_LABELS, pop909_split

    table = beats_per_bar_table(root)
    songs = [(d, table.get(d.name, 4)) for d in sorted(root.iterdir())
             if d.is_dir() and d.name.isdigit() and pop909_split(d.name) == split
             and int(d.name) not in POP909_UNUSABLE_LABELS]
    return [song for song in songs if beats is None or song[1] == beats][:count]


def pop909_test_songs(root: Path, count: int, beats: int | None = None
                      ) -> list[tuple[Path, int]]:
    """The first ``count`` usable POP909 test-split folders with their beats per bar."""
    return pop909_split_songs(root, "test", count, beats)


def plan_chord_at(bars: list, quarters: float) -> Chord:
    """The chord a derived plan (its ``bars``) sounds ``quarters`` into the song."""
    bar = bars[max(0, min(int(quarters // bars[0].length), len(bars) - 1))]
    current = bar.chords[0]
    for event in bar.chords:
        if bar.start + event.offset <= quarters + 1e-6:
            current = event
    return Chord.parse(current.symbol)


def annotated_chords(song_dir: Path) -> list[tuple[float, float, Chord]]:
    """A POP909 song's ``chord_midi.txt``: (start s, end s, chord), unreadable names left
    out."""
    spans = []
    for line in (song_dir / "chord_midi.txt").read_text().splitlines():
        start, end, name = line.split()
        try:
            spans.append((float(start), float(end), Chord.parse(name)))
        except TemplateError:
            continue
    return spans


def evaluate_song(song_dir: Path, beats_per_bar: int) -> dict | None:
    read = read_pop909_song(song_dir, beats_per_bar)  # only for the label alignment
    score = Score(str(song_dir / f"{song_dir.name}.mid"))
    plan = derive_plan(score, song_dir.name)
    qpm = float(score.tempos[0].qpm) if len(score.tempos) else 120.0
    seconds_per_quarter = 60.0 / qpm
    beat_rows = np.loadtxt(song_dir / "beat_midi.txt", ndmin=2)
    beat_times = beat_rows[:, 0]
    bars = list(plan.bars())

    def chord_at(seconds: float) -> Chord:
        return plan_chord_at(bars, seconds / seconds_per_quarter)

    spans = annotated_chords(song_dir)
    scores = {"majmin": [0, 0], "sevenths": [0, 0]}
    for time_ in beat_times:
        reference = next((c for s, e, c in spans if s <= time_ + 1e-3 < e), None)
        if reference is None or reference.root is None:
            continue
        estimate = chord_at(time_ + 1e-3)
        for name, reduce in (("majmin", majmin), ("sevenths", sevenths)):
            ref = reduce(reference)
            if ref is None:
                continue
            scores[name][0] += reduce(estimate) == ref
            scores[name][1] += 1
    key = Key.parse((song_dir / "analyzed_key.txt").read_text().split()[0])
    estimated_key = plan.sections[0].key
    counts = {}
    for section in plan.sections:
        counts[section.key] = counts.get(section.key, 0) + section.bars
    estimated_key = max(counts, key=counts.get)
    # boundaries in seconds: reference label bars through the reader's alignment
    frames_1, starts_1 = label_frames((song_dir / "human_label1.txt").read_text().strip())
    frames_2, starts_2 = label_frames((song_dir / "human_label2.txt").read_text().strip())
    zero = read.label_bar_zero
    bar_beats = beats_per_bar

    def label_bar_time(bar_index: int) -> float:
        beat = zero + bar_index * bar_beats
        if beat < len(beat_times):
            return float(beat_times[beat])
        step = beat_times[-1] - beat_times[-2]
        return float(beat_times[-1] + (beat - len(beat_times) + 1) * step)

    bar_seconds = bar_beats * float(np.median(np.diff(beat_times)))
    reference_bounds = [label_bar_time(b) for b in starts_1[1:]]
    human_bounds = [label_bar_time(b) for b in starts_2[1:]]
    phrase_starts, cursor = [], 0.0
    for _, phrase in plan.phrases():
        phrase_starts.append(cursor)
        cursor += phrase.bars * bars[0].length
    estimated_bounds = [q * seconds_per_quarter for q in phrase_starts[1:]]
    # labels per reference bar
    estimated_frames = []
    phrase_labels = [(q * seconds_per_quarter, p.label) for q, (_, p) in
                     zip(phrase_starts, plan.phrases(), strict=True)]
    for bar_index in range(len(frames_1)):
        t = label_bar_time(bar_index)
        label = next((lab for s, lab in reversed(phrase_labels) if s <= t + 1e-6),
                     phrase_labels[0][1])
        estimated_frames.append(label)
    common = min(len(frames_1), len(frames_2))
    return {
        "majmin": scores["majmin"], "sevenths": scores["sevenths"],
        "key": estimated_key == key,
        "boundary_f": boundary_f(reference_bounds, estimated_bounds, bar_seconds),
        "human_boundary_f": boundary_f(reference_bounds, human_bounds, bar_seconds),
        "pairwise_f": pairwise_f(frames_1, estimated_frames),
        "human_pairwise_f": pairwise_f(frames_1[:common], frames_2[:common]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="valid", choices=("train", "valid", "test"))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    out = args.json or ROOT / "bench" / "results" / f"analysis_{args.split}.json"
    bpb = pop909_beats_per_bar(POP909)
    dirs = [d for d in sorted(POP909.iterdir()) if d.is_dir() and d.name.isdigit()
            and int(d.name) not in POP909_UNUSABLE_LABELS and pop909_split(d.name) == args.split]
    rows, skipped, started = [], [], time.perf_counter()
    for song_dir in dirs[:args.limit]:
        try:
            rows.append(evaluate_song(song_dir, bpb.get(song_dir.name, 4)))
        except (CorpusError, ValueError, TemplateError) as error:
            skipped.append((song_dir.name, str(error)))
    total = {k: sum(r[k][0] for r in rows) / max(1, sum(r[k][1] for r in rows))
             for k in ("majmin", "sevenths")}
    result = {
        "split": args.split, "songs": len(rows), "skipped": skipped,
        "chord_accuracy_majmin": total["majmin"], "chord_accuracy_sevenths": total["sevenths"],
        "key_accuracy": statistics.mean(r["key"] for r in rows),
        "boundary_f": statistics.mean(r["boundary_f"] for r in rows),
        "human_boundary_f": statistics.mean(r["human_boundary_f"] for r in rows),
        "pairwise_label_f": statistics.mean(r["pairwise_f"] for r in rows),
        "human_pairwise_label_f": statistics.mean(r["human_pairwise_f"] for r in rows),
        "seconds": time.perf_counter() - started,
    }
    table = Table(title=f"Plan derivation on POP909 {args.split} songs read as plain MIDI "
                        f"({len(rows)} songs)")
    for column in ("measure", "ours", "human label 2 vs label 1 (ceiling)", "reference"):
        table.add_column(column)
    table.add_row("chord accuracy per beat, MIREX maj/min",
                  f"{result['chord_accuracy_majmin']:.3f}", "", "chord_midi.txt (algorithmic)")
    table.add_row("chord accuracy per beat, with sevenths",
                  f"{result['chord_accuracy_sevenths']:.3f}", "", "chord_midi.txt (algorithmic)")
    table.add_row("key accuracy", f"{result['key_accuracy']:.3f}", "",
                  "analyzed_key.txt (algorithmic)")
    table.add_row("phrase-boundary F (±1 bar)", f"{result['boundary_f']:.3f}",
                  f"{result['human_boundary_f']:.3f}", "human_label1.txt")
    table.add_row("pairwise label F", f"{result['pairwise_label_f']:.3f}",
                  f"{result['human_pairwise_label_f']:.3f}", "human_label1.txt")
    Console().print(table)
    write_json(out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
