"""Does every style play its idiom? For each style x seeds, measured from the notes and the
MIDI file: the swing of the off-beat eighths, the share of beats with a bass onset (and in
walking sections), kicks on the beat and snares on 2 and 4, the oom-pah-pah share (3/4 bars
with the bass on 1 and the upper parts on 2 and 3), sections off their plan, and the
same-label melody similarity per section kind, with POP909's medians beside the pop-like
styles. Prints tables and writes JSON.

    .venv/bin/python bench/styles.py [--seeds 0-4] [--styles pop,jazz] [--notes auto]
        [--pop909 ../shared/data/pop909] [--json bench/results/styles.json]
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import mido
import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # as a script from anywhere

from common import add_json_option, add_pop909_option, write_json

import songform  # noqa: E402
from songform.hierarchy.styles import STYLES  # noqa: E402
from songform.render.feel import swing_ratio  # noqa: E402
from songform.render.midi import midi_file, note_ons  # noqa: E402
from songform.symbolic.bass_lines import idiom, walks  # noqa: E402
from songform.symbolic.drums import KICK, SNARE  # noqa: E402
from songform.symbolic.metrics import check_plan, label_similarity  # noqa: E402
from songform.symbolic.song import PlannedScore, bar_lines  # noqa: E402

POP_LIKE = ("pop", "ballad", "rock")
KINDS = ("verse", "pre-chorus", "chorus", "bridge", "head", "solo", "phrase", "strain")


def _midi_swing(midi: mido.MidiFile) -> float | None:
    return swing_ratio([tick / midi.ticks_per_beat for _, _, tick, _ in note_ons(midi)])


def _role_onsets(song: PlannedScore, role: str) -> list[int]:
    names = {t.name for t in song.plan.tracks if t.role == role}
    return [n.time for t in song.score.tracks if t.name in names for n in t.notes]


def _bars_playing(song: PlannedScore, role: str) -> list:
    names = {t.name for t in song.plan.tracks if t.role == role}
    return [bar for bar in song.plan.bars() if names & set(bar.tracks)]


def beat_measures(song: PlannedScore) -> dict:
    """Shares over the beats of the bars where each role plays (4/4 and 3/4 alike)."""
    tpq, starts = song.tpq, bar_lines(song.plan, song.tpq)
    slack = tpq // 8

    def on(times: set[int], tick: int) -> bool:  # an onset within an eighth of a beat
        return any(t in times for t in range(tick - slack, tick + slack + 1))

    bass = set(_role_onsets(song, "bass"))
    bass_beats = walking_beats = bass_hits = walking_hits = 0
    for bar in _bars_playing(song, "bass"):
        for beat in range(bar.meter.numerator if bar.meter.denominator == 4 else 0):
            tick = starts[bar.index] + beat * tpq
            hit = on(bass, tick)
            bass_beats, bass_hits = bass_beats + 1, bass_hits + hit
            if idiom(song.plan.style) == "walking" and walks(song.plan, bar):
                walking_beats, walking_hits = walking_beats + 1, walking_hits + hit
    drums = [n for t in song.score.tracks if t.is_drum for n in t.notes]
    kicks = {n.time for n in drums if n.pitch == KICK}
    snares = {n.time for n in drums if n.pitch == SNARE}
    kick_beats = kick_hits = snare_bars = snare_hits = 0
    for bar in _bars_playing(song, "drums"):
        if (bar.meter.numerator, bar.meter.denominator) != (4, 4):
            continue
        beats = [starts[bar.index] + b * tpq for b in range(4)]
        kick_beats += 4
        kick_hits += sum(on(kicks, t) for t in beats)
        snare_bars += 1
        snare_hits += on(snares, beats[1]) and on(snares, beats[3])
    upper = {n.time for t in song.score.tracks if not t.is_drum and t.name not in {
        s.name for s in song.plan.tracks if s.role == "bass"} for n in t.notes}
    waltz_bars = waltz_hits = 0
    for bar in _bars_playing(song, "bass"):
        if (bar.meter.numerator, bar.meter.denominator) == (3, 4):
            beats = [starts[bar.index] + b * tpq for b in range(3)]
            waltz_bars += 1
            waltz_hits += on(bass, beats[0]) and on(upper, beats[1]) and on(upper, beats[2])
    share = lambda hits, total: hits / total if total else None  # noqa: E731
    return {"bass_on_beats": share(bass_hits, bass_beats),
            "bass_on_walking_beats": share(walking_hits, walking_beats),
            "kicks_on_beats": share(kick_hits, kick_beats),
            "snare_on_2_and_4": share(snare_hits, snare_bars),
            "oom_pah_pah": share(waltz_hits, waltz_bars)}


def pop909_medians(folder: Path) -> dict[str, dict[str, float]]:
    """Same-label melody similarity per kind in POP909's songs, per split."""
    from songform.data.errors import CorpusError
    from songform.data.pop909 import pop909_beats_per_bar, read_pop909_song
    from songform.data.splits import song_splits

    names = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name.isdigit())
    beats = pop909_beats_per_bar(folder)
    pooled: dict[str, dict[str, list[float]]] = {}
    for name, split in zip(names, song_splits(names, "pop909"), strict=True):
        try:
            read = read_pop909_song(folder / name, beats.get(name, 4))
        except CorpusError:
            continue
        for kind, values in label_similarity(read.song).items():
            pooled.setdefault(split, {}).setdefault(kind, []).extend(values)
    return {split: {kind: float(np.median(v)) for kind, v in kinds.items()}
            for split, kinds in pooled.items()}


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--notes", default="auto")
    add_pop909_option(parser)
    add_json_option(parser, "styles.json")
    args = parser.parse_args()
    seeds, styles = _seeds(args.seeds), args.styles.split(",")
    results: dict = {"machine": f"{platform.machine()}, python {platform.python_version()}",
                     "seeds": seeds, "notes": args.notes, "styles": {}}
    if args.pop909.is_dir():
        results["pop909"] = pop909_medians(args.pop909)
    for style in styles:
        rows, similarity = [], {}
        for seed in seeds:
            song = songform.compose(songform.load_template(None, style=style), seed=seed,
                                    notes=args.notes)
            row = beat_measures(song)
            row["swing"] = _midi_swing(midi_file(song))
            row["sections_off_plan"] = sum(bool(r.problems) for r in check_plan(song))
            rows.append(row)
            for kind, values in label_similarity(song).items():
                similarity.setdefault(kind, []).extend(values)
        results["styles"][style] = {
            "measures": {key: _mean([r[key] for r in rows]) for key in rows[0]},
            "same_label_similarity": {k: float(np.median(v)) for k, v in similarity.items()},
            "pairs": {k: len(v) for k, v in similarity.items()}}
    _print(results)
    write_json(args.json, results)
    return 0


def _mean(values):
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


def _print(results: dict) -> None:
    console = Console()
    shown = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    table = Table(title=f"Each style's idiom, mean over seeds {results['seeds']}")
    columns = ("swing", "bass_on_beats", "bass_on_walking_beats", "kicks_on_beats",
               "snare_on_2_and_4", "oom_pah_pah", "sections_off_plan")
    for column in ("style", *columns):
        table.add_column(column.replace("_", " "))
    for style, data in results["styles"].items():
        table.add_row(style, *(shown(data["measures"][c]) for c in columns))
    console.print(table)
    table = Table(title="Same-label melody similarity (median over phrase pairs), per kind")
    for column in ("style", *KINDS):
        table.add_column(column)
    for style, data in results["styles"].items():
        table.add_row(style, *(shown(data["same_label_similarity"].get(k)) for k in KINDS))
    for split, medians in results.get("pop909", {}).items():
        table.add_row(f"POP909 {split}", *(shown(medians.get(k)) for k in KINDS))
    console.print(table)


if __name__ == "__main__":
    raise SystemExit(main())
