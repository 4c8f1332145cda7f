"""``songform train``: the options into a ``songform.training.TrainRequest``, the corpora's
progress and the run's summary shown.

Runs as is on one process, or under ``torchrun --nproc_per_node=N -m songform train ...``
with DistributedDataParallel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from songform.core.fileio import check_output_folder
from songform.data.corpus_mix import SONG_CORPORA

from .common import JsonFlag, QuietFlag, console, handles_errors, print_json, print_skipped

MIX_HELP = ("a comma list of song corpora with optional weights (pop909:2,jsb,folk): one "
            "model of several idioms; jsb alone is the JSB benchmark grid")


@handles_errors
def train(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Checkpoint folder (with "
                                             "--resume: the resumed folder).")] = None,
    corpus: Annotated[str | None, typer.Option(help=f"Corpus: {', '.join(SONG_CORPORA)}, or "
                                               f"{MIX_HELP} \\[default: jsb].")] = None,
    data: Annotated[Path | None, typer.Option(help="Corpus file or folder.")] = None,
    cache: Annotated[Path | None, typer.Option(help="Token cache folder (what `songform data "
                                               "prepare -o` wrote); read, or written if "
                                               "missing.")] = None,
    position: Annotated[str | None, typer.Option(
        help="absolute, relative (the shipped model's) or relative+music (relative + FME + "
             "RIPO) \\[default: relative].")] = None,
    fme: Annotated[bool | None, typer.Option("--fme/--no-fme", help="relative+music: the "
                                             "FME embeddings \\[default: on].")] = None,
    ripo: Annotated[bool | None, typer.Option("--ripo/--no-ripo", help="relative+music: the "
                                              "RIPO attention terms \\[default: on].")] = None,
    dim: Annotated[int | None, typer.Option(help="Width \\[default: 128].")] = None,
    depth: Annotated[int | None, typer.Option(help="Layers \\[default: 3].")] = None,
    heads: Annotated[int | None, typer.Option(help="Attention heads \\[default: 4].")] = None,
    window: Annotated[int | None, typer.Option(help="Tokens per training window "
                                               "\\[default: 256].")] = None,
    steps: Annotated[int | None, typer.Option(help="Optimizer steps in all (a resumed run "
                                              "goes on to this) \\[default: 1000].")] = None,
    batch_size: Annotated[int | None, typer.Option(help="\\[default: 16]")] = None,
    lr: Annotated[float | None, typer.Option(help="Peak learning rate \\[default: 1e-3].")
                  ] = None,
    seed: Annotated[int | None, typer.Option(help="\\[default: 0]")] = None,
    device: Annotated[str | None, typer.Option(help="cpu or cuda (never chosen for you) "
                                               "\\[default: cpu].")] = None,
    resume: Annotated[Path | None, typer.Option(
        help="Continue the run in this checkpoint folder from its last checkpoint (weights, "
             "optimizer, step, random states, data order); options not given are the "
             "run's own.")] = None,
    limit: Annotated[int | None, typer.Option(help="pop909/midi: at most this many songs."
                                              )] = None,
    init: Annotated[Path | None, typer.Option(
        "--init", help="Start from this checkpoint's weights (a warm start: the same sizes; "
                       "a vocabulary that grew keeps its rows).")] = None,
    save_every: Annotated[int | None, typer.Option(help="Checkpoint every this many steps "
                                                   "(and at least every 5 minutes of work) "
                                                   "\\[default: 500].")] = None,
    threads: Annotated[int | None, typer.Option(
        "--threads", help="CPU threads for training \\[default: torch's, every core: a batch "
                          "of windows keeps them busy].", show_default=False)] = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Train the bar-level Music Transformer on a corpus and save a checkpoint folder, with
    its validation curve (curve.csv, curve.png) beside it.

    Examples:

      songform train --out ckpt/jsb --steps 1000

      songform data prepare ../shared/data/pop909 -o cache/pop909

      songform train --corpus pop909 --cache cache/pop909 --out ckpt/pop909 --steps 6000

      songform train --resume ckpt/pop909
    """

    from songform.training import TrainRequest

    request = TrainRequest.of(dict(
        corpus=corpus, data=data, cache=cache, position=position, fme=fme, ripo=ripo, dim=dim,
        depth=depth, heads=heads, window=window, steps=steps, batch_size=batch_size, lr=lr,
        seed=seed, device=device, limit=limit, save_every=save_every, init=init), out,
        resume)
    out = request.out
    check_output_folder(out)
    shown = not (as_json or quiet)
    with Progress(TextColumn("tokenizing"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True, disable=not shown) as bar:
        task = bar.add_task("songs", total=request.options["limit"])
        sets = request.sets(lambda done, total: bar.update(task, completed=done,
                                                           total=total))
    if shown:
        print_skipped(sets.skipped)
        for line in sets.lines:
            console.print(line)
    summary = request.run(sets, threads, progress=shown)
    if as_json:
        print_json({"checkpoint": str(out), "steps": summary["steps"],
                    "valid_nll": summary["valid_nll"]})
    elif not quiet:
        console.print(f"trained {summary['steps']} steps; valid NLL "
                      f"{summary['valid_nll']:.4f} nats/token; checkpoint and curve in "
                      f"[bold]{out}[/]")

