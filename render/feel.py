"""The feel a song is played with: each section's swing moves the off-beat eighths late (the
first half of each beat stretched, the second squeezed), in every track, drums included, as
the MIDI file is written. Tokens and notation stay on the straight grid.

``swing_ratio`` measures the feel back from notes: where the off-beat eighths fall.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

import numpy as np

from songform.hierarchy.plan import STRAIGHT, SongPlan
from songform.symbolic.ticks import quarters_to_ticks

OFFBEAT_WINDOW = (0.4, 0.72)
"""Beat fractions read as an off-beat eighth when measuring swing (a straight 16th at 0.75 and
a swung one past it stay out)."""


def swing_warp(plan: SongPlan, tpq: int) -> Callable[[int], int] | None:
    """Ticks on the straight grid -> ticks as played, or ``None`` when every section is
    straight. Swing applies in meters counted in quarter notes (x/4); others stay straight."""
    starts, spans = [], []
    start = 0.0
    for section in plan.sections:
        length = section.bars * float(section.meter.quarters_per_bar)
        swung = section.swing != STRAIGHT and section.meter.denominator == 4
        starts.append(quarters_to_ticks(start, tpq))
        spans.append(section.swing if swung else None)
        start += length
    if not any(spans):
        return None
    half = tpq / 2

    def warp(tick: int) -> int:
        index = bisect.bisect_right(starts, tick) - 1
        swing = spans[index] if index >= 0 else None
        if swing is None:
            return tick
        phase = (tick - starts[index]) % tpq
        base = tick - phase
        if phase < half:
            moved = phase * swing * tpq / half
        else:
            moved = swing * tpq + (phase - half) * (1 - swing) * tpq / half
        return base + int(round(moved))

    return warp


def swing_ratio(onsets_in_beats: Iterable[float]) -> float | None:
    """The median place of the off-beat eighths in their beat (0.5 straight, about 0.67 a
    triplet shuffle), from onsets counted in beats; ``None`` with fewer than 8 of them."""
    fractions = [o % 1.0 for o in onsets_in_beats]
    offbeats = [f for f in fractions if OFFBEAT_WINDOW[0] <= f <= OFFBEAT_WINDOW[1]]
    if len(offbeats) < 8:
        return None
    return float(np.median(offbeats))


def measured_swing(score) -> float | None:
    """The swing the notes of a symusic ``score`` play, every track together (drums too)."""
    tpq = int(score.ticks_per_quarter)
    return swing_ratio(note.time / tpq for track in score.tracks for note in track.notes)


def planned_swing(plan: SongPlan) -> float:
    """The plan's swing, its sections weighted by their bars."""
    bars = sum(section.bars for section in plan.sections)
    return sum(section.swing * section.bars for section in plan.sections) / bars
