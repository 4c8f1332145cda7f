"""Do the model's melodies read as tunes? Songs written by each checkpoint against POP909's
own melodies: steps, leaps, interval histogram (total variation), note lengths, sounding time,
phrase endings (symbolic/melody_shape.py), and the chord-tone ratio of the model's tracks.

    .venv/bin/python bench/melody_shape.py CKPT [CKPT ...] [--songs 6] [--chord-bias 0]
        [--reference-songs 40] [--json FILE]

Written songs: the pop style, seeds 0..songs-1, the given chord bias (0: the model alone).
Reference: POP909 test-split songs, with each measure's per-song p10-p90 band.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from common import add_json_option, add_pop909_option, write_json

MODEL_ROLES = ("melody", "counter-melody", "harmony")


def reference_shapes(root: Path, count: int):
    """Melody shapes of the first ``count`` usable POP909 test songs."""
    from analysis import pop909_test_songs

    from songform.data.pop909 import read_pop909_song
    from songform.symbolic.melody_shape import melody_shape

    shapes = []
    for folder, beats in pop909_test_songs(root, count):
        shape = melody_shape(read_pop909_song(folder, beats).song)
        if shape is not None:
            shapes.append(shape)
    return shapes


def written_shapes(checkpoint: Path, songs: int, chord_bias: float, sampling: dict):
    """Shapes and chord-tone ratios of ``songs`` pop songs written by ``checkpoint``."""
    import songform
    from songform.symbolic.generate import GenerateConfig
    from songform.symbolic.melody_shape import melody_shape
    from songform.symbolic.metrics import plan_adherence

    shapes, chord_tones = [], []
    for seed in range(songs):
        song = songform.compose(songform.load_template(None, style="pop"), seed=seed,
                                notes="model", checkpoint=checkpoint,
                                generation=GenerateConfig(chord_bias=chord_bias, **sampling))
        shape = melody_shape(song)
        if shape is not None:
            shapes.append(shape)
        chord_tones.append(plan_adherence(song, MODEL_ROLES).chord_tones)
    return shapes, float(np.nanmean(chord_tones))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", type=Path, nargs="+")
    parser.add_argument("--songs", type=int, default=6)
    parser.add_argument("--chord-bias", type=float, default=0.0)
    parser.add_argument("--temperature", type=float, default=None)
    parser.add_argument("--top-p", type=float, default=None)
    parser.add_argument("--reference-songs", type=int, default=40)
    add_pop909_option(parser)
    add_json_option(parser, "melody_shape.json")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    from songform.symbolic.melody_shape import MEASURES, band, pooled, total_variation

    torch.set_num_threads(1)
    if not args.pop909.is_dir():
        print(f"POP909 not found at {args.pop909}")
        return 1
    reference = reference_shapes(args.pop909, args.reference_songs)
    reference_pool, reference_band = pooled(reference), band(reference)
    rows = [{"name": f"POP909 test ({len(reference)} songs)", **reference_pool,
             "tv_to_pop909": 0.0, "band": reference_band}]
    for checkpoint in args.checkpoints:
        sampling = {name: value for name, value in (("temperature", args.temperature),
                                                    ("top_p", args.top_p)) if value is not None}
        shapes, chord_tones = written_shapes(checkpoint, args.songs, args.chord_bias, sampling)
        pool = pooled(shapes)
        rows.append({"name": checkpoint.name, **pool, "chord_tones": chord_tones,
                     "tv_to_pop909": total_variation(pool["interval_histogram"],
                                                     reference_pool["interval_histogram"]),
                     "in_band": {m: reference_band[m][0] <= pool[m] <= reference_band[m][1]
                                 for m in MEASURES}})
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "interval_histogram"}),
              flush=True)
    table = Table(title=f"Melody shape: {args.songs} pop songs per checkpoint, chord bias "
                        f"{args.chord_bias:g}, temperature {args.temperature or 'default'}, "
                        f"top-p {args.top_p or 'default'}; POP909's p10-p90 band in the second "
                        "row; * inside it")
    for column in ("melody", "steps 1-2", "leaps ≥4th", "mean |int|", "TV hist", "≥ beat",
                   "sounding", "end long", "end tonic", "chord tones"):
        table.add_column(column, justify="right")
    table.add_row(rows[0]["name"], *(f"{rows[0][m]:.2f}" for m in MEASURES[:3]), "0",
                  *(f"{rows[0][m]:.2f}" for m in MEASURES[3:]), "")
    table.add_row("  p10-p90", *(f"{reference_band[m][0]:.2f}-{reference_band[m][1]:.2f}"
                                 for m in MEASURES[:3]), "",
                  *(f"{reference_band[m][0]:.2f}-{reference_band[m][1]:.2f}"
                    for m in MEASURES[3:]), "")
    for row in rows[1:]:
        table.add_row(row["name"], *(_mark(row, m) for m in MEASURES[:3]),
                      f"{row['tv_to_pop909']:.3f}", *(_mark(row, m) for m in MEASURES[3:]),
                      f"{row['chord_tones']:.3f}")
    Console(width=170).print(table)
    write_json(args.json, {"songs": args.songs, "chord_bias": args.chord_bias,
                                     "temperature": args.temperature, "top_p": args.top_p,
                                     "rows": rows})
    return 0


def _mark(row: dict, measure: str) -> str:
    """The value, starred when it lies inside POP909's band."""
    return f"{row[measure]:.2f}" + ("*" if row["in_band"][measure] else "")


if __name__ == "__main__":
    sys.exit(main())
