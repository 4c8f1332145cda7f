"""Sampling filters: small pure functions over one step's logits, composed in a fixed order
(plan guidance, grammar, temperature, softmax, nucleus) before one draw. Each is tested alone.
"""

from __future__ import annotations

import numpy as np
import torch


def add_bias(logits: torch.Tensor, ids: torch.Tensor, bias: float) -> torch.Tensor:
    """``logits`` with ``bias`` added at ``ids`` (plan guidance: the sounding chord's pitches).

    Args:
        logits: ``[V]``. ids: long token ids. bias: added to each of them.
    """
    if not bias or ids.numel() == 0:
        return logits
    guided = logits.clone()
    guided[ids.to(logits.device)] += bias
    return guided


def add_ramp(logits: torch.Tensor, ids: torch.Tensor, values: torch.Tensor, slope: float
             ) -> torch.Tensor:
    """``logits`` with ``slope * values`` added at ``ids`` (a tilt toward higher ``values``
    when ``slope`` is positive: the chorus lift toward a higher register).

    Args:
        logits: ``[V]``. ids: long token ids. values: float, one per id. slope: the tilt.
    """
    if not slope or ids.numel() == 0:
        return logits
    tilted = logits.clone()
    tilted[ids.to(logits.device)] += slope * values.to(logits.device, logits.dtype)
    return tilted


def restrict(logits: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
    """``logits`` where ``allowed`` (``[V]`` bool), ``-inf`` elsewhere."""
    return torch.where(allowed.to(logits.device), logits,
                       torch.full_like(logits, float("-inf")))


def with_temperature(logits: torch.Tensor | np.ndarray, temperature: float
                     ) -> torch.Tensor | np.ndarray:
    """``logits / temperature`` (above 1 flattens, below 1 sharpens)."""
    return logits / temperature


def top_p(probabilities: np.ndarray, mass: float) -> np.ndarray:
    """The nucleus: indices of the most likely entries whose probabilities reach ``mass``
    (the first always kept), most likely first; ``mass`` 1 keeps every entry, in order."""
    if mass >= 1:
        return np.arange(len(probabilities))
    order = np.argsort(-probabilities, kind="stable")
    ordered = probabilities[order]
    return order[np.cumsum(ordered) - ordered < mass]


def draw(probabilities: np.ndarray, generator: torch.Generator) -> int:
    """One index drawn in proportion to ``probabilities`` (not necessarily normalised): the
    inverse of their cumulative sum at one uniform number from ``generator`` (on the CPU, so
    a seed gives the same draw on any device)."""
    cumulative = np.cumsum(probabilities, dtype=np.float64)
    point = float(torch.rand((), generator=generator, dtype=torch.float64)) * cumulative[-1]
    return min(int(np.searchsorted(cumulative, point, side="right")), len(cumulative) - 1)


def sample(logits: torch.Tensor, allowed: torch.Tensor, generator: torch.Generator, *,
           temperature: float = 1.0, nucleus: float = 1.0) -> int:
    """The filters in order (grammar, temperature, softmax, nucleus), then one draw: on the
    allowed tokens only, in NumPy (a decoding step samples one token per row, and torch's
    per-call overhead on 831 logits was most of a token's sampling time)."""
    candidates = np.flatnonzero(allowed.cpu().numpy())
    scaled = with_temperature(logits.detach().cpu().numpy()[candidates].astype(np.float64),
                              temperature)
    probabilities = np.exp(scaled - scaled.max())
    probabilities /= probabilities.sum()
    kept = top_p(probabilities, nucleus)
    return int(candidates[kept[draw(probabilities[kept], generator)]])
