"""``songform train``: wire a corpus to the trainer (the trainer never imports ``data/``).

Runs as is on one process, or under ``torchrun --nproc_per_node=N -m songform train ...``
with DistributedDataParallel.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from songform.core.fileio import check_output_folder

from .common import JsonFlag, QuietFlag, console, fail, handles_errors, print_json, print_skipped

CORPORA = ("jsb", "pop909", "midi", "folk")
MIX_HELP = ("a comma list of song corpora with optional weights (pop909:2,jsb,folk): one "
            "model of several idioms; jsb alone is the JSB benchmark grid")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFAULT_JSB = SHARED_DATA / "jsb-chorales" / "Jsb16thSeparated.json"
DEFAULT_POP909 = SHARED_DATA / "pop909"


DEFAULTS = {"corpus": "jsb", "data": None, "cache": None, "position": "relative",
            "fme": True, "ripo": True, "dim": 128, "depth": 3, "heads": 4, "window": 256,
            "steps": 1000, "batch_size": 16, "lr": 1e-3, "seed": 0, "device": "cpu",
            "limit": None, "save_every": 500}
RUN_FILE = "train.json"  # the options a run was started with, beside its checkpoint


@handles_errors
def train(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Checkpoint folder (with "
                                             "--resume: the resumed folder).")] = None,
    corpus: Annotated[str | None, typer.Option(help=f"Corpus: {', '.join(CORPORA)}, or "
                                               f"{MIX_HELP} [default: jsb].")] = None,
    data: Annotated[Path | None, typer.Option(help="Corpus file or folder.")] = None,
    cache: Annotated[Path | None, typer.Option(help="Token cache folder (what `songform data "
                                               "prepare -o` wrote); read, or written if "
                                               "missing.")] = None,
    position: Annotated[str | None, typer.Option(
        help="absolute, relative (the shipped model's) or relative+music (relative + FME + "
             "RIPO) [default: relative].")] = None,
    fme: Annotated[bool | None, typer.Option("--fme/--no-fme", help="relative+music: the "
                                             "FME embeddings [default: on].")] = None,
    ripo: Annotated[bool | None, typer.Option("--ripo/--no-ripo", help="relative+music: the "
                                              "RIPO attention terms [default: on].")] = None,
    dim: Annotated[int | None, typer.Option(help="Width [default: 128].")] = None,
    depth: Annotated[int | None, typer.Option(help="Layers [default: 3].")] = None,
    heads: Annotated[int | None, typer.Option(help="Attention heads [default: 4].")] = None,
    window: Annotated[int | None, typer.Option(help="Tokens per training window "
                                               "[default: 256].")] = None,
    steps: Annotated[int | None, typer.Option(help="Optimizer steps in all (a resumed run "
                                              "goes on to this) [default: 1000].")] = None,
    batch_size: Annotated[int | None, typer.Option(help="[default: 16]")] = None,
    lr: Annotated[float | None, typer.Option(help="Peak learning rate [default: 1e-3].")
                  ] = None,
    seed: Annotated[int | None, typer.Option(help="[default: 0]")] = None,
    device: Annotated[str | None, typer.Option(help="cpu or cuda (never chosen for you) "
                                               "[default: cpu].")] = None,
    resume: Annotated[Path | None, typer.Option(
        help="Continue the run in this checkpoint folder from its last checkpoint (weights, "
             "optimizer, step, random states, data order); options not given are the "
             "run's own.")] = None,
    limit: Annotated[int | None, typer.Option(help="pop909/midi: at most this many songs."
                                              )] = None,
    save_every: Annotated[int | None, typer.Option(help="Checkpoint every this many steps "
                                                   "(and at least every 5 minutes of work) "
                                                   "[default: 500].")] = None,
    threads: Annotated[int | None, typer.Option(
        "--threads", help="CPU threads for training [default: torch's, every core: a batch "
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

    from songform.core.fileio import atomic_write_text
    from songform.symbolic.devices import check_device
    from songform.symbolic.model import ModelConfig
    from songform.symbolic.train import TrainConfig

    given = {name: value for name, value in dict(
        corpus=corpus, data=data, cache=cache, position=position, fme=fme, ripo=ripo, dim=dim,
        depth=depth, heads=heads, window=window, steps=steps, batch_size=batch_size, lr=lr,
        seed=seed, device=device, limit=limit, save_every=save_every).items()
        if value is not None}
    saved = _saved_options(resume) if resume is not None else {}
    options = {**DEFAULTS, **saved, **given}
    out = out or resume
    if out is None:
        raise fail("--out: a checkpoint folder is needed (or --resume FOLDER)")
    check_output_folder(out)
    mixed = options["corpus"] not in ("jsb", "pop909", "midi")
    if mixed:
        from songform.data.corpus_mix import parse_corpus_list

        shares = parse_corpus_list(options["corpus"])
        if options["data"] is not None or options["cache"] is not None:
            raise fail("--data and --cache name one corpus; a list reads each corpus from "
                       "its own place")
    if options["limit"] is not None and options["limit"] < 1:
        raise fail(f"--limit: expected a positive number of songs, got {options['limit']}")
    check_device(options["device"])
    sizes = {name: options[name] for name in ("dim", "depth", "heads", "position", "fme",
                                              "ripo")}
    window = options["window"]
    ModelConfig(vocab_size=2, max_relative=window, max_positions=window + 1,
                **sizes)  # sizes checked before any data is read
    steps = options["steps"]
    schedule = TrainConfig(steps=steps, batch_size=options["batch_size"], lr=options["lr"],
                           warmup=max(1, min(steps, max(10, steps // 10))),
                           seed=options["seed"], device=options["device"],
                           eval_every=max(1, min(250, steps // 5)),
                           checkpoint_every=options["save_every"])
    if options["corpus"] == "jsb":
        config, train_set, valid_set, info = _jsb(options["data"], window, sizes,
                                                  options["seed"], steps * schedule.batch_size)
    elif mixed:
        config, train_set, valid_set, info = _mixed(shares, options, sizes,
                                                    not (as_json or quiet))
    else:
        config, train_set, valid_set, info = _songs(options, sizes, not (as_json or quiet))
    Path(out).mkdir(parents=True, exist_ok=True)
    atomic_write_text(Path(out) / RUN_FILE, json.dumps(
        {k: str(v) if isinstance(v, Path) else v for k, v in options.items()}, indent=2) + "\n")
    summary = _run(config, train_set, valid_set, schedule, out, resume, info, threads,
                   shown=not (as_json or quiet))
    if as_json:
        print_json({"checkpoint": str(out), "steps": summary["steps"],
                    "valid_nll": summary["valid_nll"]})
    elif not quiet:
        console.print(f"trained {summary['steps']} steps; valid NLL "
                      f"{summary['valid_nll']:.4f} nats/token; checkpoint and curve in "
                      f"[bold]{out}[/]")


def _run(config, train_set, valid_set, schedule, out: Path, resume: Path | None, info,
         threads: int | None, shown: bool = True) -> dict:
    """Train on ``threads`` torch threads (default torch's: every core), drawing the curve
    beside the checkpoint; under torchrun the processes leave together."""
    import torch
    import torch.distributed as dist

    from songform.symbolic.curve import TrainingCurve
    from songform.symbolic.devices import check_threads, torch_threads
    from songform.symbolic.train import train as run_training

    curve = TrainingCurve.resume(out) if resume is not None else TrainingCurve(out)
    with torch_threads(check_threads(threads) if threads is not None
                       else torch.get_num_threads()):
        summary = run_training(config, train_set, valid_set, schedule, out_dir=out,
                               resume=resume, info=info, on_log=curve.add, progress=shown)
    if not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0:
        curve.save()
    if dist.is_available() and dist.is_initialized():  # under torchrun: leave together
        dist.barrier()
        dist.destroy_process_group()
    return summary


def _saved_options(folder: Path) -> dict:
    """The options the run in ``folder`` was started with (paths back as paths)."""
    path = Path(folder) / RUN_FILE
    if not Path(folder).is_dir():
        raise fail(f"--resume: no checkpoint folder at {folder}")
    if not path.exists():
        return {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise fail(f"{path}: {error}") from None
    unknown = set(saved) - set(DEFAULTS)
    if not isinstance(saved, dict) or unknown:
        raise fail(f"{path}: not a training run's options ({sorted(unknown)[:3]})")
    for name in ("data", "cache"):
        if saved.get(name) is not None:
            saved[name] = Path(saved[name])
    return saved


def _jsb(data, window, sizes, seed, crops):
    """The JSB benchmark grid (SATB per sixteenth), as in bench/jsb.py."""
    from songform.data.jsb import VOCAB_SIZE, JsbWindows, load_jsb
    from songform.symbolic.checkpoint import CheckpointInfo
    from songform.symbolic.model import ModelConfig

    path = data or DEFAULT_JSB
    if not path.is_file():
        raise fail(f"JSB data not found: {path} (pass --data)")
    chorales = load_jsb(path)
    config = ModelConfig(vocab_size=VOCAB_SIZE, max_relative=window, max_positions=window + 1,
                         **sizes)
    train_set = JsbWindows(chorales["train"], window, random_crops=True, seed=seed,
                           crops_per_epoch=crops)
    valid_set = JsbWindows(chorales["valid"], window)
    return config, train_set, valid_set, CheckpointInfo("satb-16th", VOCAB_SIZE, corpus="jsb",
                                                        split="the JSB valid split")


def _songs(options, sizes, shown: bool = True):
    """POP909 or a MIDI folder through the song tokenizer (plan tokens and all), split by
    POP909's fixed ids or, for other folders, every tenth song for validation."""
    from songform.data.dataset import BarWindows
    from songform.data.splits import SPLIT_RULES, song_splits
    from songform.symbolic.checkpoint import CheckpointInfo
    from songform.symbolic.model import ModelConfig
    from songform.symbolic.tokenizer import SongTokenizer

    from .corpus_tokens import cache_source, tokenized_corpus

    corpus, window, limit = options["corpus"], options["window"], options["limit"]
    path = options["data"] or cache_source(options["cache"]) or (
        DEFAULT_POP909 if corpus == "pop909" else None)
    if path is None or not path.exists():
        raise fail(f"{corpus} data not found: {path} (pass --data)")
    tokenizer = SongTokenizer()
    tokens, report = tokenized_corpus(path, tokenizer, options["cache"],
                                      plain=corpus == "midi", limit=limit)
    splits = song_splits(tokens.names, corpus)
    train_part = tokens.subset([s == "train" for s in splits])
    valid_part = tokens.subset([s == "valid" for s in splits])
    if not len(train_part.names) or not len(valid_part.names):
        raise fail(f"{path}: too few songs for a training and a validation split "
                   f"({len(tokens.names)} read, {len(report.skipped)} skipped)")
    roles = tokenizer.roles_in(tokens.ids)
    config = ModelConfig(vocab_size=len(tokenizer), max_relative=window,
                         max_positions=window + 1, **sizes)
    if shown:
        print_skipped(report.skipped)
        console.print(f"{corpus}: {len(train_part.names)} training and "
                      f"{len(valid_part.names)} validation songs, {len(tokens.ids):,} tokens; "
                      f"roles {', '.join(roles)}")
    return (config, BarWindows(train_part, tokenizer, window, augment=True,
                               seed=options["seed"]),
            BarWindows(valid_part, tokenizer, window),
            CheckpointInfo.for_songs(tokenizer, corpus, roles, SPLIT_RULES[corpus]))


def _mixed(shares, options, sizes, shown: bool = True):
    """Song corpora in one run (a model of several idioms): each read and cached from its own
    place, split by its own rule, sampled by weight (``data.dataset.MixedWindows``)."""
    from songform.data.corpus_mix import default_corpus_path
    from songform.data.dataset import BarWindows, MixedWindows
    from songform.data.splits import SPLIT_RULES, song_splits
    from songform.symbolic.checkpoint import CheckpointInfo
    from songform.symbolic.model import ModelConfig
    from songform.symbolic.tokenizer import SongTokenizer

    from .corpus_tokens import tokenized_corpus

    tokenizer, window, seed = SongTokenizer(), options["window"], options["seed"]
    trains, valids, idiom_roles, lines = [], [], {}, []
    for share in shares:
        path = default_corpus_path(share.name)
        if path is None or not path.exists():
            raise fail(f"{share.name} data not found: {path}")
        tokens, report = tokenized_corpus(path, tokenizer, plain=share.name == "midi",
                                          limit=options["limit"])
        splits = song_splits(tokens.names, share.name)
        train_part = tokens.subset([s == "train" for s in splits])
        valid_part = tokens.subset([s == "valid" for s in splits])
        if not len(train_part.names) or not len(valid_part.names):
            raise fail(f"{path}: too few songs for a training and a validation split")
        trains.append(BarWindows(train_part, tokenizer, window, augment=True, seed=seed))
        valids.append(BarWindows(valid_part, tokenizer, window))
        roles = tokenizer.roles_in(train_part.ids)
        idiom_roles[share.idiom] = tuple(sorted({*idiom_roles.get(share.idiom, ()), *roles}))
        lines.append(f"{share.name} (weight {share.weight:g}): {len(train_part.names)} "
                     f"training and {len(valid_part.names)} validation songs, "
                     f"{len(tokens.ids):,} tokens, {len(report.skipped)} skipped; roles "
                     f"{', '.join(roles)}")
    weights = [share.weight for share in shares]
    train_set = MixedWindows(trains, weights, seed)
    valid_set = MixedWindows(valids, weights, seed)
    if shown:
        for line in lines:
            console.print(line)
        console.print(f"windows per epoch by corpus: {train_set.counts()}")
    config = ModelConfig(vocab_size=len(tokenizer), max_relative=window,
                         max_positions=window + 1, **sizes)
    roles = tuple(sorted({r for rs in idiom_roles.values() for r in rs}))
    name = ",".join(f"{s.name}:{s.weight:g}" for s in shares)
    split = "; ".join(f"{s.name}: {SPLIT_RULES[s.name]}" for s in shares)
    corpora = {share.idiom: share.name for share in reversed(shares)}  # the first wins
    return config, train_set, valid_set, CheckpointInfo.for_songs(tokenizer, name, roles,
                                                                  split, idiom_roles, corpora)
