"""``songform train``: wire a corpus to the trainer (the trainer never imports ``data/``).

Runs as is on one process, or under ``torchrun --nproc_per_node=N -m songform train ...``
with DistributedDataParallel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, fail, handles_errors

CORPORA = ("jsb",)
DEFAULT_JSB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / \
    "jsb-chorales" / "Jsb16thSeparated.json"


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
) -> None:
    """Train the bar-level Music Transformer on a corpus and save a checkpoint folder."""
    from songform.symbolic.model import ModelConfig
    from songform.symbolic.train import TrainConfig
    from songform.symbolic.train import train as run_training

    if corpus not in CORPORA:
        raise fail(f'--corpus: expected one of {", ".join(CORPORA)}, got "{corpus}" (the '
                   "POP909 and MIDI-folder corpora arrive with the tokenizer)")
    from songform.data.jsb import VOCAB_SIZE, JsbWindows, load_jsb

    path = data or DEFAULT_JSB
    if not path.is_file():
        raise fail(f"JSB data not found: {path} (pass --data)")
    chorales = load_jsb(path)
    config = ModelConfig(vocab_size=VOCAB_SIZE, dim=dim, depth=depth, heads=heads,
                         position=position, max_relative=window, max_positions=window + 1)
    train_set = JsbWindows(chorales["train"], window, random_crops=True, seed=seed,
                           crops_per_epoch=steps * batch_size)
    valid_set = JsbWindows(chorales["valid"], window)
    summary = run_training(
        config, train_set, valid_set,
        TrainConfig(steps=steps, batch_size=batch_size, lr=lr, warmup=max(10, steps // 10),
                    seed=seed, device=device, eval_every=max(1, steps // 5)),
        out_dir=out, resume=resume,
        tokenizer_config={"corpus": "jsb", "scheme": "satb-16th", "vocab_size": VOCAB_SIZE})
    console.print(f"trained {summary['steps']} steps; valid NLL {summary['valid_nll']:.4f} "
                  f"nats/token; checkpoint in [bold]{out}[/]")
