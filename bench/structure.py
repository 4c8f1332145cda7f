"""Structure and plan fit of (a) POP909 test songs, (b) the shipped model writing under the
plans derived from those songs, (c) the same with ``takes=4``, (d) the baseline arranger,
(e) the model with the plan's chord tokens withheld (and no chord guidance).

    .venv/bin/python bench/structure.py [--songs 5] [--seeds 1] [--first-seed 0]
        [--reference-songs 86]
        [--writers bcde]
        [--keep-from bench/results/structure.json] [--json bench/results/structure.json]

Measures, over the pitched notes of the melody, counter-melody and harmony tracks:

- chord fit: share of notes in the chord the plan sounds at their onset (POP909's own
  annotated chords for (a), the same chords are the plan for (b)-(e));
- key fit: share of notes in the bar's key;
- pitch-class entropy (bits) of the notes (Yang and Lerch's PCE; lower is more tonal);
- groove consistency (Wu and Yang 2020): 1 - the mean Hamming distance between consecutive
  bars' onset grids (16th-note steps), over the bars with notes.

The table gives each writer's median over songs and POP909's 10th-90th percentile range
(over ``--reference-songs`` test songs, all 86 by default); a
writer's distance to POP909 is the mean over measures of |its median - POP909's median| /
POP909's p10-p90 width.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from common import bench_parser, pop909_args, write_json

ROLES = ("melody", "counter-melody", "harmony")
MEASURES = ("chord_fit", "key_fit", "pitch_class_entropy", "groove")


def measures(song) -> dict[str, float]:
    """The four measures of one song's notes against its plan."""
    from songform.symbolic.takes import groove, notes_from_song

    bars = list(song.plan.bars())
    notes = [n for n in notes_from_song(song) if n.role in ROLES]
    chord_hits = chord_count = key_hits = 0
    histogram = np.zeros(12)
    for note in notes:
        bar = bars[note.bar]
        histogram[note.pitch % 12] += 1
        key_hits += note.pitch % 12 in bar.key.scale
        chord = bar.chord_at(note.offset)
        if chord is not None and not chord.is_none:
            chord_count += 1
            chord_hits += note.pitch % 12 in chord.pitch_classes
    share = histogram / max(1, histogram.sum())
    entropy = -sum(p * math.log2(p) for p in share if p > 0)
    consistency = groove(notes, bars)  # the take score's own measure
    return {"chord_fit": chord_hits / max(1, chord_count), "key_fit": key_hits / max(1, len(notes)),
            "pitch_class_entropy": entropy,
            "groove": consistency if consistency is not None else float("nan")}


def pop909_songs(root: Path, count: int):
    from analysis import pop909_split_songs

    from songform.data.pop909 import read_pop909_song

    return [(d.name, read_pop909_song(d, beats).song)
            for d, beats in pop909_split_songs(root, "test", count)]


def without_chords(skeleton_function):
    """``plan_skeleton`` with the chord tokens left out of every bar."""

    def skeleton(tokenizer, plan, roles):
        return [[t for t in bar if not t.startswith(("ChordAt_", "Chord_"))]
                for bar in skeleton_function(tokenizer, plan, roles)]

    return skeleton


WRITERS = ("(b) model", "(c) model, takes 4", "(d) arranger", "(e) model, chords withheld")


