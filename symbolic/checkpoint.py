"""Checkpoints: one folder with ``model.safetensors``, ``config.json`` and optionally
``tokenizer.json`` (a :class:`CheckpointInfo`: what the model was trained on) and
``training_state.pt``. Loading never executes code: weights come from safetensors, training
state through ``torch.load(weights_only=True)``. The metadata is written and read here only."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_model, save_model

from songform.core.errors import InputError
from songform.core.fileio import atomic_path, atomic_write_text

from .checkpoint_info import TOKENIZER, CheckpointError, CheckpointInfo, read_info
from .model import ModelConfig, MusicTransformer

WEIGHTS, CONFIG, STATE = ("model.safetensors", "config.json", "training_state.pt")
__all__ = ["CONFIG", "STATE", "TOKENIZER", "WEIGHTS", "CheckpointError", "CheckpointInfo",
           "load_checkpoint", "read_info", "save_checkpoint"]


def save_checkpoint(folder: str | Path, model: MusicTransformer,
                    info: CheckpointInfo | None = None,
                    training_state: dict[str, Any] | None = None) -> Path:
    """Write the checkpoint folder (each file atomically)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / WEIGHTS) as temp:
        save_model(model, str(temp))
    atomic_write_text(folder / CONFIG, model.config.to_json())
    if info is not None:
        atomic_write_text(folder / TOKENIZER, json.dumps(info.to_dict(), indent=2) + "\n")
    if training_state is not None:
        with atomic_path(folder / STATE) as temp:
            torch.save(training_state, temp)
    return folder


def load_checkpoint(folder: str | Path, device: torch.device | str = "cpu"
                    ) -> MusicTransformer:
    """Build the model from ``config.json`` and load ``model.safetensors`` into it, after
    checking both: sizes within ``core.limits`` before anything is allocated, the weights
    file a safetensors file (a pickle is refused by name, never opened) whose tensors match
    the config. The model comes back in eval mode (no dropout), ready to decode or score;
    training calls ``train()`` itself.

    Raises:
        CheckpointError: any of these checks fails.
    """
    folder = Path(folder)
    config = read_config(folder)
    tensors = read_weights_header(folder / WEIGHTS)
    with torch.device("meta"):  # shapes only: nothing is allocated until the checks pass
        shapes = MusicTransformer(config)
    expected = {name: list(value.shape) for name, value in shapes.state_dict().items()}
    stored = {name: entry["shape"] for name, entry in tensors.items()}
    if shapes.head.weight is shapes.embed.tokens.weight:  # tied: stored once, either name
        expected.pop("head.weight", None)
        stored.pop("head.weight", None)
    if stored != expected:
        wrong = sorted(set(stored) ^ set(expected)) or sorted(
            n for n in expected if stored.get(n) != expected[n])
        raise CheckpointError(f"{folder / WEIGHTS}: its tensors do not match {CONFIG} "
                              f"({', '.join(wrong[:3])})")
    needed = 2 * sum(value.numel() * value.element_size()
                     for value in shapes.state_dict().values())  # the model and the file's
    available = available_memory()
    if available is not None and needed > available:
        raise CheckpointError(f"{folder / CONFIG}: a model of {needed / 2 / 1024 ** 3:.1f} GiB "
                              f"needs about {needed / 1024 ** 3:.1f} GiB to load; this "
                              f"machine has {available / 1024 ** 3:.1f} GiB free")
    model = MusicTransformer(config)
    try:
        load_model(model, str(folder / WEIGHTS), strict=False, device=str(device))
    except Exception as error:  # safetensors' own error types on damaged data
        raise CheckpointError(f"{folder / WEIGHTS}: unreadable ({error})") from None
    return model.to(device).eval()


def read_config(folder: str | Path) -> ModelConfig:
    """The checkpoint's ``config.json``, checked (sizes within the limits)."""
    path = Path(folder) / CONFIG
    try:
        return ModelConfig.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"{path}: missing (is {Path(folder)} a checkpoint folder?)"
                              ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, InputError,
            TypeError) as error:
        raise CheckpointError(f"{path}: {error}") from None


def read_weights_header(path: Path) -> dict[str, dict]:
    """The tensor table of a safetensors file, read without loading any tensor.

    Raises:
        CheckpointError: the file is missing, a pickle (refused by name: songform never
            unpickles), or not a well-formed safetensors file.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            start = handle.read(9)
            length = int.from_bytes(start[:8], "little")
            # a header of 0x580 bytes starts like pickle protocol 5 (80 05): the header's
            # opening brace after the length is what tells them apart
            safetensors = start[8:9] == b"{" and length <= size - 8
            if not safetensors and (start[:1] == b"\x80" or start[:4] == b"PK\x03\x04"):
                raise CheckpointError(f"{path} is a pickle, not safetensors; songform never "
                                      "unpickles")
            if len(start) < 9:
                raise CheckpointError(f"{path}: too short for a safetensors file")
            handle.seek(8)
            if length > min(size - 8, 100 * 1024 ** 2):
                raise CheckpointError(f"{path}: not a safetensors file (a header of "
                                      f"{length:,} bytes in {size:,})")
            header = json.loads(handle.read(length))
    except FileNotFoundError:
        raise CheckpointError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path}: not a safetensors file ({error})") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path}: not a safetensors file")
    tensors = {k: v for k, v in header.items() if k != "__metadata__"}
    for name, entry in tensors.items():
        offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
        shape = entry.get("shape") if isinstance(entry, dict) else None
        width = DTYPE_BYTES.get(entry.get("dtype")) if isinstance(entry, dict) else None
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) for o in offsets)
                or not 0 <= offsets[0] <= offsets[1] <= size - 8 - length
                or not isinstance(shape, list) or width is None
                or not all(isinstance(d, int) and d >= 0 for d in shape)):
            raise CheckpointError(f"{path}: tensor {name!r} is damaged")
        if math.prod(shape) * width != offsets[1] - offsets[0]:
            raise CheckpointError(f"{path}: tensor {name!r} claims shape {shape} in "
                                  f"{offsets[1] - offsets[0]:,} bytes")
    return tensors


DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
               "I8": 1, "U8": 1, "BOOL": 1}
"""Bytes per element of the safetensors dtypes songform's checkpoints may hold."""


def available_memory() -> int | None:
    """Bytes of memory the machine can still give (``MemAvailable``), or ``None`` where the
    system does not say."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def load_training_state(folder: str | Path) -> dict[str, Any] | None:
    """The optimizer/scheduler/step state, or ``None`` (``weights_only`` loading)."""
    path = Path(folder) / STATE
    if not path.exists():
        return None
    return torch.load(path, map_location="cpu", weights_only=True)
