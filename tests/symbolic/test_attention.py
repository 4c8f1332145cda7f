"""Relative attention: skew and gather equal a plain O(L²) reference, with and without RIPO."""

from __future__ import annotations

import math

import pytest
import torch

from songform.symbolic.attention import (
    AttentionConfig,
    CausalSelfAttention,
    onset_buckets,
    pitch_buckets,
    relative_buckets,
    skew,
)
from songform.symbolic.attributes import TokenAttributes
from songform.symbolic.embedding import ONSET_FREQUENCIES, PITCH_FREQUENCIES, sinusoids


def _inputs(batch=2, length=12, dim=16, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, length, dim, generator=generator)
    positions = torch.arange(length).expand(batch, length)
    pitches = torch.randint(50, 80, (batch, length), generator=generator)
    pitches[:, 3] = -1
    onsets = torch.cumsum(torch.randint(0, 3, (batch, length), generator=generator), 1) / 4
    onsets[:, 5] = float("nan")
    return x, positions, onsets.float(), pitches


def _attributes(onsets, pitches) -> TokenAttributes:
    return TokenAttributes(pitches, onsets, torch.full_like(onsets, float("nan")))


def reference(attention: CausalSelfAttention, x, positions, onsets, pitches, window=None):
    """Shaw-style attention: materialise every relative embedding, [B, H, L, L, Dh]."""
    config = attention.config
    batch, length, _ = x.shape
    q, k, v = attention.qkv(x).split(config.dim, dim=2)
    shape = (batch, length, config.heads, config.head_dim)
    q, k, v = (t.view(shape).transpose(1, 2) for t in (q, k, v))
    logits = torch.einsum("bhid,bhjd->bhij", q, k)
    if config.relative:
        index = relative_buckets(positions, positions, config.max_relative)
        table = attention.rel[:, index].permute(1, 0, 2, 3, 4)  # (B, H, L, L, Dh)
        logits = logits + torch.einsum("bhid,bhijd->bhij", q, table)
    if config.ripo:  # each pair's interval sinusoid through the map, computed directly
        interval = (pitches[:, :, None] - pitches[:, None, :]).clamp(-config.pitch_range,
                                                                      config.pitch_range)
        no_pitch = (pitches[:, :, None] < 0) | (pitches[:, None, :] < 0)
        steps = torch.round((onsets[:, :, None] - onsets[:, None, :])
                            * config.onset_resolution).clamp(0, config.onset_buckets - 1)
        no_onset = torch.isnan(steps)
        for project, values, frequencies, missing in (
            (attention.rel_pitch, interval, PITCH_FREQUENCIES, no_pitch),
            (attention.rel_onset, torch.nan_to_num(steps) / config.onset_resolution,
             ONSET_FREQUENCIES, no_onset),
        ):
            rows = project(sinusoids(values, torch.tensor(frequencies)))  # (B, L, L, D)
            rows = rows.masked_fill(missing[..., None], 0.0)
            rows = rows.view(batch, length, length, config.heads, config.head_dim)
            logits = logits + torch.einsum("bhid,bijhd->bhij", q, rows)
    distance = positions[:, :, None] - positions[:, None, :]
    allowed = distance >= 0
    if window is not None:
        allowed &= distance < window
    logits = (logits / math.sqrt(config.head_dim)).masked_fill(~allowed[:, None], -math.inf)
    out = torch.softmax(logits, -1) @ v
    return attention.out(out.transpose(1, 2).reshape(batch, length, config.dim))


def test_skew_moves_distances_to_key_columns():
    length = 5
    rel = torch.arange(length, dtype=torch.float32).expand(1, 1, length, length)  # col m
    skewed = skew(rel)
    for i in range(length):
        for j in range(i + 1):
            assert skewed[0, 0, i, j] == (length - 1) - (i - j)


@pytest.mark.parametrize("ripo", [False, True])
@pytest.mark.parametrize("max_relative", [4, 64])
def test_relative_attention_equals_reference(ripo, max_relative):
    torch.manual_seed(0)
    attention = CausalSelfAttention(AttentionConfig(dim=16, heads=4, ripo=ripo,
                                                    max_relative=max_relative, pitch_range=12))
    if ripo:  # the maps start at zero; give them weights so the terms count
        for project in (attention.rel_pitch, attention.rel_onset):
            torch.nn.init.normal_(project.weight, std=0.3)
            torch.nn.init.normal_(project.bias, std=0.3)
    x, positions, onsets, pitches = _inputs()
    expected = reference(attention, x, positions, onsets, pitches)
    fast = attention(x, positions, _attributes(onsets, pitches))  # skew path
    assert torch.allclose(fast, expected, atol=1e-5)
    shuffled = positions + 7  # still contiguous: skew; distances unchanged
    assert torch.allclose(attention(x, shuffled, _attributes(onsets, pitches)), expected, atol=1e-5)
    gaps = positions * 3  # not contiguous: the gather path
    assert torch.allclose(attention(x, gaps, _attributes(onsets, pitches)),
                          reference(attention, x, gaps, onsets, pitches), atol=1e-5)
    banded = reference(attention, x, positions, onsets, pitches, window=5)
    assert torch.allclose(attention(x, positions, _attributes(onsets, pitches), window=5), banded,
                          atol=1e-5)


def test_buckets():
    pitches = torch.tensor([[60, 67, -1, 40]])
    buckets = pitch_buckets(pitches, pitches, 12)
    assert buckets[0, 1, 0] == 12 + 7 and buckets[0, 3, 0] == 0 and buckets[0, 2, 0] == 25
    onsets = torch.tensor([[0.0, 0.25, float("nan"), 100.0]])
    steps = onset_buckets(onsets, onsets, 16, 4)
    assert steps[0, 1, 0] == 1 and steps[0, 3, 0] == 15 and steps[0, 2, 1] == 16
