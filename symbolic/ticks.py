"""Score time units in one place: ticks per quarter, tick <-> quarter converters (pure and
paired, pretty_midi's habit) and the General MIDI drum channel."""

from __future__ import annotations

from symusic import Score

TICKS_PER_QUARTER = 480
DRUM_CHANNEL = 9  # channel 10 as musicians count


def quarters_to_ticks(quarters: float, tpq: int = TICKS_PER_QUARTER) -> int:
    """Quarter notes -> ticks (``tpq`` per quarter), rounded to the nearest tick."""
    return int(round(quarters * tpq))


def ticks_to_quarters(ticks: float, tpq: int = TICKS_PER_QUARTER) -> float:
    """Ticks (``tpq`` per quarter) -> quarter notes; the inverse of :func:`quarters_to_ticks`
    up to its rounding."""
    return ticks / tpq


def at_standard_resolution(score: Score) -> Score:
    """``score`` at :data:`TICKS_PER_QUARTER` (resampled, no note shorter than a tick)."""
    if score.ticks_per_quarter != TICKS_PER_QUARTER:
        return score.resample(TICKS_PER_QUARTER, min_dur=1)
    return score
