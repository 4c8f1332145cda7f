"""Checkpoints: one folder with ``model.safetensors``, ``config.json`` and optionally
``tokenizer.json`` and ``training_state.pt``. Loading never executes code: weights come from
safetensors, training state through ``torch.load(weights_only=True)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_model, save_model

from songform.core.fileio import atomic_path, atomic_write_text

from .model import ModelConfig, MusicTransformer

WEIGHTS, CONFIG, TOKENIZER, STATE = ("model.safetensors", "config.json", "tokenizer.json",
                                     "training_state.pt")


def save_checkpoint(folder: str | Path, model: MusicTransformer,
                    tokenizer_config: dict[str, Any] | None = None,
                    training_state: dict[str, Any] | None = None) -> Path:
    """Write the checkpoint folder (each file atomically)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / WEIGHTS) as temp:
        save_model(model, str(temp))
    atomic_write_text(folder / CONFIG, model.config.to_json())
    if tokenizer_config is not None:
        atomic_write_text(folder / TOKENIZER, json.dumps(tokenizer_config, indent=2) + "\n")
    if training_state is not None:
        with atomic_path(folder / STATE) as temp:
            torch.save(training_state, temp)
    return folder


def load_checkpoint(folder: str | Path, device: torch.device | str = "cpu"
                    ) -> MusicTransformer:
    """Build the model from ``config.json`` and load ``model.safetensors`` into it."""
    folder = Path(folder)
    config = ModelConfig.from_json((folder / CONFIG).read_text())
    model = MusicTransformer(config)
    missing, unexpected = load_model(model, str(folder / WEIGHTS), strict=True,
                                     device=str(device))
    if missing or unexpected:
        raise ValueError(f"checkpoint mismatch: missing {missing}, unexpected {unexpected}")
    return model.to(device)


def load_training_state(folder: str | Path) -> dict[str, Any] | None:
    """The optimizer/scheduler/step state, or ``None`` (``weights_only`` loading)."""
    path = Path(folder) / STATE
    if not path.exists():
        return None
    return torch.load(path, map_location="cpu", weights_only=True)
