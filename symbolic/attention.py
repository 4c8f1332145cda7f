"""Causal self-attention with relative position logits (Huang et al. 2018) and RIPO terms
(Guo, Kang and Herremans 2023).

Logits between query i and key j, per head:

    (q_i · k_j + q_i · E_rel[d_ij] + q_i · P(p_i - p_j) + q_i · O(o_i - o_j)) / sqrt(Dh)

with d_ij = pos_i - pos_j clipped to ``max_relative - 1``. As in the authors' RIPO, the pitch
and onset terms are linear maps of the interval's sinusoid (the same frequencies as the FMEs in
embedding.py: the octave's harmonics, so intervals mod 12 are read exactly, plus register),
not free tables; the maps start at zero, so at step 0 the attention is relative attention.
Intervals are clipped to ±``pitch_range``, onset differences to ``onset_buckets`` steps; a
pair where either side has no pitch (or onset) gets no term. None of the relative terms
materialises an L×L×D tensor:

- full sequences of contiguous positions use Huang's *skew*: ``Q·E_relᵀ`` is ``[Lq, Lk]`` and a
  pad-reshape-slice moves each entry to its key column (O(L·D) extra memory);
- queries against a cache (explicit, possibly non-contiguous positions) compute ``Q·Eᵀ`` per
  bucket, ``[Lq, buckets]``, then gather by each pair's bucket index; RIPO always does this.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .attributes import NO_PITCH, TokenAttributes
from .cache import LayerCache
from .embedding import ONSET_FREQUENCIES, PITCH_FREQUENCIES, sinusoids, zero_linear


@dataclass(frozen=True)
class AttentionConfig:
    """Attention settings.

    Args:
        dim: model width D.
        heads: attention heads H (D divisible by H).
        relative: add learned relative-position logits (Huang et al.).
        ripo: add pitch-interval and onset-difference logits (Guo et al.).
        max_relative: relative distances at or beyond this share one embedding.
        pitch_range: pitch intervals are clipped to ±pitch_range semitones (+1 bucket: none).
        onset_buckets: onset differences in steps of ``1 / onset_resolution`` beats, clipped
            (+1 bucket: none).
        onset_resolution: onset steps per beat.
        dropout: attention dropout.
    """

    dim: int = 256
    heads: int = 8
    relative: bool = True
    ripo: bool = False
    max_relative: int = 512
    pitch_range: int = 36
    onset_buckets: int = 64
    onset_resolution: int = 4
    dropout: float = 0.0

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    def to_dict(self) -> dict:
        return asdict(self)


def skew(rel_logits: torch.Tensor) -> torch.Tensor:
    """Huang et al.'s skew: ``[B, H, L, L]`` logits against distances ``L-1 .. 0`` (column m is
    distance ``L-1-m``) become logits against keys (column j is key j).

    Row i, column j of the result holds row i's entry for distance i - j (valid for j <= i;
    the rest is masked later). Three steps: pad one column on the left, view as
    ``[L+1, L]``, drop the first row.
    """
    batch, heads, length, _ = rel_logits.shape
    padded = F.pad(rel_logits, (1, 0))  # (B, H, L, L+1)
    return padded.reshape(batch, heads, length + 1, length)[:, :, 1:, :]  # (B, H, L, L)


def relative_buckets(q_pos: torch.Tensor, k_pos: torch.Tensor, max_relative: int
                     ) -> torch.Tensor:
    """Clipped distances ``[B, Lq, Lk]`` (negative distances, masked anyway, clip to 0)."""
    return (q_pos[:, :, None] - k_pos[:, None, :]).clamp(0, max_relative - 1)


def pitch_buckets(q_pitch: torch.Tensor, k_pitch: torch.Tensor, pitch_range: int
                  ) -> torch.Tensor:
    """Bucketed pitch intervals ``[B, Lq, Lk]``; bucket ``2 * range + 1`` means no pitch."""
    interval = (q_pitch[:, :, None] - k_pitch[:, None, :]).clamp(-pitch_range, pitch_range)
    missing = (q_pitch[:, :, None] == NO_PITCH) | (k_pitch[:, None, :] == NO_PITCH)
    return torch.where(missing, torch.full_like(interval, 2 * pitch_range + 1),
                       interval + pitch_range)


def onset_buckets(q_onset: torch.Tensor, k_onset: torch.Tensor, buckets: int,
                  resolution: int) -> torch.Tensor:
    """Bucketed onset differences ``[B, Lq, Lk]`` in ``1/resolution`` beats; last bucket:
    none."""
    difference = q_onset[:, :, None] - k_onset[:, None, :]
    steps = torch.round(difference * resolution).clamp(0, buckets - 1)
    missing = torch.isnan(difference)
    return torch.where(missing, torch.full_like(steps, buckets), steps).long()


def gather_logits(q: torch.Tensor, table: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``q·table[index]`` without materialising ``table[index]``.

    Args:
        q: ``[B, H, Lq, Dh]``; table: ``[H, N, Dh]``; index: ``[B, Lq, Lk]`` in ``[0, N)``.

    Returns:
        ``[B, H, Lq, Lk]``.
    """
    per_bucket = torch.einsum("bhqd,hnd->bhqn", q, table)  # (B, H, Lq, N)
    expanded = index[:, None].expand(-1, q.shape[1], -1, -1)  # (B, H, Lq, Lk)
    return torch.gather(per_bucket, 3, expanded)


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention with optional relative and RIPO logits."""

    def __init__(self, config: AttentionConfig) -> None:
        super().__init__()
        if config.dim % config.heads:
            raise ValueError(f"dim {config.dim} is not divisible by heads {config.heads}")
        self.config = config
        self.qkv = nn.Linear(config.dim, 3 * config.dim)
        self.out = nn.Linear(config.dim, config.dim)
        self.dropout = nn.Dropout(config.dropout)
        dh = config.head_dim
        if config.relative:  # index m is distance m
            self.rel = nn.Parameter(torch.randn(config.heads, config.max_relative, dh) * 0.02)
        if config.ripo:
            intervals = torch.arange(-config.pitch_range, config.pitch_range + 1)
            steps = torch.arange(config.onset_buckets) / config.onset_resolution
            self.register_buffer("pitch_features", sinusoids(
                intervals, torch.tensor(PITCH_FREQUENCIES)), persistent=False)
            self.register_buffer("onset_features", sinusoids(
                steps, torch.tensor(ONSET_FREQUENCIES)), persistent=False)
            self.rel_pitch = zero_linear(self.pitch_features.shape[1], config.dim)
            self.rel_onset = zero_linear(self.onset_features.shape[1], config.dim)
        self._tables: dict = {}  # decoding's tables (see _table and _ripo_table)

    def forward(self, x: torch.Tensor, positions: torch.Tensor, attributes: TokenAttributes,
                valid: torch.Tensor | None = None, cache: LayerCache | None = None,
                window: int | None = None, relations: dict | None = None) -> torch.Tensor:
        """Attend causally.

        Args:
            x: ``[B, T, D]``.
            positions: ``[B, T]`` long token indices.
            attributes: the tokens' pitches and onsets (RIPO); durations are not used here.
            valid: ``[B, T]`` bool (padding is False).
            cache: this layer's cache: a single new key is written into it first, a chunk
                attends to the cache and to itself and is written after (so a ring of the
                window's size serves a chunk of any length).
            window: keys ``window`` or more positions back are masked (a sliding window).
            relations: one forward's memo shared by its layers: the query-key bucket
                indices and mask depend only on positions, pitches and onsets, which every
                layer (and every layer's cache) holds alike, so the first layer computes
                them and the others reuse them.

        Returns:
            ``[B, T, D]``.
        """
        batch, steps, _ = x.shape
        heads, dh = self.config.heads, self.config.head_dim
        if valid is None:
            valid = torch.ones(batch, steps, dtype=torch.bool, device=x.device)
        q, k, v = self.qkv(x).split(self.config.dim, dim=2)
        q = q.view(batch, steps, heads, dh).transpose(1, 2) / math.sqrt(dh)  # (B, H, T, Dh)
        k = k.view(batch, steps, heads, dh).transpose(1, 2)  # (B, H, T, Dh)
        v = v.view(batch, steps, heads, dh).transpose(1, 2)  # (B, H, T, Dh)
        onsets, pitches = attributes.onsets, attributes.pitches
        k_pos, k_onset, k_pitch, k_valid = positions, onsets, pitches, valid
        if cache is not None and steps == 1:  # the new key goes into the ring, then attend
            cache.write(k, v, positions, attributes, valid)
            k, v = cache.keys, cache.values  # (B, H, C, Dh)
            k_pos, k_onset, k_pitch, k_valid = (cache.positions, cache.onsets, cache.pitches,
                                                cache.valid)
        elif cache is not None:  # a chunk sees the ring as it was, then itself, then it is
            new_keys, new_values = k, v  # stored (so a ring of the window's size suffices)
            k, v = torch.cat([cache.keys, k.to(cache.keys.dtype)], 2), \
                torch.cat([cache.values, v.to(cache.values.dtype)], 2)
            k_pos = torch.cat([cache.positions, positions], 1)
            k_onset = torch.cat([cache.onsets, onsets.float()], 1)
            k_pitch = torch.cat([cache.pitches, pitches], 1)
            k_valid = torch.cat([cache.valid, valid], 1)
            cache.write(new_keys, new_values, positions, attributes, valid)
        memo = relations if relations is not None else {}
        if "blocked" not in memo:
            distance = positions[:, :, None] - k_pos[:, None, :]  # (B, T, K)
            allowed = k_valid[:, None, :] & (distance >= 0)
            if window is not None:
                allowed = allowed & (distance < window)
            memo["blocked"] = ~allowed[:, None]  # (B, 1, T, K)
            memo["skew"] = (self.config.relative and cache is None
                            and k_pos.shape[1] == steps and _is_arange(positions))
            memo["index"] = self._bucket_index(distance, memo["skew"], pitches, k_pitch,
                                               onsets, k_onset)
        logits = q @ k.transpose(-2, -1)  # (B, H, T, K)
        if memo["skew"]:
            logits = logits + self._skewed(q)
        if memo["index"] is not None:
            logits = logits + gather_logits(q, self._table(memo["skew"]), memo["index"]) \
                .unflatten(3, (-1, logits.shape[3])).sum(3)
        logits = logits.masked_fill(memo["blocked"], float("-inf"))
        weights = torch.softmax(logits, dim=-1)
        weights = torch.nan_to_num(weights)  # padded queries that see nothing
        out = self.dropout(weights) @ v  # (B, H, T, Dh)
        return self.out(out.transpose(1, 2).reshape(batch, steps, self.config.dim))

    def _bucket_index(self, distance: torch.Tensor, skewed: bool, pitches: torch.Tensor,
                      k_pitch: torch.Tensor, onsets: torch.Tensor, k_onset: torch.Tensor
                      ) -> torch.Tensor | None:
        """``[B, T, n * K]``: each query-key pair's bucket in :meth:`_table`, one block of K
        per term (relative distance unless skewed, pitch interval, onset difference), or
        ``None`` without such terms."""
        blocks, offset = [], 0
        if self.config.relative and not skewed:
            blocks.append(distance.clamp(0, self.config.max_relative - 1))  # relative_buckets
            offset = self.config.max_relative
        if self.config.ripo:
            blocks.append(pitch_buckets(pitches, k_pitch, self.config.pitch_range) + offset)
            offset += 2 * self.config.pitch_range + 2
            blocks.append(onset_buckets(onsets, k_onset, self.config.onset_buckets,
                                        self.config.onset_resolution) + offset)
        return torch.cat(blocks, 2) if blocks else None

    def _table(self, skewed: bool) -> torch.Tensor:
        """``[H, N, Dh]``: the relative table unless skewed, then the RIPO pitch and onset
        tables: the buckets :meth:`_bucket_index` points into. Without gradients (decoding)
        it is kept until a weight changes."""
        sources = ([] if skewed or not self.config.relative else [self.rel]) + (
            [self.rel_pitch.weight, self.rel_pitch.bias, self.rel_onset.weight,
             self.rel_onset.bias] if self.config.ripo else [])
        key = (skewed, *((p._version, p.data_ptr(), p.dtype) for p in sources))
        cached = self._tables.get("table") if not torch.is_grad_enabled() else None
        if cached is not None and cached[0] == key:
            return cached[1]
        parts = [self.rel] if self.config.relative and not skewed else []
        if self.config.ripo:
            parts += [self._ripo_table(self.rel_pitch, self.pitch_features),
                      self._ripo_table(self.rel_onset, self.onset_features)]
        table = torch.cat(parts, 1) if len(parts) > 1 else parts[0]
        if not torch.is_grad_enabled():
            self._tables["table"] = (key, table)
        return table

    def _ripo_table(self, project: nn.Linear, features: torch.Tensor) -> torch.Tensor:
        """``[H, buckets + 1, Dh]``: each bucket's projected sinusoid, then a zero row (the
        "none" bucket). Without gradients (decoding) the table is kept until the weights
        change, so a decoding step does not rebuild it in every layer."""
        key = (project.weight._version, project.bias._version, project.weight.data_ptr(),
               project.weight.dtype)
        cached = self._tables.get(id(project)) if not torch.is_grad_enabled() else None
        if cached is not None and cached[0] == key:
            return cached[1]
        heads, dh = self.config.heads, self.config.head_dim
        rows = project(features.to(project.weight.dtype))  # (N, D)
        rows = torch.cat([rows, rows.new_zeros(1, rows.shape[1])])
        table = rows.view(-1, heads, dh).transpose(0, 1)
        if not torch.is_grad_enabled():
            self._tables[id(project)] = (key, table)
        return table

    def _skewed(self, q: torch.Tensor) -> torch.Tensor:
        """Relative logits of a full sequence of contiguous positions, by Huang's skew."""
        length = q.shape[2]
        distances = torch.arange(length - 1, -1, -1, device=q.device)  # L-1 .. 0
        table = self.rel[:, distances.clamp(max=self.config.max_relative - 1)]  # (H, L, Dh)
        return skew(torch.einsum("bhqd,hld->bhql", q, table))


def _is_arange(positions: torch.Tensor) -> bool:
    """Whether every row is ``p0, p0 + 1, ...`` (so distances depend on i - j only)."""
    if positions.shape[1] < 2:
        return True
    steps = positions[:, 1:] - positions[:, :-1]
    return bool((steps == 1).all())
