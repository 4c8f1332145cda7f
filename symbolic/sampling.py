"""Sampling filters: small pure functions over one step's logits, composed in a fixed order
(plan guidance, grammar, temperature, softmax, nucleus) before one draw. Each is tested alone.
"""

from __future__ import annotations

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


def with_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """``logits / temperature`` (above 1 flattens, below 1 sharpens)."""
    return logits / temperature


def top_p(probabilities: torch.Tensor, mass: float) -> torch.Tensor:
    """The nucleus: the most likely tokens whose probabilities reach ``mass`` (the first is
    always kept), the rest set to 0; not renormalised (the draw normalises)."""
    if mass >= 1:
        return probabilities
    ordered, order = probabilities.sort(descending=True)
    keep = ordered.cumsum(0) - ordered < mass
    return torch.zeros_like(probabilities).scatter(0, order[keep], ordered[keep])


def draw(probabilities: torch.Tensor, generator: torch.Generator) -> int:
    """One token id drawn in proportion to ``probabilities`` (on the CPU, so a seed gives the
    same draw on any device)."""
    return int(torch.multinomial(probabilities.cpu(), 1, generator=generator))


def sample(logits: torch.Tensor, allowed: torch.Tensor, generator: torch.Generator, *,
           temperature: float = 1.0, nucleus: float = 1.0) -> int:
    """The filters in order (grammar, temperature, softmax, nucleus), then one draw."""
    scaled = restrict(with_temperature(logits, temperature), allowed)
    return draw(top_p(torch.softmax(scaled, dim=-1), nucleus), generator)
