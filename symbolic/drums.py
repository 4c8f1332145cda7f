"""A drum-pattern library per style and energy (General MIDI kit, channel 10), with fills.

A pattern is one bar of ``(offset in quarter notes, GM drum note, velocity)`` hits. 4/4 bars
use the style's groove; other meters get a generic groove built from the meter's grouping:
kick on the first group, snare on the others' starts, hats on every counted beat.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from songform.hierarchy.meter import Meter

KICK, SNARE, CLAP, CLOSED_HAT, PEDAL_HAT, OPEN_HAT, CRASH, RIDE = 36, 38, 39, 42, 44, 46, 49, 51
TOMS = (50, 48, 47, 45)  # high to low
Hit = tuple[float, int, int]
"""Patterns sit on the straight grid: a swung or shuffled style plays them with its section's
swing when the MIDI file is written (``render.feel``)."""


def _eighths(pitch: int, velocity: int) -> list[Hit]:
    return [(b + o, pitch, velocity - (8 if o else 0)) for b in range(4) for o in (0.0, 0.5)]


def _groove_4_4(groove: str, energy: int) -> list[Hit]:
    loud = 70 + 6 * energy
    if groove == "four":  # house: four on the floor, offbeat open hats
        hits = [(float(b), KICK, loud + 10) for b in range(4)]
        hits += [(1.0, CLAP, loud), (3.0, CLAP, loud)]
        hits += [(b + 0.5, OPEN_HAT, loud - 15) for b in range(4)]
        if energy >= 6:
            hits += [(b + o, CLOSED_HAT, loud - 25) for b in range(4) for o in (0.25, 0.75)]
        return hits
    if groove == "swing":  # jazz: ride pattern, hi-hat on 2 and 4, feathered kick
        hits = [(0.0, RIDE, loud - 10), (1.0, RIDE, loud), (1.5, RIDE, loud - 15),
                (2.0, RIDE, loud - 10), (3.0, RIDE, loud), (3.5, RIDE, loud - 15)]
        hits += [(1.0, PEDAL_HAT, loud - 20), (3.0, PEDAL_HAT, loud - 20)]
        hits += [(float(b), KICK, 45) for b in range(4)]
        return hits
    hits = [(0.0, KICK, loud + 5), (2.0, KICK, loud)]
    if energy >= 5:
        hits.append((2.5, KICK, loud - 10))
    hits += [(1.0, SNARE, loud), (3.0, SNARE, loud)]
    if groove == "shuffle" and energy >= 3:  # the shuffle rides every eighth
        hits += _eighths(RIDE if energy >= 5 else CLOSED_HAT, loud - 15)
    elif energy >= 4:
        hits += _eighths(OPEN_HAT if energy >= 7 else CLOSED_HAT, loud - 15)
    else:
        hits += [(float(b), CLOSED_HAT, loud - 15) for b in range(4)]
    return hits


def _generic_groove(meter: Meter, energy: int) -> list[Hit]:
    loud = 70 + 6 * energy
    accents = [float(o) for o in meter.accent_offsets]
    hits = [(accents[0], KICK, loud + 5)]
    hits += [(o, SNARE, loud) for o in accents[1:]]
    if len(accents) == 1 and meter.numerator == 3:  # 3/4: hats on 2 and 3
        hits += [(float(o), CLOSED_HAT, loud - 15) for o in meter.beat_offsets[1:]]
    else:
        unit = 4 / meter.denominator
        hits += [(i * unit, CLOSED_HAT, loud - 15 - (0 if i == 0 else 5))
                 for i in range(meter.numerator)]
    return hits


GROOVES = {"pop": "backbeat", "ballad": "backbeat", "rock": "backbeat", "blues": "shuffle",
           "jazz": "swing", "house": "four", "waltz": "backbeat", "chorale": "backbeat"}


def bar_pattern(style: str, meter: Meter, energy: int) -> list[Hit]:
    """One bar of hits for ``style`` at ``energy`` (0-7) in ``meter``."""
    if meter.numerator == 4 and meter.denominator == 4:
        return sorted(_groove_4_4(GROOVES.get(style, "backbeat"), energy))
    return sorted(_generic_groove(meter, energy))


def fill(meter: Meter, energy: int, kind: str = "toms") -> list[Hit]:
    """A fill over the bar's last counted beat into the next bar: sixteenths down the toms
    (``toms``), a snare roll growing louder (``roll``), or eighths on snare and toms
    (``eighths``)."""
    start = float(meter.beat_offsets[-1])
    length = float(meter.quarters_per_bar) - start
    velocity = 70 + 5 * energy
    if kind == "roll":
        return [(start + i * length / 6, SNARE, velocity - 12 + 4 * i) for i in range(6)]
    if kind == "eighths":
        return [(start + i * length / 2, SNARE if i == 0 else TOMS[2], velocity + 3 * i)
                for i in range(2)]
    steps = 4
    return [(start + i * length / steps, SNARE if i == 0 else TOMS[i - 1], velocity + 2 * i)
            for i in range(steps)]


FILLS = ("toms", "roll", "eighths")
KICK_EXTRAS = ((), (1.5,), (2.5,), (3.5,), (0.75,), (1.5, 3.5))
GHOSTS = ((), (1.75,), (3.75,), (2.25,), (1.75, 3.25))


@dataclass(frozen=True)
class GrooveVariant:
    """How one song plays its style's groove in one kind of section (drawn from the seed):
    extra kicks and ghost snares in 4/4 grooves, a fill, and how much the velocities breathe.
    """

    kicks: tuple[float, ...] = ()
    ghosts: tuple[float, ...] = ()
    fill: str = "toms"
    breath: int = 0  # velocities vary by up to this much, bar by bar

    @classmethod
    def draw(cls, rng: random.Random) -> GrooveVariant:
        return cls(rng.choice(KICK_EXTRAS), rng.choice(GHOSTS), rng.choice(FILLS),
                   rng.randint(3, 8))

    def apply(self, hits: list[Hit], meter: Meter, energy: int, groove: str,
              rng: random.Random) -> list[Hit]:
        """``hits`` with this variant's kicks and ghost notes (4/4 backbeat and shuffle
        grooves) and each velocity moved by up to ``breath``."""
        if meter.numerator == 4 and meter.denominator == 4 and groove in ("backbeat",
                                                                          "shuffle"):
            loud = 70 + 6 * energy
            hits = hits + [(o, KICK, loud - 8) for o in self.kicks if energy >= 3]
            hits = hits + [(o, SNARE, 38 + 2 * energy) for o in self.ghosts if energy >= 4]
        return sorted((o, p, max(1, min(127, v + rng.randint(-self.breath, self.breath))))
                      for o, p, v in hits)


def drop_hits_after(hits: list[Hit], offset: float) -> list[Hit]:
    """Hits before ``offset`` (to make room for a fill)."""
    return [h for h in hits if h[0] < offset]
