"""Training: AdamW, linear warmup and cosine decay, gradient clipping, mixed precision on GPU,
periodic validation, checkpoints with resume, and DistributedDataParallel under ``torchrun``
(gloo on CPU, NCCL on GPU) with no separate code path.

The trainer takes any dataset of token windows: items are dicts of ``tokens`` (long
``[T+1]``) and optionally ``pitches``, ``onsets``, ``durations`` (same length). It never
imports ``data/``; the CLI wires a corpus in.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, Dataset, Sampler
from torch.utils.data.distributed import DistributedSampler

from songform.core.errors import InputError

from .attributes import TokenAttributes
from .checkpoint import CheckpointInfo, load_checkpoint, load_training_state, save_checkpoint
from .model import ModelConfig, MusicTransformer

IGNORE = -100


@dataclass(frozen=True)
class TrainConfig:
    """Training settings (steps count optimizer updates)."""

    steps: int = 1000
    batch_size: int = 16
    lr: float = 3e-4
    min_lr_ratio: float = 0.1
    warmup: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    eval_every: int = 200
    eval_batches: int = 50
    checkpoint_every: int = 500  # steps; also every checkpoint_seconds of work
    checkpoint_seconds: float = 300.0
    seed: int = 0
    device: str = "cpu"
    mixed_precision: bool = True  # bf16 autocast on CUDA only
    num_workers: int = 0

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "warmup", "eval_every", "eval_batches",
                     "checkpoint_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be a positive integer, got {value!r}")
        for name in ("lr", "grad_clip", "checkpoint_seconds"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 < value < math.inf:
                raise InputError(f"{name} must be a positive finite number, got {value!r}")
        if not 0 <= self.min_lr_ratio <= 1 or not 0 <= self.weight_decay < 1:
            raise InputError("min_lr_ratio must be in [0, 1] and weight_decay in [0, 1)")
        if self.num_workers < 0:
            raise InputError(f"num_workers must be 0 or more, got {self.num_workers}")

    def to_dict(self) -> dict:
        return asdict(self)


class EpochSampler(Sampler[int]):
    """Each epoch a fresh permutation drawn from ``(seed, epoch)`` alone, this rank's share
    of it (padded like ``DistributedSampler``), from position ``skip`` on: so a run resumed
    mid-epoch sees exactly the windows an uninterrupted run would have seen next."""

    def __init__(self, size: int, seed: int, rank: int = 0, world: int = 1) -> None:
        self.size, self.seed, self.rank, self.world = size, seed, rank, world
        self.epoch, self.skip = 0, 0

    def set_position(self, epoch: int, skip: int) -> None:
        self.epoch, self.skip = epoch, skip

    def _indices(self) -> list[int]:
        order = torch.randperm(self.size, generator=torch.Generator().manual_seed(
            self.seed * 100_003 + self.epoch)).tolist()
        share = math.ceil(self.size / self.world)
        order += order[:share * self.world - len(order)]
        return order[self.rank::self.world]

    def __iter__(self):
        return iter(self._indices()[self.skip:])

    def __len__(self) -> int:
        return max(0, math.ceil(self.size / self.world) - self.skip)


def collate(items: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Pad windows to the longest; inputs are ``[:-1]``, targets ``[1:]`` (padding ignored)."""
    length = max(len(item["tokens"]) for item in items) - 1
    batch = len(items)
    out = {
        "tokens": torch.zeros(batch, length, dtype=torch.long),
        "targets": torch.full((batch, length), IGNORE, dtype=torch.long),
        "pitches": torch.full((batch, length), -1, dtype=torch.long),
        "onsets": torch.full((batch, length), float("nan")),
        "durations": torch.full((batch, length), float("nan")),
        "valid": torch.zeros(batch, length, dtype=torch.bool),
    }
    for row, item in enumerate(items):
        n = len(item["tokens"]) - 1
        out["tokens"][row, :n] = item["tokens"][:-1]
        out["targets"][row, :n] = item["tokens"][1:]
        out["valid"][row, :n] = True
        for name in ("pitches", "onsets", "durations"):
            if name in item:
                out[name][row, :n] = item[name][:-1]
    return out


def learning_rate(step: int, config: TrainConfig) -> float:
    """Linear warmup to ``lr``, then cosine decay to ``lr * min_lr_ratio``."""
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    progress = min(1.0, (step - config.warmup) / max(1, config.steps - config.warmup))
    floor = config.lr * config.min_lr_ratio
    return floor + (config.lr - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def batch_loss(model: torch.nn.Module, batch: dict[str, torch.Tensor], device: torch.device
               ) -> tuple[torch.Tensor, int]:
    """Mean next-token cross-entropy over the batch's real tokens, and their count."""
    batch = {k: v.to(device) for k, v in batch.items()}
    logits = model(batch["tokens"], TokenAttributes.from_batch(batch), valid=batch["valid"])
    targets = batch["targets"]
    loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]),
                                             targets.reshape(-1), ignore_index=IGNORE)
    return loss, int((targets != IGNORE).sum())


