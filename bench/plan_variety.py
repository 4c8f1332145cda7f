"""What the seed varies in plans, and how often planned chords change: distinct default forms
in N seeds per style, and chord changes per bar per section kind in sampled phrases (the
chord model's POP909 counts against the planner's phrases, and against the n-gram sampled
without the learned rhythm, as it was before). Prints tables and writes JSON.

    .venv/bin/python bench/plan_variety.py --seeds 50 --phrases 300
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from pathlib import Path

from rich.console import Console
from rich.table import Table

from songform.core.fileio import atomic_write_text
from songform.hierarchy.chord_model import changes_per_bar, load_chord_model
from songform.hierarchy.planner import plan_song
from songform.hierarchy.styles import STYLES
from songform.hierarchy.template import Template

KINDS = ("verse", "chorus", "bridge", "pre-chorus", "intro")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--phrases", type=int, default=300)
    parser.add_argument("--json", type=Path, default=Path("bench/results/plan_variety.json"))
    args = parser.parse_args()
    console = Console()
    forms = {}
    for style in STYLES:
        shapes = {tuple((s.kind, s.bars) for s in plan_song(Template(style=style), seed).sections)
                  for seed in range(args.seeds)}
        forms[style] = len(shapes)
    table = Table(title=f"Distinct default forms in {args.seeds} seeds")
    for style in forms:
        table.add_column(style)
    table.add_row(*(str(n) for n in forms.values()))
    console.print(table)

    model = load_chord_model()
    rhythm = {}
    for kind in KINDS:
        rng = random.Random(0)
        learned = [changes_per_bar(model.sample_phrase(kind, 4, rng)) for _ in range(args.phrases)]
        rng = random.Random(0)
        plain = [changes_per_bar(model._sample_tokens(kind, 4, rng, 0.7))
                 for _ in range(args.phrases)]
        rhythm[kind] = {"pop909": model.mean_changes(kind), "ngram_alone": statistics.mean(plain),
                        "with_rhythm": statistics.mean(learned)}
    table = Table(title=f"Chord changes per bar, {args.phrases} sampled 4-bar phrases a kind")
    for column in ("kind", "POP909 train (binned)", "n-gram alone (before)", "with rhythm"):
        table.add_column(column)
    for kind, row in rhythm.items():
        table.add_row(kind, *(f"{v:.2f}" for v in row.values()))
    console.print(table)
    atomic_write_text(args.json, json.dumps({"forms": forms, "rhythm": rhythm}, indent=2) + "\n")


if __name__ == "__main__":
    main()
