"""Does a restatement's similarity to its source follow the plan's ``variation``? For each
variation setting the shipped model writes songs whose second verse and
chorus restate the first, and every restated phrase's note overlap with its source is
measured (Jaccard of (onset in bar, pitch) per bar over the model's pitched tracks, the key
change undone), with the source placed in the model's context before a varied phrase and
without.

    .venv/bin/python bench/variation.py [--seeds 0-4] [--json bench/results/variation.json]
"""

from __future__ import annotations

import argparse
import json
import statistics

import torch
from common import add_json_option, finish

VARIATIONS = (0.0, 0.25, 0.5, 0.75, 1.0)
FORM = "verse:8 chorus:8 verse:8 chorus:8"


def phrase_overlaps(song, roles: tuple[str, ...]) -> list[float]:
    """Mean per-bar Jaccard overlap with the source, one value per restated phrase."""
    from songform.symbolic.takes import notes_by_bar, notes_from_song

    bars = list(song.plan.bars())
    kept = notes_by_bar(n for n in notes_from_song(song) if n.role in roles)
    phrases: dict[int, list[float]] = {}
    for bar in bars:
        if bar.repeat_of_bar is None:
            continue
        source = bars[bar.repeat_of_bar]
        shift = source.key.interval_to(bar.key)
        theirs = {(at, pitch + shift) for at, pitch in kept.get(source.index, set())}
        mine = kept.get(bar.index, set())
        union = mine | theirs
        phrases.setdefault(bar.phrase_index, []).append(
            len(mine & theirs) / len(union) if union else 1.0)
    return [statistics.mean(values) for values in phrases.values()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-4")
    add_json_option(parser, "variation.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    from rich.console import Console
    from rich.table import Table

    import songform
    from songform.hierarchy.planner import plan_song
    from songform.symbolic.generate import GenerateConfig
    from songform.symbolic.writers import note_writer

    model = note_writer("model").song_model
    low, high = (int(x) for x in args.seeds.split("-"))
    rows = []
    for in_context in (False, True):
        for variation in VARIATIONS:
            overlaps = []
            for seed in range(low, high + 1):
                template = songform.Template(form=FORM, style="pop", variation=variation)
                song = model.write(plan_song(template, seed), seed,
                                   GenerateConfig(source_in_context=in_context))
                overlaps += phrase_overlaps(song, model.roles)
            rows.append({"source_in_context": in_context, "variation": variation,
                         "phrases": len(overlaps), "overlap": statistics.mean(overlaps),
                         "target": 1 - variation})
            print(json.dumps(rows[-1]), flush=True)
    table = Table(title=f"Restated phrases' overlap with their source (pop, {FORM}, seeds "
                        f"{args.seeds})")
    for column in ("variation", "target 1 - v", "phrases", "source not in context",
                   "source in context"):
        table.add_column(column, justify="right")
    for variation in VARIATIONS:
        pair = [r for r in rows if r["variation"] == variation]
        table.add_row(f"{variation:.2f}", f"{1 - variation:.2f}", str(pair[0]["phrases"]),
                      f"{pair[0]['overlap']:.3f}", f"{pair[1]['overlap']:.3f}")
    Console().print(table)
    for in_context in (False, True):
        values = [r["overlap"] for r in rows if r["source_in_context"] == in_context]
        print(f"source in context {in_context}: monotone decreasing "
              f"{all(a > b for a, b in zip(values, values[1:], strict=False))}")
    return finish(args.json, rows)


if __name__ == "__main__":
    raise SystemExit(main())
