"""A preallocated key/value cache per attention layer.

Every cached key keeps its own position, onset and pitch, so callers can place context that is
not contiguous (an earlier section that a chorus restates) and batch songs of different
lengths. It is a ring buffer: when full, the oldest entries are overwritten, which is exactly a
sliding window because attention reads positions from the cache, not from buffer order.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .attributes import NO_PITCH, TokenAttributes


@dataclass
class LayerCache:
    """Cached keys and values for one layer.

    Attributes (B = batch, H = heads, C = capacity, Dh = head dim):
        keys, values: ``[B, H, C, Dh]``.
        positions: ``[B, C]`` long, the token index each key stands at.
        onsets: ``[B, C]`` float, onset in beats (NaN: none).
        pitches: ``[B, C]`` long, MIDI pitch (-1: none).
        valid: ``[B, C]`` bool, which slots hold a key.
        cursor: next slot to write (shared by the batch).
    """

    keys: torch.Tensor
    values: torch.Tensor
    positions: torch.Tensor
    onsets: torch.Tensor
    pitches: torch.Tensor
    valid: torch.Tensor
    cursor: int = 0

    @classmethod
    def empty(cls, batch: int, heads: int, capacity: int, head_dim: int,
              device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32
              ) -> LayerCache:
        return cls(
            keys=torch.zeros(batch, heads, capacity, head_dim, device=device, dtype=dtype),
            values=torch.zeros(batch, heads, capacity, head_dim, device=device, dtype=dtype),
            positions=torch.zeros(batch, capacity, dtype=torch.long, device=device),
            onsets=torch.full((batch, capacity), float("nan"), device=device),
            pitches=torch.full((batch, capacity), NO_PITCH, dtype=torch.long, device=device),
            valid=torch.zeros(batch, capacity, dtype=torch.bool, device=device),
        )

    @property
    def capacity(self) -> int:
        return self.keys.shape[2]

    def write(self, keys: torch.Tensor, values: torch.Tensor, positions: torch.Tensor,
              attributes: TokenAttributes, valid: torch.Tensor) -> None:
        """Store T new entries (``keys``/``values`` ``[B, H, T, Dh]``, the rest ``[B, T]``)."""
        steps = keys.shape[2]
        if steps > self.capacity:
            raise ValueError(f"a chunk of {steps} tokens does not fit a cache of "
                             f"{self.capacity}")
        slots = (torch.arange(steps, device=keys.device) + self.cursor) % self.capacity
        self.keys[:, :, slots] = keys.to(self.keys.dtype)
        self.values[:, :, slots] = values.to(self.values.dtype)
        self.positions[:, slots] = positions
        self.onsets[:, slots] = attributes.onsets.float()
        self.pitches[:, slots] = attributes.pitches
        self.valid[:, slots] = valid
        self.cursor = (self.cursor + steps) % self.capacity

    def reset(self) -> None:
        self.valid.zero_()
        self.cursor = 0
