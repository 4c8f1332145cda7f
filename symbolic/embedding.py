"""Fundamental Music Embeddings (Guo, Kang and Herremans, AAAI 2023) for pitch, duration and
onset, added to the token embedding through zero-initialised projections.

An FME maps a scalar f to ``[sin(w_k f), cos(w_k f)]``; adding an interval Δ rotates every
(sin, cos) pair by ``w_k Δ``, so equal intervals are equal transformations wherever they start.
Which frequencies matters (bench/RESULTS.md, "The card's embeddings, rebuilt"): the
authors' base-10000 ladder has no feature that repeats at the octave, and a model fed it
did not learn tonality. Ours:

- pitch: the octave's six harmonics ``2πm/12`` (a complete basis of the twelve pitch classes,
  so a linear map reads the pitch class exactly) plus four slow register frequencies
  (periods of 2, 4, 8 and 16 octaves), so an octave lies closer than a semitone;
- duration: ``log2`` of the duration in beats at frequencies ``2^-k`` (equal ratios, equal
  rotations: a dotted note is the same step from every note value);
- onset: periods of the metrical grid, half a beat to sixteen beats (where in the beat and
  the bar a note falls).

The frequencies are fixed buffers. Each FME reaches the model through a linear projection
whose weights start at zero: at step 0 the embedding is the token embedding, and the FME
cannot drown it (the first design added FMEs about 8x the token rows' norm). Tokens without
the attribute contribute nothing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from .attributes import NO_PITCH, TokenAttributes

OCTAVE_HARMONICS = tuple(2 * math.pi * m / 12 for m in range(1, 7))
REGISTER = tuple(2 * math.pi / (12 * 2 ** k) for k in range(1, 5))
PITCH_FREQUENCIES = OCTAVE_HARMONICS + REGISTER
DURATION_FREQUENCIES = tuple(2.0 ** -k for k in range(0, 6))  # on log2(beats)
ONSET_FREQUENCIES = tuple(2 * math.pi / period for period in (0.5, 1, 2, 3, 4, 8, 16))


@dataclass(frozen=True)
class EmbeddingConfig:
    """Token embedding plus switchable FMEs."""

    vocab_size: int
    dim: int = 256
    pitch_fme: bool = False
    duration_fme: bool = False
    onset_fme: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def zero_linear(inputs: int, outputs: int) -> nn.Linear:
    """A linear map whose weights and bias start (and stay, through the model's init) at
    zero."""
    linear = nn.Linear(inputs, outputs)
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    linear.zero_init = True
    return linear


def sinusoids(values: torch.Tensor, frequencies: torch.Tensor) -> torch.Tensor:
    """``[..., 2K]``: ``sin`` then ``cos`` of ``values * frequencies``."""
    angles = values[..., None].float() * frequencies
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)


class FundamentalMusicEmbedding(nn.Module):
    """FME of one scalar attribute, ``[B, T] -> [B, T, D]``, through a zero-initialised
    projection (``transform`` maps the attribute first, e.g. ``log2`` for durations)."""

    def __init__(self, dim: int, frequencies: tuple[float, ...], log2: bool = False) -> None:
        super().__init__()
        self.register_buffer("frequencies", torch.tensor(frequencies, dtype=torch.float32),
                             persistent=False)
        self.log2 = log2
        self.project = zero_linear(2 * len(frequencies), dim)

    def raw(self, values: torch.Tensor) -> torch.Tensor:
        """The unprojected sinusoid features ``[..., 2K]``."""
        values = values.float()
        if self.log2:
            values = torch.log2(values.clamp(min=1e-3))
        return sinusoids(values, self.frequencies)

    def forward(self, values: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
        raw = self.raw(torch.where(present, values, torch.ones_like(values)))
        features = self.project(raw.to(self.project.weight.dtype))  # half models too
        return features * present[..., None]


class MusicEmbedding(nn.Module):
    """Token embedding + FME(pitch) + FME(duration) + FME(onset), each switchable."""

    def __init__(self, config: EmbeddingConfig) -> None:
        super().__init__()
        self.config = config
        self.tokens = nn.Embedding(config.vocab_size, config.dim)
        self.pitch = FundamentalMusicEmbedding(config.dim, PITCH_FREQUENCIES) \
            if config.pitch_fme else None
        self.duration = FundamentalMusicEmbedding(config.dim, DURATION_FREQUENCIES, log2=True) \
            if config.duration_fme else None
        self.onset = FundamentalMusicEmbedding(config.dim, ONSET_FREQUENCIES) \
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
