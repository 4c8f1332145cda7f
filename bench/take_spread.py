"""How much each term of the take score moves the choice between takes: for every section of
a few POP909 test plans written with ``takes=4`` by the shipped model, the standard deviation
across the takes of ``weight x term``, averaged over sections; for the score's weights now and
for the weights it had before (density -1, key fit +0.5, no groove term). A term whose spread
is far above the others chooses the take alone. Then the score's targets: POP909's medians of
chord fit and groove consistency over its training songs (bench/structure.py's measures).

    .venv/bin/python bench/take_spread.py [--songs 3] [--takes 4] [--training-songs N]
        [--json bench/results/take_spread.json]
"""

from __future__ import annotations

import numpy as np
from common import bench_parser, finish, pop909_args

EARLIER = {"chord_fit": 1.0, "key_fit": 0.5, "density_error": -1.0, "likelihood": 0.25,
           "variation_error": -1.0, "groove_error": 0.0}


def spreads(model, plans, takes: int, weights: dict[str, float]) -> dict[str, float]:
    """Mean over sections of the std across takes of ``weights[term] * term``, writing with
    ``weights`` as the score."""
    from songform.symbolic import takes as takes_module
    from songform.symbolic.generate import GenerateConfig
    from songform.symbolic.take_judge import watched_judges

    saved = dict(takes_module.WEIGHTS)
    takes_module.WEIGHTS.update(weights)
    try:
        with watched_judges() as judges:
            for plan in plans:
                model.write(plan, 0, GenerateConfig(takes=takes))
    finally:
        takes_module.WEIGHTS.clear()
        takes_module.WEIGHTS.update(saved)
    per_term: dict[str, list[float]] = {term: [] for term in weights}
    for judge in judges:
        for _, _, scores in judge.chosen[0]:
            for term, weight in weights.items():
                per_term[term].append(float(np.std([abs(weight) * getattr(s, term)
                                                    for s in scores])))
    return {term: float(np.mean(values)) for term, values in per_term.items()}


def main() -> int:
    parser = bench_parser(__doc__, "take_spread.json", pop909=True)
    parser.add_argument("--songs", type=int, default=3)
    parser.add_argument("--takes", type=int, default=4)
    parser.add_argument("--training-songs", type=int, default=None,
                        help="POP909 training songs for the targets (default all)")
    args = pop909_args(parser)
    if args is None:
        return 0
    from analysis import pop909_split_songs
    from rich.console import Console
    from rich.table import Table
    from structure import measures, pop909_songs

    from songform.data.pop909 import read_pop909_song
    from songform.symbolic.takes import CHORD_FIT_TARGET, GROOVE_TARGET, WEIGHTS
    from songform.symbolic.writers import note_writer

    model = note_writer("model").song_model
    plans = [song.plan for _, song in pop909_songs(args.pop909, args.songs)]
    results = {"songs": args.songs, "takes": args.takes,
               "weights": {"earlier": EARLIER, "now": dict(WEIGHTS)}}
    results["spread"] = {name: spreads(model, plans, args.takes, weights)
                         for name, weights in (("earlier", EARLIER), ("now", dict(WEIGHTS)))}
    table = Table(title=f"Weighted spread of each take-score term across {args.takes} takes "
                        f"(mean over the sections of {args.songs} POP909 plans)")
    for column in ("term", "weight before", "spread before", "weight now", "spread now"):
        table.add_column(column, justify="right")
    for term in WEIGHTS:
        table.add_row(term, f"{EARLIER[term]:+g}", f"{results['spread']['earlier'][term]:.4f}",
                      f"{WEIGHTS[term]:+g}", f"{results['spread']['now'][term]:.4f}")
    Console().print(table)
    training = pop909_split_songs(args.pop909, "train", args.training_songs)
    values = [measures(read_pop909_song(folder, beats).song) for folder, beats in training]
    results["targets"] = {"training_songs": len(training), **{
        measure: {"median": float(np.nanmedian([v[measure] for v in values])),
                  "target": target}
        for measure, target in (("chord_fit", CHORD_FIT_TARGET), ("groove", GROOVE_TARGET))}}
    for measure in ("chord_fit", "groove"):
        found = results["targets"][measure]
        print(f"{measure}: median over {len(training)} POP909 training songs "
              f"{found['median']:.3f}, the score's target {found['target']:g}")
    return finish(args.json, results)


if __name__ == "__main__":
    raise SystemExit(main())