def main() -> int:
    parser = bench_parser(__doc__, "structure.json", pop909=True)
    parser.add_argument("--songs", type=int, default=5, help="songs the writers write")
    parser.add_argument("--reference-songs", type=int, default=86,
                        help="POP909 test songs for POP909's medians and p10-p90 band")
    parser.add_argument("--writers", default="bcde",
                        help="which of (b)-(e) to run, e.g. 'c'; the others are read from "
                             "--keep-from")
    parser.add_argument("--keep-from", type=Path, default=None,
                        help="an earlier JSON of this bench to take the writers not run from")
    parser.add_argument("--seeds", type=int, default=1,
                        help="seeds per song for each writer (medians over all)")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="the seeds are first..first+N-1 (to add seeds to a --keep-from "
                             "run, merged by hand)")
    args = pop909_args(parser)
    if args is None:
        return 0
    from rich.console import Console
    from rich.table import Table

    import songform.symbolic.generate as generate_module
    from songform.symbolic.arranger import arrange
    from songform.symbolic.generate import GenerateConfig
    from songform.symbolic.writers import note_writer

    model = note_writer("model").song_model

    def withheld(plan, seed):
        original = generate_module.plan_skeleton
        generate_module.plan_skeleton = without_chords(original)
        try:
            return model.write(plan, seed, GenerateConfig(chord_bias=0.0))
        finally:
            generate_module.plan_skeleton = original

    writers = dict(zip(WRITERS, (
        lambda plan, seed: model.write(plan, seed),
        lambda plan, seed: model.write(plan, seed, GenerateConfig(takes=4)),
        lambda plan, seed: arrange(plan, seed),
        withheld), strict=True))
    chosen = [name for name in WRITERS if name[1] in args.writers]
    kept = json.loads(args.keep_from.read_text())["rows"] if args.keep_from else {}
    absent = [name for name in WRITERS if name not in chosen and name not in kept]
    if absent:
        print(f"not run and not in --keep-from: {', '.join(absent)}")
    songs = pop909_songs(args.pop909, max(args.songs, args.reference_songs))
    rows: dict[str, list[dict]] = {"(a) POP909": []}
    rows.update({name: [] for name in chosen})
    rows.update({name: kept[name] for name in WRITERS if name not in chosen and name in kept})
    for index, (name, song) in enumerate(songs):
        rows["(a) POP909"].append({"song": name, **measures(song)})
        if index >= args.songs:
            continue
        for writer in chosen:
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                rows[writer].append({"song": name, "seed": seed,
                                     **measures(writers[writer](song.plan, seed))})
        print(json.dumps({k: v[-1] for k, v in rows.items() if k == "(a) POP909"
                          or k in chosen}), flush=True)
    written = {r["song"] for r in rows["(a) POP909"][:args.songs]}
    reference = {m: np.array([r[m] for r in rows["(a) POP909"]]) for m in MEASURES}
    low = {m: float(np.nanpercentile(v, 10)) for m, v in reference.items()}
    high = {m: float(np.nanpercentile(v, 90)) for m, v in reference.items()}

    def medians_and_distance(values: list[dict]) -> tuple[dict[str, float], float]:
        medians = {m: float(np.nanmedian([r[m] for r in values])) for m in MEASURES}
        return medians, float(np.mean([abs(medians[m] - float(np.nanmedian(reference[m])))
                                       / max(high[m] - low[m], 1e-6) for m in MEASURES]))

    summary = {}
    for writer, values in rows.items():
        if writer != "(a) POP909":
            values = [r for r in values if r["song"] in written]
        medians, distance = medians_and_distance(values)
        inside = [m for m in MEASURES if low[m] <= medians[m] <= high[m]]
        seeds = sorted({r["seed"] for r in values if "seed" in r})
        per_seed = {seed: medians_and_distance([r for r in values if r.get("seed") == seed])[1]
                    for seed in seeds} if len(seeds) > 1 else {}
        summary[writer] = {"medians": medians, "distance": distance, "inside": inside,
                           "ran": writer in chosen or writer == "(a) POP909",
                           "distance_per_seed": per_seed}
    table = Table(title=f"Structure and plan fit: writers on {args.songs} POP909 test songs "
                        f"x {args.seeds} seed(s), "
                        f"POP909 on {len(rows['(a) POP909'])} (medians; POP909's p10-p90 "
                        "below)")
    for column in ("writer", *MEASURES, "inside p10-p90", "distance to POP909"):
        table.add_column(column, justify="left" if column == "writer" else "right")
    for writer, result in summary.items():
        label = writer if result["ran"] else f"{writer} (from --keep-from)"
        table.add_row(label, *(f"{result['medians'][m]:.3f}" for m in MEASURES),
                      f"{len(result['inside'])}/4", f"{result['distance']:.2f}")
    table.add_row("POP909 p10-p90", *(f"{low[m]:.2f}-{high[m]:.2f}" for m in MEASURES), "", "")
    Console(width=170).print(table)
    for writer, result in summary.items():
        if result["distance_per_seed"]:
            distances = list(result["distance_per_seed"].values())
            print(f"{writer}: distance per seed " + " / ".join(f"{d:.3f}" for d in distances)
                  + f" (mean {np.mean(distances):.3f})")
    one, takes = (summary.get(w, {}).get("distance_per_seed") for w in WRITERS[:2])
    if one and takes and one.keys() == takes.keys() and len(one) > 2:
        difference = np.array([one[seed] - takes[seed] for seed in one])
        error = difference.std(ddof=1) / np.sqrt(len(difference))
        print(f"(b) - (c), paired by seed: {difference.mean():.3f} +- "
              f"{difference.std(ddof=1):.3f} (t = {difference.mean() / error:.2f}); (c) nearer "
              f"on {int((difference > 0).sum())} of {len(difference)} seeds")
    write_json(args.json, {"rows": rows, "summary": summary, "songs": args.songs,
                                     "seeds": args.seeds,
                                     "p10": low, "p90": high})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