@torch.no_grad()
def evaluate(model: torch.nn.Module, loader: DataLoader, device: torch.device,
             max_batches: int | None = None) -> float:
    """Negative log-likelihood per token (nats) over the loader."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for index, batch in enumerate(loader):
        if max_batches is not None and index >= max_batches:
            break
        loss, n = batch_loss(model, batch, device)
        total += float(loss) * n
        count += n
    if dist.is_available() and dist.is_initialized():
        summed = torch.tensor([total, count], dtype=torch.float64, device=device)
        dist.all_reduce(summed)
        total, count = float(summed[0]), int(summed[1])
    model.train(was_training)
    return total / max(count, 1)


def _distributed() -> tuple[int, int]:
    """(rank, world size); initialises the process group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
    rank = dist.get_rank() if dist.is_initialized() else 0
    return rank, world


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def train(
    model_config: ModelConfig,
    train_set: Dataset,
    valid_set: Dataset | None,
    config: TrainConfig,
    out_dir: str | Path | None = None,
    resume: str | Path | None = None,
    info: CheckpointInfo | None = None,
    on_log: Callable[[dict[str, float]], None] | None = None,
    progress: bool = True,
    model: torch.nn.Module | None = None,
    init: str | Path | None = None,
) -> dict[str, Any]:
    """Train a ``MusicTransformer``; returns a summary (losses, steps, tokens/s).

    Args:
        model_config: the model to build (ignored when resuming: the checkpoint's is used).
        train_set, valid_set: datasets of token windows (see module docstring).
        config: training settings.
        out_dir: checkpoint folder (written by rank 0); ``None`` keeps nothing.
        resume: a checkpoint folder to continue from (weights, optimizer, step).
        info: what the model is trained on, saved beside the weights.
        on_log: called with each log record (rank 0).
        progress: show a rich progress bar (rank 0).
        model: train this module instead of building one (a baseline with the same
            ``forward(tokens, attributes, valid=)``); not checkpointed.
        init: a checkpoint folder whose weights a new run starts from (:func:`start_from`).
    """
    rank, world = _distributed()
    device = torch.device(config.device if config.device != "cuda" or world == 1
                          else f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}")
    _seed_everything(config.seed)
    if model is None:
        model = load_checkpoint(resume, device) if resume else MusicTransformer(model_config)
        if init and not resume:
            start_from(model, init)
    elif resume or out_dir:
        raise ValueError("a model passed in is trained as is: no checkpoint, no resume")
    model.to(device)
    optimizer = _optimizer(model, config)
    sampler = EpochSampler(len(train_set), config.seed, rank, world)
    start_step, epoch, batches_done = 0, 0, 0
    cpu_before = 0.0  # CPU seconds the run spent before this process (a resumed run's)
    if resume:
        state = load_training_state(resume)
        if state is not None:
            start_step, epoch, batches_done = _restore(state, model, optimizer, train_set,
                                                       rank)
            cpu_before = float(state.get("cpu_seconds", 0.0))
    cpu_started = time.process_time()
    if len(train_set) // world < config.batch_size:
        raise InputError(f"{len(train_set)} training windows do not fill one batch of "
                         f"{config.batch_size} on each of {world} process(es)")
    wrapped: torch.nn.Module = model
    if world > 1:
        wrapped = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)
    loader = DataLoader(train_set, batch_size=config.batch_size, sampler=sampler,
                        collate_fn=collate, drop_last=True, num_workers=config.num_workers)
    valid_loader = None
    if valid_set is not None:
        valid_sampler = DistributedSampler(valid_set, num_replicas=world, rank=rank,
                                           shuffle=False) if world > 1 else None
        valid_loader = DataLoader(valid_set, batch_size=config.batch_size, shuffle=False,
                                  sampler=valid_sampler, collate_fn=collate)
    autocast = (torch.autocast("cuda", dtype=torch.bfloat16)
                if device.type == "cuda" and config.mixed_precision else None)
    history: list[dict[str, float]] = []
    show = progress and rank == 0
    bar = _progress(show)
    task = bar.add_task("training", total=config.steps, completed=start_step) if bar else None
    step, tokens_seen, started = start_step, 0, time.perf_counter()
    saved_at = started
    wrapped.train()
    if bar:
        bar.start()
    try:
        while step < config.steps:
            sampler.set_position(epoch, batches_done * config.batch_size)
            if len(sampler) < config.batch_size:  # the epoch is used up
                epoch, batches_done = epoch + 1, 0
                continue
            for batch in loader:
                if step >= config.steps:
                    break
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate(step, config)
                if autocast is not None:
                    with autocast:
                        loss, count = batch_loss(wrapped, batch, device)
                else:
                    loss, count = batch_loss(wrapped, batch, device)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                optimizer.step()
                step += 1
                batches_done += 1
                tokens_seen += count * world
                cpu_seconds = cpu_before + time.process_time() - cpu_started
                record = {"step": step, "loss": float(loss.detach()),
                          "tokens_per_s": tokens_seen / (time.perf_counter() - started),
                          "cpu_s": cpu_seconds}
                if valid_loader is not None and (step % config.eval_every == 0
                                                 or step == config.steps):
                    record["valid_nll"] = evaluate(wrapped, valid_loader, device,
                                                   config.eval_batches)
                history.append(record)
                if rank == 0:
                    if on_log:
                        on_log(record)
                    if bar:
                        bar.update(task, completed=step, description=(
                            f"loss {record['loss']:.3f}  {record['tokens_per_s']:.0f} tok/s"
                            + (f"  valid {record['valid_nll']:.3f}" if "valid_nll" in record
                               else "")))
                due = (step % config.checkpoint_every == 0 or step == config.steps
                       or time.perf_counter() - saved_at >= config.checkpoint_seconds)
                if out_dir and due:
                    state = _state(model, optimizer, train_set, config, step, epoch,
                                   batches_done)
                    state["cpu_seconds"] = cpu_before + time.process_time() - cpu_started
                    if rank == 0:
                        save_checkpoint(out_dir, model, info, state)
                    saved_at = time.perf_counter()
            epoch, batches_done = epoch + 1, 0
    finally:
        if bar:
            bar.stop()
    if world > 1:
        dist.barrier()
    return {"history": history, "steps": step, "model": model,
            "final_loss": history[-1]["loss"] if history else math.nan,
            "valid_nll": next((h["valid_nll"] for h in reversed(history) if "valid_nll" in h),
                              None)}


