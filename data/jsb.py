"""JSB chorales (Boulanger-Lewandowski's 16th-note split) serialised as the Music Transformer
paper did: at every sixteenth step the four voices in SATB order, one token per voice.

Token ids: 0 = start of window, 1 = silence, 2 + (pitch - 36) for MIDI pitches 36-81. Every
token carries its pitch (or none for silence and start) and its onset in beats (a beat is a
quarter note, a step a sixteenth); the token's duration is one step.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

START, SILENCE, LOWEST = 0, 1, 36
VOCAB_SIZE = 2 + (81 - LOWEST + 1)
VOICES = 4
STEP_BEATS = 0.25


def load_jsb(path: str | Path) -> dict[str, list[np.ndarray]]:
    """Chorales per split, each ``[steps, 4]`` MIDI pitches (-1: silence)."""
    data = json.loads(Path(path).read_text())
    return {split: [np.asarray(chorale, dtype=np.int64).reshape(-1, VOICES)
                    for chorale in data[split]] for split in ("train", "valid", "test")}


def serialise(chorale: np.ndarray) -> dict[str, np.ndarray]:
    """Tokens, pitches, onsets and durations of a chorale, one token per voice per step."""
    pitches = chorale.reshape(-1)
    tokens = np.where(pitches < 0, SILENCE, 2 + pitches - LOWEST)
    steps = np.repeat(np.arange(len(chorale)), VOICES)
    return {"tokens": tokens, "pitches": np.where(pitches < 0, -1, pitches),
            "onsets": steps * STEP_BEATS, "durations": np.full(len(tokens), STEP_BEATS)}


class JsbWindows(Dataset):
    """Windows of ``length`` tokens (starting on a step), each after a start token.

    ``random_crops`` draws a fresh crop per access (training); otherwise the chorales are cut
    into consecutive windows that cover every token once (evaluation).
    """

    def __init__(self, chorales: list[np.ndarray], length: int = 256,
                 random_crops: bool = False, seed: int = 0, crops_per_epoch: int = 2000):
        if length % VOICES:
            raise ValueError(f"window length must be a multiple of {VOICES}")
        self.series = [serialise(c) for c in chorales]
        self.length = length
        self.random_crops = random_crops
        self.rng = np.random.default_rng(seed)
        self.crops_per_epoch = crops_per_epoch
        self.windows = [(i, start) for i, s in enumerate(self.series)
                        for start in range(0, len(s["tokens"]), length)]

    def __len__(self) -> int:
        return self.crops_per_epoch if self.random_crops else len(self.windows)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        if self.random_crops:
            series = self.series[int(self.rng.integers(len(self.series)))]
            steps = max(1, (len(series["tokens"]) - self.length) // VOICES + 1)
            start = int(self.rng.integers(steps)) * VOICES
        else:
            chorale, start = self.windows[index]
            series = self.series[chorale]
        end = start + self.length
        onset0 = float(series["onsets"][start])
        item = {
            "tokens": np.concatenate([[START], series["tokens"][start:end]]),
            "pitches": np.concatenate([[-1], series["pitches"][start:end]]),
            "onsets": np.concatenate([[np.nan], series["onsets"][start:end] - onset0]),
            "durations": np.concatenate([[np.nan], series["durations"][start:end]]),
        }
        return {k: torch.as_tensor(v, dtype=torch.long if k in ("tokens", "pitches")
                                   else torch.float32) for k, v in item.items()}
