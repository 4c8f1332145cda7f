"""A preallocated key/value cache per attention layer.

Every cached key keeps its own position, onset and pitch, so callers can place context that is
not contiguous (an earlier section that a chorus restates) and batch songs of different
lengths. It is a ring buffer per batch row: when a row's ring is full, its oldest entries are
overwritten, which is exactly a sliding window because attention reads positions from the
cache, not from buffer order. Each row has its own cursor, and a chunk's padding (``valid``
False) goes to one extra slot that is never valid, so a row that waits while others write
keeps its context exactly as it would alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .attributes import NO_PITCH, TokenAttributes


@dataclass
class LayerCache:
    """Cached keys and values for one layer.

    Attributes (B = batch, H = heads, C = capacity, Dh = head dim; slot C is the padding
    slot, never valid):
        keys, values: ``[B, H, C + 1, Dh]``.
        positions: ``[B, C + 1]`` long, the token index each key stands at.
        onsets: ``[B, C + 1]`` float, onset in beats (NaN: none).
        pitches: ``[B, C + 1]`` long, MIDI pitch (-1: none).
        valid: ``[B, C + 1]`` bool, which slots hold a key.
        cursor: ``[B]`` long, each row's next slot.
        limit: ``[B]`` long, each row's ring size (at most C): rows of one batch keep the
            window they would keep alone.
    """

    keys: torch.Tensor
    values: torch.Tensor
    positions: torch.Tensor
    onsets: torch.Tensor
    pitches: torch.Tensor
    valid: torch.Tensor
    cursor: torch.Tensor
    limit: torch.Tensor

    @classmethod
    def empty(cls, batch: int, heads: int, capacity: int, head_dim: int,
              device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32
              ) -> LayerCache:
        slots = capacity + 1
        return cls(
            keys=torch.zeros(batch, heads, slots, head_dim, device=device, dtype=dtype),
            values=torch.zeros(batch, heads, slots, head_dim, device=device, dtype=dtype),
            positions=torch.zeros(batch, slots, dtype=torch.long, device=device),
            onsets=torch.full((batch, slots), float("nan"), device=device),
            pitches=torch.full((batch, slots), NO_PITCH, dtype=torch.long, device=device),
            valid=torch.zeros(batch, slots, dtype=torch.bool, device=device),
            cursor=torch.zeros(batch, dtype=torch.long, device=device),
            limit=torch.full((batch,), capacity, dtype=torch.long, device=device),
        )

    @property
    def capacity(self) -> int:
        return self.keys.shape[2] - 1

    def write(self, keys: torch.Tensor, values: torch.Tensor, positions: torch.Tensor,
              attributes: TokenAttributes, valid: torch.Tensor) -> None:
        """Store T new entries (``keys``/``values`` ``[B, H, T, Dh]``, the rest ``[B, T]``):
        each row's valid entries go to its next slots in order, its padding nowhere; a row
        given more entries than its ring holds keeps the latest."""
        batch, heads, steps, _ = keys.shape
        if steps == 1:  # a decoding step: each row's one entry to its cursor, or nowhere
            kept = valid
            slots = torch.where(valid, self.cursor[:, None], self.capacity)  # [B, 1]
            advance = valid[:, 0].long()
        else:
            count = valid.long().sum(1)  # [B]
            dropped = (count - self.limit).clamp(min=0)  # the oldest that do not fit
            order = valid.long().cumsum(1) - 1 - dropped[:, None]  # index among those kept
            kept = valid & (order >= 0)
            slots = torch.where(kept, (self.cursor[:, None] + order) % self.limit[:, None],
                                torch.full_like(order, self.capacity))  # [B, T]
            advance = count - dropped
        spread = slots[:, None, :, None].expand(batch, heads, steps, keys.shape[3])
        self.keys.scatter_(2, spread, keys.to(self.keys.dtype))
        self.values.scatter_(2, spread, values.to(self.values.dtype))
        self.positions.scatter_(1, slots, positions)
        self.onsets.scatter_(1, slots, attributes.onsets.float())
        self.pitches.scatter_(1, slots, attributes.pitches)
        self.valid.scatter_(1, slots, kept)  # (the padding slot only ever gets False)
        self.cursor.copy_((self.cursor + advance) % self.limit)  # in place: views

    def rows(self, start: int, stop: int) -> LayerCache:
        """Rows ``start:stop`` as a cache of views: writing to it writes to this one (one
        song's long chunk runs alone, without the batch's other rows)."""
        return LayerCache(*(getattr(self, name)[start:stop] for name in (
            "keys", "values", "positions", "onsets", "pitches", "valid", "cursor", "limit")))

    def select(self, rows: torch.Tensor) -> None:
        """Keep batch rows ``rows`` in that order (repeats copy a row: one song's context
        handed to several takes, or the best take's to every row of its song)."""
        rows = rows.to(self.keys.device)
        for name in ("keys", "values", "positions", "onsets", "pitches", "valid", "cursor",
                     "limit"):
            setattr(self, name, getattr(self, name).index_select(0, rows))

    def clear(self, start: int, stop: int) -> None:
        """Empty rows ``start:stop`` (a new song takes them)."""
        self.valid[start:stop] = False
        self.cursor[start:stop] = 0

    def reset(self) -> None:
        self.valid.zero_()
        self.cursor.zero_()
