"""One model, several idioms: a style-conditioned checkpoint against the POP909-only model.

Per corpus (the test split of POP909, the JSB chorales and the fiddle tunes), each model's NLL
per token and bits per note (``songform eval --data``). The chorale's idioms (four voices in
order, inside their ranges, parallel fifths and octaves, phrases closing on held chords) for
the new model's chorales, the POP909-only model's and the JSB test split, over the seeds.
The folk styles' melodies (reel and jig) against the held-out tunes' (``melody_shape``).

    .venv/bin/python bench/idioms.py --checkpoint runs/mix-d128-l3 [--seeds 5] [--limit N]
        [--jobs 2]
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch
from common import JSB, bench_parser, finish, print_table

import songform
from songform.corpus_eval import evaluate_corpus
from songform.data.corpus import read_corpus
from songform.data.corpus_mix import default_corpus_path
from songform.data.folk import folk_folder
from songform.data.jsb_songs import jsb_songs
from songform.data.splits import split_at
from songform.symbolic.melody_shape import melody_shape, pooled, total_variation
from songform.symbolic.metrics import check_plan
from songform.symbolic.shipped import shipped_checkpoint
from songform.symbolic.voice_leading import chorale_idioms, pooled_idioms

CORPORA = ("pop909", "jsb", "folk")
SHAPE = ("steps", "leaps", "mean_interval", "long_notes", "sounding", "phrase_long_end",
         "phrase_tonic_end")


def corpus_scores(checkpoint: Path, limit: int | None, threads: int) -> dict[str, dict]:
    """Test-split NLL and bits per note of ``checkpoint`` on each corpus, on ``threads``
    torch threads."""
    torch.set_num_threads(threads)
    scores = {}
    for name in CORPORA:
        started = time.perf_counter()
        found = evaluate_corpus(default_corpus_path(name), checkpoint, "test", limit)
        scores[name] = {"songs": found["songs"], "nll": found["nll_per_token"],
                        "bits_per_note": found["bits_per_note"],
                        "seconds": time.perf_counter() - started}
        print(checkpoint.name, name, scores[name], flush=True)
    return scores


def chorales(checkpoint: Path, seeds: list[int]) -> dict:
    """The chorale idioms of the model's chorales, and whether they keep their plans."""
    measures, kept = [], 0
    for seed in seeds:
        song = songform.compose(songform.Template(style="chorale"), seed=seed, notes="model",
                                checkpoint=checkpoint)
        measures.append(chorale_idioms(song))
        kept += not any(row.problems for row in check_plan(song))
    return {**pooled_idioms(measures), "plans_kept": kept}


def folk_shapes(checkpoint: Path, seeds: list[int], limit: int | None) -> dict:
    """Melody measures of the model's reels and jigs and of the held-out tunes."""
    written = {style: [melody_shape(songform.compose(songform.Template(style=style),
                                                     seed=seed, notes="model",
                                                     checkpoint=checkpoint))
                       for seed in seeds] for style in ("folk", "jig")}
    held_out = []
    for index, (name, song) in enumerate(read_corpus(folk_folder())):
        if split_at(name, index, "folk") == "test":
            held_out.append(melody_shape(song))
        if limit is not None and len(held_out) >= limit:
            break
    rows = {"held-out tunes": pooled([s for s in held_out if s])}
    for style, shapes in written.items():
        rows[f"model {style}"] = pooled([s for s in shapes if s])
    reference = rows["held-out tunes"]["interval_histogram"]
    for row in rows.values():
        row["histogram_tv"] = total_variation(row["interval_histogram"], reference)
    return rows


def main() -> int:
    parser = bench_parser(__doc__, "idioms.json")
    parser.add_argument("--checkpoint", type=Path, required=True,
                        help="the style-conditioned checkpoint")
    parser.add_argument("--baseline", type=Path, default=shipped_checkpoint("pop909"),
                        help="the POP909-only checkpoint (default: the shipped pop909)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None,
                        help="at most this many test songs per corpus (default all)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="score the two models' corpora in this many processes, each on "
                             "one torch thread (1: in this process on its threads)")
    args = parser.parse_args()
    seeds = list(range(1, args.seeds + 1))
    models = {"POP909-only": args.baseline, "idioms": args.checkpoint}
    results: dict = {"checkpoints": {k: str(v) for k, v in models.items()}, "seeds": seeds}
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            running = {label: pool.submit(corpus_scores, path, args.limit, 1)
                       for label, path in models.items()}
            results["corpora"] = {label: job.result() for label, job in running.items()}
    else:
        results["corpora"] = {label: corpus_scores(path, args.limit, torch.get_num_threads())
                              for label, path in models.items()}
    print_table("Test NLL per token and bits per note, per corpus",
                ("model", *(f"{c} {m}" for c in CORPORA for m in ("nll", "bits/note"))),
                [(label, *(f"{scores[c][m]:.3f}" for c in CORPORA
                           for m in ("nll", "bits_per_note")))
                 for label, scores in results["corpora"].items()])
    jsb = pooled_idioms([chorale_idioms(song) for _, song in jsb_songs(JSB, "test")])
    results["chorale"] = {"JSB test split": jsb,
                          **{f"{label} chorale": chorales(path, seeds)
                             for label, path in models.items()}}
    print_table(f"Chorale idioms ({len(seeds)} seeds; JSB: {jsb['songs']} test chorales)",
                ("source", "voice order", "in range", "parallel 5ths/8ves",
                 "x JSB's", "held cadences", "four voices sound", "plans kept"),
                [(label, f"{row['order']:.3f}", f"{row['ranges']:.3f}",
                  f"{row['parallels']:.4f}", f"{row['parallels'] / jsb['parallels']:.2f}",
                  f"{row['cadences']:.2f}", f"{row['four_voices']:.3f}",
                  row.get("plans_kept", "-"))
                 for label, row in results["chorale"].items()])
    results["folk"] = folk_shapes(args.checkpoint, seeds, args.limit)
    print_table("Folk melodies against the held-out tunes",
                ("melodies", *SHAPE, "interval TV"),
                [(label, *(f"{row[m]:.3f}" for m in SHAPE), f"{row['histogram_tv']:.3f}")
                 for label, row in results["folk"].items()])
    return finish(args.json, results)


if __name__ == "__main__":
    raise SystemExit(main())
