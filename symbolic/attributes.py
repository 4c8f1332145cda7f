"""The pitch, onset and duration every token stands for, as one typed object that travels
through the embedding, the attention, the cache, training batches and generation by name (so
two tensors can never be swapped by position)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch

NO_PITCH = -1


@dataclass(frozen=True)
class TokenAttributes:
    """Per-token attributes, each ``[B, T]``.

    Attributes:
        pitches: long MIDI pitch (``NO_PITCH``: none).
        onsets: float onset in beats (quarter notes; NaN: none).
        durations: float duration in beats (NaN: none).
    """

    pitches: torch.Tensor
    onsets: torch.Tensor
    durations: torch.Tensor

    @classmethod
    def none(cls, batch: int, steps: int, device: torch.device | str = "cpu"
             ) -> TokenAttributes:
        """Tokens that stand for no note: no pitch, onset or duration."""
        nan = torch.full((batch, steps), float("nan"), device=device)
        return cls(torch.full((batch, steps), NO_PITCH, dtype=torch.long, device=device),
                   nan, nan)

    @classmethod
    def of_sequence(cls, pitches, onsets, durations, device: torch.device | str = "cpu"
                    ) -> TokenAttributes:
        """One sequence's attributes (lists or arrays of length T) as a batch of one."""
        return cls(torch.as_tensor(np.asarray(pitches), dtype=torch.long, device=device)[None],
                   torch.as_tensor(np.asarray(onsets), dtype=torch.float32, device=device)[None],
                   torch.as_tensor(np.asarray(durations), dtype=torch.float32,
                                   device=device)[None])

    @classmethod
    def from_batch(cls, batch: Mapping[str, torch.Tensor]) -> TokenAttributes:
        """The ``pitches``, ``onsets`` and ``durations`` entries of a training batch."""
        return cls(batch["pitches"], batch["onsets"], batch["durations"])

    def span(self, start: int, end: int) -> TokenAttributes:
        """Tokens ``start:end`` of every row."""
        return TokenAttributes(self.pitches[:, start:end], self.onsets[:, start:end],
                               self.durations[:, start:end])
