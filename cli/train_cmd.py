"""``songform train``: wire a corpus to the trainer (the trainer never imports ``data/``).

Runs as is on one process, or under ``torchrun --nproc_per_node=N -m songform train ...``
with DistributedDataParallel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, fail, handles_errors, print_skipped

CORPORA = ("jsb", "pop909", "midi")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFAULT_JSB = SHARED_DATA / "jsb-chorales" / "Jsb16thSeparated.json"
DEFAULT_POP909 = SHARED_DATA / "pop909"


@handles_errors
def train(
    out: Annotated[Path, typer.Option("--out", "-o", help="Checkpoint folder.")],
    corpus: Annotated[str, typer.Option(help=f"Corpus: {', '.join(CORPORA)}.")] = "jsb",
    data: Annotated[Path | None, typer.Option(help="Corpus file or folder.")] = None,
    position: Annotated[str, typer.Option(help="absolute, relative or relative+music."
                                          )] = "relative+music",
    dim: int = 128,
    depth: int = 3,
    heads: int = 4,
    window: Annotated[int, typer.Option(help="Tokens per training window.")] = 256,
    steps: int = 1000,
    batch_size: int = 16,
    lr: float = 1e-3,
    seed: int = 0,
    device: Annotated[str, typer.Option(help="cpu or cuda (never chosen for you).")] = "cpu",
    resume: Annotated[Path | None, typer.Option(help="Continue from this checkpoint.")] = None,
    limit: Annotated[int | None, typer.Option(help="pop909/midi: at most this many songs."
                                              )] = None,
    save_every: Annotated[int, typer.Option(help="Checkpoint every this many steps (and at "
                                            "least every 5 minutes of work).")] = 500,
) -> None:
    """Train the bar-level Music Transformer on a corpus and save a checkpoint folder.

    Examples:

      songform train --out ckpt/jsb --steps 1000

      songform train --corpus pop909 --out ckpt/pop909 --position relative --steps 1200

      songform train --corpus pop909 --out ckpt/pop909b --resume ckpt/pop909
    """
    from songform.symbolic.devices import check_device
    from songform.symbolic.model import ModelConfig
    from songform.symbolic.train import TrainConfig
    from songform.symbolic.train import train as run_training

    if corpus not in CORPORA:
        raise fail(f'--corpus: expected one of {", ".join(CORPORA)}, got "{corpus}"')
    if limit is not None and limit < 1:
        raise fail(f"--limit: expected a positive number of songs, got {limit}")
    check_device(device)
    ModelConfig(vocab_size=2, dim=dim, depth=depth, heads=heads, position=position,
                max_relative=window, max_positions=window + 1)  # sizes checked before any data
    schedule = TrainConfig(steps=steps, batch_size=batch_size, lr=lr,
                           warmup=max(1, min(steps, max(10, steps // 10))), seed=seed,
                           device=device, eval_every=max(1, steps // 5),
                           checkpoint_every=save_every)
    if corpus == "jsb":
        config, train_set, valid_set, info = _jsb(data, window, dim, depth, heads, position,
                                                  seed, steps * batch_size)
    else:
        config, train_set, valid_set, info = _songs(corpus, data, window, dim, depth, heads,
                                                    position, seed, limit)
    summary = run_training(config, train_set, valid_set, schedule, out_dir=out, resume=resume,
                           info=info)
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():  # under torchrun: leave together
        dist.barrier()
        dist.destroy_process_group()
    console.print(f"trained {summary['steps']} steps; valid NLL {summary['valid_nll']:.4f} "
                  f"nats/token; checkpoint in [bold]{out}[/]")


def _jsb(data, window, dim, depth, heads, position, seed, crops):
    """The JSB benchmark grid (SATB per sixteenth), as in bench/jsb.py."""
    from songform.data.jsb import VOCAB_SIZE, JsbWindows, load_jsb
    from songform.symbolic.checkpoint import CheckpointInfo
    from songform.symbolic.model import ModelConfig

    path = data or DEFAULT_JSB
    if not path.is_file():
        raise fail(f"JSB data not found: {path} (pass --data)")
    chorales = load_jsb(path)
    config = ModelConfig(vocab_size=VOCAB_SIZE, dim=dim, depth=depth, heads=heads,
                         position=position, max_relative=window, max_positions=window + 1)
    train_set = JsbWindows(chorales["train"], window, random_crops=True, seed=seed,
                           crops_per_epoch=crops)
    valid_set = JsbWindows(chorales["valid"], window)
    return config, train_set, valid_set, CheckpointInfo("satb-16th", VOCAB_SIZE, corpus="jsb",
                                                        split="the JSB valid split")


def _songs(corpus, data, window, dim, depth, heads, position, seed, limit):
    """POP909 or a MIDI folder through the song tokenizer (plan tokens and all), split by
    POP909's fixed ids or, for other folders, every tenth song for validation."""
    from songform.data.dataset import BarWindows
    from songform.data.splits import SPLIT_RULES, song_splits
    from songform.symbolic.checkpoint import CheckpointInfo
    from songform.symbolic.model import ModelConfig
    from songform.symbolic.tokenizer import SongTokenizer

    from .corpus_tokens import tokenized_corpus

    path = data or (DEFAULT_POP909 if corpus == "pop909" else None)
    if path is None or not path.exists():
        raise fail(f"{corpus} data not found: {path} (pass --data)")
    tokenizer = SongTokenizer()
    tokens, report = tokenized_corpus(path, tokenizer, plain=corpus == "midi", limit=limit)
    splits = song_splits(tokens.names, corpus)
    train_part = tokens.subset([s == "train" for s in splits])
    valid_part = tokens.subset([s == "valid" for s in splits])
    if not len(train_part.names) or not len(valid_part.names):
        raise fail(f"{path}: too few songs for a training and a validation split "
                   f"({len(tokens.names)} read, {len(report.skipped)} skipped)")
    print_skipped(report.skipped)
    roles = tokenizer.roles_in(tokens.ids)
    config = ModelConfig(vocab_size=len(tokenizer), dim=dim, depth=depth, heads=heads,
                         position=position, max_relative=window, max_positions=window + 1)
    console.print(f"{corpus}: {len(train_part.names)} training and {len(valid_part.names)} "
                  f"validation songs, {len(tokens.ids):,} tokens; roles {', '.join(roles)}")
    return (config, BarWindows(train_part, tokenizer, window, augment=True, seed=seed),
            BarWindows(valid_part, tokenizer, window),
            CheckpointInfo.for_songs(tokenizer, corpus, roles, SPLIT_RULES[corpus]))
