"""The feel a song is played with: each section's swing moves the off-beat eighths late (the
first half of each beat stretched, the second squeezed), in every track, drums included, as
the MIDI file is written. Tokens and notation stay on the straight grid.

``swing_ratio`` measures the feel back from notes: where the off-beat eighths fall.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable

import numpy as np

from songform.hierarchy.plan import STRAIGHT, SongPlan
from songform.symbolic.ticks import quarters_to_ticks

OFFBEAT_WINDOW = (0.4, 0.72)
"""Beat fractions read as an off-beat eighth when measuring swing (a straight 16th at 0.75 and
a swung one past it stay out)."""


def _swing_spans(plan: SongPlan, tpq: int) -> tuple[list[int], list[float | None]]:
    """Each section's first tick and its swing (``None`` where it plays straight: a straight
    section, or a meter not counted in quarter notes)."""
    starts: list[int] = []
    spans: list[float | None] = []
    start = 0.0
    for section in plan.sections:
        swung = section.swing != STRAIGHT and section.meter.denominator == 4
        starts.append(quarters_to_ticks(start, tpq))
        spans.append(section.swing if swung else None)
        start += section.bars * float(section.meter.quarters_per_bar)
    return starts, spans


def _in_beat(starts: list[int], spans: list[float | None], tick: int, tpq: int
             ) -> tuple[float | None, int, int]:
    """The swing of the section ``tick`` lies in, the beat's first tick, and ``tick``'s place
    in that beat."""
    index = bisect.bisect_right(starts, tick) - 1
    swing = spans[index] if index >= 0 else None
    phase = (tick - starts[index]) % tpq if index >= 0 else 0
    return swing, tick - phase, phase


def swing_warp(plan: SongPlan, tpq: int) -> Callable[[int], int] | None:
    """Ticks on the straight grid -> ticks as played, or ``None`` when every section is
    straight. Swing applies in meters counted in quarter notes (x/4); others stay straight."""
    starts, spans = _swing_spans(plan, tpq)
    if not any(spans):
        return None
    half = tpq / 2

    def warp(tick: int) -> int:
        swing, base, phase = _in_beat(starts, spans, tick, tpq)
        if swing is None:
            return tick
        if phase < half:
            moved = phase * swing * tpq / half
        else:
            moved = swing * tpq + (phase - half) * (1 - swing) * tpq / half
        return base + int(round(moved))

    return warp


def straight_warp(plan: SongPlan, tpq: int) -> Callable[[int], int] | None:
    """The inverse of :func:`swing_warp`: ticks as played -> ticks on the straight grid (a
    MIDI file back from a DAW), or ``None`` when every section is straight."""
    starts, spans = _swing_spans(plan, tpq)
    if not any(spans):
        return None
    half = tpq / 2

    def unwarp(tick: int) -> int:
        swing, base, phase = _in_beat(starts, spans, tick, tpq)
        if swing is None:
            return tick
        if phase < swing * tpq:
            moved = phase * half / (swing * tpq)
        else:
            moved = half + (phase - swing * tpq) * half / ((1 - swing) * tpq)
        guess = base + int(round(moved))
        # the straight tick the swing warp plays at ``tick``: whole ticks make the warp
        # squeeze neighbours together, so of the ticks it plays there the one on the finest
        # grid line (a 16th before a stray tick beside it) is the one a note was written on
        played_here = [t for t in (guess - 1, guess, guess + 1) if warp(t) == tick]
        return min(played_here, key=lambda t: (-math.gcd(t, tpq), abs(t - guess)),
                   default=guess)

    warp = swing_warp(plan, tpq)
    return unwarp


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


PUMP = ((0.0, 40), (0.125, 72), (0.25, 98), (0.375, 118), (0.5, 127))
"""Expression (CC11) through one beat of a house pump: down on the kick, back by the
off-beat, as a compressor keyed from the kick breathes."""
PUMP_STYLES = ("house",)
PUMP_ROLES = ("harmony", "bass")
PUMP_ENERGY = 5


def pump_events(plan: SongPlan, track_name: str, tpq: int) -> list[tuple[int, int]]:
    """``(tick, CC11 value)`` for a track that ducks under the kick: in a pumping style, the
    pad (harmony) and the bass, in bars where the drums play at energy 5 and up."""
    spec = next((t for t in plan.tracks if t.name == track_name), None)
    drums = {t.name for t in plan.tracks if t.is_drum}
    if plan.style not in PUMP_STYLES or spec is None or spec.role not in PUMP_ROLES:
        return []
    events: list[tuple[int, int]] = []
    pumping = False
    for bar in plan.bars():
        wanted = bar.energy >= PUMP_ENERGY and bool(drums & set(bar.tracks)) \
            and bar.meter.denominator == 4
        if wanted:
            for beat in range(bar.meter.numerator):
                for fraction, value in PUMP:
                    events.append((quarters_to_ticks(bar.start + beat + fraction, tpq), value))
        elif pumping:
            events.append((quarters_to_ticks(bar.start, tpq), 127))
        pumping = wanted
    return events


HUMANIZE_MS = 12.0       # the largest timing move at humanize 1, in milliseconds
HUMANIZE_VELOCITY = 10   # the largest velocity move at humanize 1


def humanized(notes: list[tuple[int, int, int, int]], plan: SongPlan, tpq: int,
              track_index: int) -> list[tuple[int, int, int, int]]:
    """``(start, stop, pitch, velocity)`` notes moved by the plan's ``humanize``: each onset
    by up to ``HUMANIZE_MS`` (its length kept), each velocity by up to
    ``HUMANIZE_VELOCITY``, drawn from the plan's seed and the track (the same song, the same
    file)."""
    if not plan.humanize or not notes:
        return notes
    rng = np.random.default_rng([plan.seed % 2 ** 32, track_index, 1_000_003])
    quarters_per_second = plan.sections[0].meter.quarters_per_minute(plan.sections[0].tempo) / 60
    reach = plan.humanize * HUMANIZE_MS / 1000 * quarters_per_second * tpq
    moves = rng.uniform(-reach, reach, len(notes)).round().astype(int)
    pushes = rng.integers(-HUMANIZE_VELOCITY, HUMANIZE_VELOCITY + 1, len(notes))
    out = []
    for (start, stop, pitch, velocity), move, push in zip(notes, moves, pushes, strict=True):
        moved = max(0, start + int(move))
        out.append((moved, moved + (stop - start), pitch,
                    max(1, min(127, velocity + int(round(push * plan.humanize))))))
    return out
