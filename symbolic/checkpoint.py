"""Checkpoints: one folder with ``model.safetensors``, ``config.json`` and optionally
``tokenizer.json`` (a :class:`CheckpointInfo`: what the model was trained on) and
``training_state.pt``. Loading never executes code: weights come from safetensors, training
state through ``torch.load(weights_only=True)``. The metadata is written and read here only."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_model, save_model

from songform.core.fileio import atomic_path, atomic_write_text

from .model import ModelConfig, MusicTransformer
from .tokenizer import SONG_SCHEME, SongTokenizer, TokenizerSettings

WEIGHTS, CONFIG, TOKENIZER, STATE = ("model.safetensors", "config.json", "tokenizer.json",
                                     "training_state.pt")


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint was trained on (its ``tokenizer.json``).

    Args:
        scheme: the token scheme (:data:`SONG_SCHEME` for songs, ``"satb-16th"`` for the JSB
            grid); only song checkpoints can write songs.
        vocab_size: token ids the model knows.
        settings: the song tokenizer's settings (``TokenizerSettings.to_dict``).
        corpus: the corpus name (``pop909``, ``midi``, ``jsb``).
        roles: the roles whose notes the training data held (what the model writes).
        split: how the validation songs were chosen.
    """

    scheme: str
    vocab_size: int
    settings: dict | None = None
    corpus: str | None = None
    roles: tuple[str, ...] | None = None
    split: str | None = None

    @classmethod
    def for_songs(cls, tokenizer: SongTokenizer, corpus: str | None = None,
                  roles: tuple[str, ...] | None = None, split: str | None = None
                  ) -> CheckpointInfo:
        return cls(SONG_SCHEME, len(tokenizer), tokenizer.settings.to_dict(), corpus,
                   tuple(roles) if roles is not None else None, split)

    @property
    def writes_songs(self) -> bool:
        return self.scheme == SONG_SCHEME and self.settings is not None

    def tokenizer(self) -> SongTokenizer:
        """The song tokenizer the model was trained with."""
        return SongTokenizer(TokenizerSettings.from_dict(self.settings or {}))

    def to_dict(self) -> dict[str, Any]:
        values = {k: v for k, v in asdict(self).items() if v is not None}
        if self.roles is not None:
            values["roles"] = list(self.roles)
        return values

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckpointInfo:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("roles") is not None:
            values["roles"] = tuple(values["roles"])
        return cls(**values)


def read_info(folder: str | Path) -> CheckpointInfo | None:
    """The checkpoint's :class:`CheckpointInfo`, or ``None`` when it has no ``tokenizer.json``."""
    path = Path(folder) / TOKENIZER
    return CheckpointInfo.from_dict(json.loads(path.read_text())) if path.exists() else None


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
