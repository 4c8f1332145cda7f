"""A melody's form against POP909's human phrase labels: songform's form from the melody's own
repeats (data/melody_form.py, what `songform arrange` uses) beside the analysis it replaced
(derive_plan: four-bar phrases labelled by pitch-class similarity). Each reads only the
melody (``melody.txt``, written in the labels' bar frame, so bars line up exactly).

    .venv/bin/python bench/form.py                    # the test split's table
    .venv/bin/python bench/form.py --split train --sweep   # the weights, fitted
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time

import numpy as np
from common import POP909, add_json_option, write_json

UNUSABLE = {"062", "328", "624"}  # labels in another bar unit or with a typo


def songs(split: str):
    """``(id, melody notes in quarters, quarters per bar, bars, human phrases)``."""
    from songform.data.pop909_annotations import beats_per_bar_table
    from songform.hierarchy.labels import parse_label_string
    from songform.hierarchy.splits import pop909_split

    beats = beats_per_bar_table(POP909)
    for folder in sorted(p for p in POP909.iterdir() if p.is_dir() and p.name.isdigit()):
        if pop909_split(folder.name) != split or folder.name in UNUSABLE:
            continue
        phrases = parse_label_string((folder / "human_label1.txt").read_text().strip())
        notes, time_at = [], 0.0
        for line in (folder / "melody.txt").read_text().split("\n"):
            if not line.strip():
                continue
            pitch, sixteenths = (int(v) for v in line.split())
            if pitch:
                notes.append((time_at, time_at + sixteenths / 4, pitch))
            time_at += sixteenths / 4
        bar_quarters = float(beats.get(folder.name, 4))
        bars = sum(p.bars for p in phrases)
        notes = [n for n in notes if n[0] < bars * bar_quarters]
        yield folder.name, notes, bar_quarters, bars, phrases


def bar_labels(lengths, labels) -> list[str]:
    return [label for length, label in zip(lengths, labels, strict=True)
            for _ in range(length)]


def old_method(notes, bar_quarters: float, bars: int):
    """derive_plan's phrases and labels for the melody alone."""
    from symusic import Note, Score, TimeSignature, Track

    from songform.data.analysis import derive_plan

    score = Score(480)
    score.time_signatures.append(TimeSignature(0, int(bar_quarters), 4))
    track = Track(name="Melody", program=0)
    for start, end, pitch in notes:
        track.notes.append(Note(int(start * 480), max(1, int((end - start) * 480)), pitch, 90))
    score.tracks.append(track)
    plan = derive_plan(score)
    lengths = [p.bars for _, p in plan.phrases()]
    labels = [p.label for _, p in plan.phrases()]
    total = sum(lengths)
    if total < bars:  # analysis stops at the last note; the labels run to the song's end
        lengths.append(bars - total)
        labels.append("o")
    return lengths, labels


def new_method(notes, bar_quarters: float, bars: int, **thresholds):
    from songform.data.melody_form import melody_form

    form = melody_form(notes, bar_quarters, bars, **thresholds)
    return list(form.lengths), list(form.labels)


def human_labels(notes, bar_quarters: float, bars: int, phrases=()):
    """The reference: the human phrases (their share of 4, 8 and 16 bars)."""
    return [p.bars for p in phrases], [p.label for p in phrases]


def score(rows, method, **thresholds) -> dict[str, float]:
    from songform.data.melody_form import boundary_f, pairwise_label_f

    exact, near, labels, eights = [], [], [], []
    for _, notes, bar_quarters, bars, phrases in rows:
        if method is human_labels:
            lengths, found = human_labels(notes, bar_quarters, bars, phrases)
        else:
            lengths, found = method(notes, bar_quarters, bars, **thresholds)
        truth_ends = list(np.cumsum([p.bars for p in phrases])[:-1])
        found_ends = [e for e in np.cumsum(lengths)[:-1] if e < bars]
        exact.append(boundary_f(found_ends, truth_ends, 0))
        near.append(boundary_f(found_ends, truth_ends, 1))
        found_bars = bar_labels(lengths, found)[:bars]
        found_bars += ["o"] * (bars - len(found_bars))
        labels.append(pairwise_label_f(found_bars, bar_labels([p.bars for p in phrases],
                                                              [p.label for p in phrases])))
        eights.append(sum(1 for length in lengths if length in (4, 8, 16)) / len(lengths))
    return {"boundary F (exact)": float(np.mean(exact)),
            "boundary F (within a bar)": float(np.mean(near)),
            "label pairwise F": float(np.mean(labels)),
            "phrases of 4, 8 or 16 bars": float(np.mean(eights))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test")
    parser.add_argument("--sweep", action="store_true",
                        help="a grid of the weights (fit them on --split train)")
    add_json_option(parser, "form.json")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    if not POP909.exists():
        print(f"no POP909 at {POP909}", file=sys.stderr)
        return 1
    rows = list(songs(args.split))
    started = time.perf_counter()
    if args.sweep:
        import songform.data.melody_form as melody_form

        results = []
        for length, back, base, mixed, same in itertools.product(
                (0.5, 1.0), (4.0, 8.0), (0.1, 0.3), (2.0, 6.0), (0.4, 0.5, 0.6)):
            melody_form.LENGTH_WEIGHT, melody_form.RETURN_WEIGHT = length, back
            melody_form.RETURN_BASE, melody_form.MIXED_PENALTY = base, mixed
            measured = score(rows, new_method, same=same)
            results.append((measured["label pairwise F"] + measured["boundary F (exact)"],
                            (length, back, base, mixed, same), measured))
        for total, weights, measured in sorted(results, reverse=True)[:8]:
            print(f"length, return, base, mixed, same = {weights}: {total:.3f} {measured}")
        return 0
    measured = {"songform (data/melody_form.py)": score(rows, new_method),
                "before: derive_plan (4-bar grid, pitch classes)": score(rows, old_method),
                "the human labels themselves": score(rows, human_labels)}
    table = Table(title=f"Form of {len(rows)} POP909 {args.split} melodies against the human "
                        f"labels ({time.perf_counter() - started:.0f} s)")
    table.add_column("method")
    columns = list(next(iter(measured.values())))
    for column in columns:
        table.add_column(column, justify="right")
    for name, row in measured.items():
        table.add_row(name, *(f"{row[c]:.3f}" for c in columns))
    Console(width=160).print(table)
    write_json(args.json, {"split": args.split, "songs": len(rows),
                                     "rows": measured})
    return 0


if __name__ == "__main__":
    sys.exit(main())
