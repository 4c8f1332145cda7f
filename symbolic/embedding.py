"""Fundamental Music Embeddings (Guo, Kang and Herremans, AAAI 2023) for pitch, duration and
onset, summed with the token embedding.

FME maps a scalar f to ``[sin(w_k f) + b_k, cos(w_k f) + b'_k]`` with ``w_k = base^(-2k/D)``
and learned biases b, b'. Adding an interval Δ rotates every (sin, cos) pair by ``w_k Δ``, so
equal intervals are equal transformations wherever they start. Tokens without the attribute
contribute nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .attributes import NO_PITCH, TokenAttributes


@dataclass(frozen=True)
class EmbeddingConfig:
    """Token embedding plus switchable FMEs."""

    vocab_size: int
    dim: int = 256
    pitch_fme: bool = False
    duration_fme: bool = False
    onset_fme: bool = False
    pitch_base: float = 10000.0
    duration_base: float = 1000.0
    onset_base: float = 10000.0

    def to_dict(self) -> dict:
        return asdict(self)


class FundamentalMusicEmbedding(nn.Module):
    """FME of one scalar attribute, ``[B, T] -> [B, T, D]``."""

    def __init__(self, dim: int, base: float) -> None:
        super().__init__()
        if dim % 2:
            raise ValueError(f"FME needs an even width, got {dim}")
        frequencies = base ** (-torch.arange(0, dim, 2, dtype=torch.float32) / dim)
        self.register_buffer("frequencies", frequencies, persistent=False)  # (D/2,)
        self.sin_bias = nn.Parameter(torch.zeros(dim // 2))
        self.cos_bias = nn.Parameter(torch.zeros(dim // 2))
        self.project = nn.Linear(dim, dim, bias=False)

    def raw(self, values: torch.Tensor) -> torch.Tensor:
        """The unprojected ``[sin + b, cos + b']`` features, ``[B, T, D]``."""
        angles = values[..., None].float() * self.frequencies  # (B, T, D/2)
        return torch.cat([torch.sin(angles) + self.sin_bias, torch.cos(angles) + self.cos_bias],
                         dim=-1)

    def forward(self, values: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
        raw = self.raw(torch.where(present, values, 0))
        features = self.project(raw.to(self.project.weight.dtype))  # half models too
        return features * present[..., None]


class MusicEmbedding(nn.Module):
    """Token embedding + FME(pitch) + FME(duration) + FME(onset), each switchable."""

    def __init__(self, config: EmbeddingConfig) -> None:
        super().__init__()
        self.config = config
        self.tokens = nn.Embedding(config.vocab_size, config.dim)
        self.pitch = FundamentalMusicEmbedding(config.dim, config.pitch_base) \
            if config.pitch_fme else None
        self.duration = FundamentalMusicEmbedding(config.dim, config.duration_base) \
            if config.duration_fme else None
        self.onset = FundamentalMusicEmbedding(config.dim, config.onset_base) \
            if config.onset_fme else None

    def forward(self, tokens: torch.Tensor, attributes: TokenAttributes) -> torch.Tensor:
        """``[B, T]`` ids and their attributes -> ``[B, T, D]``."""
        pitches, onsets, durations = attributes.pitches, attributes.onsets, attributes.durations
        out = self.tokens(tokens)
        if self.pitch is not None:
            out = out + self.pitch(pitches.float(), pitches != NO_PITCH)
        if self.duration is not None:
            out = out + self.duration(durations, ~torch.isnan(durations))
        if self.onset is not None:
            out = out + self.onset(onsets, ~torch.isnan(onsets))
        return out
