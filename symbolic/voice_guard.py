"""Four-part writing under a chorale's rules, at decoding time. When the model is about to choose
the pitch of a voice (soprano, alto, tenor and bass are the roles melody, counter-melody,
harmony and bass), the pitches it may choose are those inside the voice's range
(``voice_leading.RANGES``) and between the latest pitches of the voices above and below it, less
those that would move in parallel fifths or octaves with a voice that moved at this onset
(struck before it); a voice strikes one note at an onset, and all four strike at a phrase's
first onset. Where the neighbours leave no pitch in
range, the range alone holds; where only parallels remain, they are allowed. Plan guidance of
another kind, as the chord bias is: the model's probabilities among the allowed pitches are its
own."""

from __future__ import annotations

import functools

import numpy as np
import torch

from .tokenizer import ROLE_PROGRAMS, SongTokenizer
from .voice_leading import RANGES, VOICE_ROLES

ORDER = tuple(ROLE_PROGRAMS[role] for role in VOICE_ROLES)  # programs, highest voice first
PERFECT = (0, 7)  # octaves (and unisons) and fifths, as intervals above the lower voice


class VoiceGuard:
    """The pitches a voice may take next (see the module docstring), as a mask over the
    tokenizer's vocabulary."""

    def __init__(self, tokenizer: SongTokenizer) -> None:
        self.pitch_of = np.full(len(tokenizer), -1, dtype=np.int64)
        for token, index in tokenizer.vocab.items():
            if token.startswith("Pitch_"):
                self.pitch_of[index] = int(token.split("_", 1)[1])
        self.program_ids = {program: tokenizer.vocab[f"Program_{program}"] for program in ORDER}

    def once_an_onset(self, allowed: torch.Tensor, struck: set[int]) -> torch.Tensor:
        """``allowed`` less the voices already struck at this onset: a voice sings one note
        at a time."""
        ids = [self.program_ids[p] for p in struck if p in self.program_ids]
        if not ids:
            return allowed
        allowed = allowed.clone()
        allowed[ids] = False
        return allowed

    def enter_together(self, allowed: torch.Tensor, struck: set[int],
                       moving_on: torch.Tensor) -> torch.Tensor:
        """``allowed`` less ``moving_on`` (the next onset, the bar's end) while a voice not yet
        struck may still strike here: at a phrase's first onset all four voices enter."""
        waiting = [self.program_ids[p] for p in ORDER if p not in struck]
        if not bool(allowed[waiting].any()):
            return allowed
        return allowed & ~moving_on

    def mask(self, program: int, latest: dict[int, int], context: dict[int, int]
             ) -> torch.Tensor | None:
        """Allowed token ids for the pitch of ``program``'s next note: the ``latest`` pitch of
        each voice, and each one's pitch just before this onset (``context``).
        ``None`` for a program that is not one of the four voices."""
        if program not in ORDER:
            return None
        place = ORDER.index(program)
        low, high = RANGES[VOICE_ROLES[place]]
        above = [latest[p] for p in ORDER[:place] if p in latest]
        below = [latest[p] for p in ORDER[place + 1:] if p in latest]
        upper = min([high, *above[-1:]])
        lower = max([low, *below[:1]])
        if lower > upper:
            lower, upper = low, high
        pitches = self.pitch_of
        allowed = (pitches >= lower) & (pitches <= upper)
        clean = allowed & ~self._parallels(program, latest, context)
        return torch.from_numpy(clean if clean.any() else allowed)

    def _parallels(self, program: int, latest: dict[int, int], context: dict[int, int]
                   ) -> np.ndarray:
        """Pitches that would move in parallel fifths or octaves with a voice that moved at
        this onset."""
        found = np.zeros(len(self.pitch_of), dtype=bool)
        previous = latest.get(program)
        if previous is None:
            return found
        pitches = self.pitch_of
        for other in ORDER:
            if other == program or other not in context or other not in latest:
                continue
            was, now = context[other], latest[other]
            if was == now:
                continue
            higher = ORDER.index(program) < ORDER.index(other)
            interval = (previous - was) % 12 if higher else (was - previous) % 12
            if interval not in PERFECT:
                continue
            moved = pitches - previous
            same_way = (moved != 0) & (np.sign(moved) == np.sign(now - was))
            again = ((pitches - now) % 12 if higher else (now - pitches) % 12) == interval
            found |= same_way & again & (pitches >= 0)
        return found


@functools.lru_cache(maxsize=4)
def voice_guard(tokenizer: SongTokenizer) -> VoiceGuard:
    """The guard for ``tokenizer``'s vocabulary, built once."""
    return VoiceGuard(tokenizer)
