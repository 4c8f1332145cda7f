"""What the model is given and never samples: each bar's plan tokens (:func:`plan_skeleton`),
checked against the vocabulary before any decoding, and the token ids plan guidance steers
(the pitches of a chord's tones, the pitch ramp the energy tilts)."""

from __future__ import annotations

import torch

from songform.core.errors import InputError
from songform.hierarchy.plan import SongPlan

from .tokenizer import SongTokenizer, token_number


def pitch_ramp(tokenizer: SongTokenizer) -> tuple[torch.Tensor, torch.Tensor]:
    """The ids of the ``Pitch`` tokens and their pitches in semitones from middle C."""
    pairs = sorted((index, token_number(token)) for token, index in tokenizer.vocab.items()
                   if token.startswith("Pitch_"))
    return (torch.tensor([i for i, _ in pairs], dtype=torch.long),
            torch.tensor([p - 60 for _, p in pairs], dtype=torch.float32))


def chord_tone_ids(tokenizer: SongTokenizer) -> dict[int, torch.Tensor]:
    """Pitch class -> the ids of its ``Pitch`` tokens (for plan guidance)."""
    by_class: dict[int, list[int]] = {}
    for token, index in tokenizer.vocab.items():
        if token.startswith("Pitch_"):
            by_class.setdefault(token_number(token) % 12, []).append(index)
    return {pc: torch.tensor(ids) for pc, ids in by_class.items()}


def plan_skeleton(tokenizer: SongTokenizer, plan: SongPlan, roles: tuple[str, ...]
                  ) -> list[list[str]]:
    """Each bar's forced tokens (bar line, time signature, plan tokens), with ``Tracks_``
    naming only the roles the model writes.

    The time signature is written in the bars up to the last meter change and not after: what
    encoding the plan's empty score gives, and what the shipped model's songs were written
    with. (Training streams carry it in every bar with notes; aligning the two changes every
    song, so it waits for the next trained model.)"""
    bars = list(plan.bars())
    changes = [i for i in range(1, len(bars)) if bars[i].meter != bars[i - 1].meter]
    last_change = changes[-1] if changes else 0
    return [tokenizer.bar_opening(bar, plan, roles, time_signature=i <= last_change)
            for i, bar in enumerate(bars)]


def check_vocabulary(tokenizer: SongTokenizer, skeleton: list[list[str]]) -> None:
    """Refuse, before any decoding, a plan whose bars the model has no tokens for."""
    unknown = sorted({t for bar in skeleton for t in bar if t not in tokenizer.vocab})
    if unknown:
        meters = ", ".join(f"{n}/{d}" for d, ns in sorted(tokenizer.settings.meters.items())
                           for n in ns)
        raise InputError(f"the model has no tokens for {', '.join(unknown[:4])} (it knows the "
                         f"meters {meters}); write this plan with --notes arranger")
