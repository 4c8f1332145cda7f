"""A fiddle tune's light band (the folk and jig styles): the bass on the strong beats, root then
fifth ("boom"), and the guitar's chord on the beats between ("chuck"): 2 and 4 of a reel's
4/4, the third eighth of each dotted quarter in a jig's 6/8."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from songform.hierarchy.plan import BarPlan

from .voicing import lead_voices

FOLK_STYLES = ("folk", "jig")
BASS_RANGE = (40, 55)  # E2..G3
CHUCK_LENGTH = 0.4  # quarters: a short strum
Note = tuple[float, float, int, int]  # onset, length (quarters), pitch, velocity


def _beats(bar: BarPlan) -> list[tuple[float, float]]:
    """``(boom, chuck)`` onsets in quarters into the bar: per pair of counted beats in a simple
    meter, per counted (dotted) beat in a compound one."""
    offsets = [float(o) for o in bar.meter.beat_offsets]
    if bar.meter.is_compound:
        return [(o, o + 1.0) for o in offsets]
    return [(offsets[i], offsets[i + 1] if i + 1 < len(offsets) else offsets[i] + 0.5)
            for i in range(0, len(offsets), 2)]


def _bass_note(pitch_class: int) -> int:
    low, high = BASS_RANGE
    return min((p for p in range(low, high + 1) if p % 12 == pitch_class),
               key=lambda p: (abs(p - 45), p))


def folk_bass(bars: Sequence[BarPlan], velocity: Callable[[BarPlan], int]) -> list[Note]:
    """The chord's bass note (its root, or the written bass of an inversion) on the first
    strong beat it sounds on, its fifth on the next, alternating while it lasts."""
    out: list[Note] = []
    previous, struck = None, 0
    for bar in bars:
        for boom, chuck in _beats(bar):
            chord = bar.chord_at(boom)
            if chord is None or chord.root is None:
                continue
            struck = struck + 1 if chord == previous else 0
            low = (chord.root + (chord.bass or 0)) % 12
            pitch = _bass_note(low if struck % 2 == 0 else (chord.root + 7) % 12)
            out.append((bar.start + boom, max(0.25, chuck - boom - 0.05), pitch,
                        velocity(bar)))
            previous = chord
    return out


def folk_chords(bars: Sequence[BarPlan], velocity: Callable[[BarPlan], int]) -> list[Note]:
    """The chord struck short on every "chuck", voiced near the one before."""
    out: list[Note] = []
    previous = None
    for bar in bars:
        for _, chuck in _beats(bar):
            chord = bar.chord_at(chuck)
            if chord is None or chord.root is None or chuck >= bar.length:
                continue
            voices = lead_voices(chord, previous)
            previous = voices or previous
            out += [(bar.start + chuck, CHUCK_LENGTH, p, velocity(bar)) for p in voices]
    return out
