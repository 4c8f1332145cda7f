"""How one song's bass and comping play their rhythms: a figure per kind of section, drawn
from the seed, as a player picks a feel for the verse and another for the chorus.

The arranger's density still follows energy (``change``, ``accents``, ``beats``, ``halves``);
a figure reshapes the onsets and pitches inside it:

- bass ``plain`` (roots on the grid), ``octave`` (every other hit an octave up), ``approach``
  (a chromatic step into the next chord's root on the last half beat before a change),
  ``push`` (the next chord's root anticipated by half a beat);
- comping ``plain`` (block chords on the grid), ``broken`` (the voicing arpeggiated on half
  beats, at energy 4 and below), ``offbeat`` (stabs on the half beats between the beats, at
  energy 4 and above), ``push`` (the next chord anticipated by half a beat).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

BASS_FIGURES = ("plain", "octave", "approach", "push")
COMP_FIGURES = ("plain", "broken", "offbeat", "push")


@dataclass(frozen=True)
class RhythmFigure:
    """The bass and comping figures of one kind of section in one song."""

    bass: str = "plain"
    comp: str = "plain"

    @classmethod
    def draw(cls, rng: random.Random) -> RhythmFigure:
        return cls(rng.choice(BASS_FIGURES), rng.choice(COMP_FIGURES))


def half_beats(beats: list[float], end: float) -> list[float]:
    """The offsets halfway between consecutive beats (and the last beat and ``end``)."""
    edges = [*beats, end]
    return [(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)]


def offbeat_onsets(start: float, end: float, beats: list[float], bar_length: float
                   ) -> list[float]:
    """The chord change at ``start`` plus the half beats inside ``[start, end)``."""
    return sorted({start, *[h for h in half_beats(beats, bar_length) if start < h < end]})


def broken_order(count: int, hits: int) -> list[int]:
    """Which voice (0 = lowest) sounds at each of ``hits`` arpeggio onsets: up, then down."""
    if count <= 1:
        return [0] * hits
    cycle = [*range(count), *range(count - 2, 0, -1)]
    return [cycle[i % len(cycle)] for i in range(hits)]


def approach_pitch(target: int, rng_bit: int) -> int:
    """A chromatic neighbour leading into ``target``: a semitone below or above."""
    return target - 1 if rng_bit == 0 else target + 1