def start_from(model: torch.nn.Module, folder: str | Path) -> None:
    """``model``'s weights from the checkpoint in ``folder`` (a warm start): tensors of the
    same shape are copied; one whose first dimension grew (a vocabulary with tokens appended
    at its end) keeps the old rows, the new ones as initialised.

    Raises:
        InputError: a tensor the checkpoint lacks or whose shape differs otherwise.
    """
    source = load_checkpoint(folder).state_dict()
    with torch.no_grad():
        for name, value in model.state_dict().items():
            old = source.get(name)
            if old is not None and old.shape == value.shape:
                value.copy_(old)
            elif (old is not None and old.dim() == value.dim() and old.dim() > 0
                  and old.shape[1:] == value.shape[1:] and old.shape[0] < value.shape[0]):
                value[:old.shape[0]].copy_(old)
            else:
                shape = tuple(old.shape) if old is not None else "missing"
                raise InputError(f"--init {folder}: {name} is {shape} there, "
                                 f"{tuple(value.shape)} in this model (sizes must agree)")


def _state(model: torch.nn.Module, optimizer: torch.optim.Optimizer, train_set: Dataset,
           config: TrainConfig, step: int, epoch: int, batches_done: int) -> dict[str, Any]:
    """Everything a resumed run needs to continue exactly, in one file (saved atomically):
    the weights, the optimizer, the step, the data order's place and every random state (the
    caller adds the CPU seconds spent so far).
    All of it loads with ``weights_only=True``."""
    data_rng = getattr(train_set, "rng", None)
    return {"model": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
            "optimizer": optimizer.state_dict(), "step": step, "epoch": epoch,
            "batches_done": batches_done, "train_config": config.to_dict(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            "python_rng": random.getstate(),
            "data_rng": data_rng.bit_generator.state if data_rng is not None else None}


def _restore(state: dict[str, Any], model: torch.nn.Module, optimizer: torch.optim.Optimizer,
             train_set: Dataset, rank: int) -> tuple[int, int, int]:
    """Put a saved state back; returns ``(step, epoch, batches done in the epoch)``."""
    if "model" in state:
        model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if "torch_rng" in state:
        torch.set_rng_state(state["torch_rng"])
        if state.get("cuda_rng") and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        random.setstate(_as_tuple(state["python_rng"]))
        data_rng = getattr(train_set, "rng", None)
        if data_rng is not None and state.get("data_rng") is not None:
            data_rng.bit_generator.state = state["data_rng"]
    return int(state["step"]), int(state.get("epoch", 0)), int(state.get("batches_done", 0))


def _as_tuple(value):
    """``random.setstate`` wants tuples where a round trip may have left lists."""
    return tuple(_as_tuple(v) for v in value) if isinstance(value, (list, tuple)) else value


def _optimizer(model: torch.nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        (decay if parameter.dim() >= 2 and "rel" not in name else no_decay).append(parameter)
    return torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=config.lr,
                             betas=(0.9, 0.95))


def _progress(show: bool):
    if not show:
        return None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn())
