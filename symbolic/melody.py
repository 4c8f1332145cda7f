"""A simple rule-based melody: chord tones on strong beats, steps in the scale between them.

Each bar takes a rhythm from a small library (by meter and energy); the phrase's last bar
holds a long note on a chord tone. Notes are ``(onset_quarters, duration_quarters, pitch)``
relative to the phrase start.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from songform.hierarchy.chord import Chord
from songform.hierarchy.plan import BarPlan

MELODY_RANGE = (64, 86)  # E4..D6: above the comping hand
MELODY_CENTRE = 74  # lines drift back toward here, so phrases do not pin to the range's edge
Note = tuple[float, float, int]

# 4/4 rhythms: onsets in quarter notes (each note lasts until the next onset or the bar end).
RHYTHMS_4_4 = {
    "low": ([0.0, 2.0], [0.0, 1.0, 2.0], [0.0, 1.5, 2.0]),
    "mid": ([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 1.5, 2.0, 3.0], [0.0, 1.5, 2.0, 3.0],
            [0.5, 1.0, 2.0, 3.0]),
    "high": ([0.0, 0.5, 1.0, 2.0, 2.5, 3.0], [0.0, 0.5, 1.0, 1.5, 2.0, 3.0],
             [0.0, 1.0, 1.5, 2.5, 3.0, 3.5]),
}


def _rhythm(bar: BarPlan, rng: random.Random, last_bar: bool) -> list[float]:
    length = bar.length
    if last_bar:
        return [0.0] if length <= 2 else [0.0, float(bar.meter.beat_offsets[1])]
    if bar.meter.numerator == 4 and bar.meter.denominator == 4:
        level = "low" if bar.energy <= 2 else "mid" if bar.energy <= 4 else "high"
        return list(rng.choice(RHYTHMS_4_4[level]))
    beats = [float(b) for b in bar.meter.beat_offsets]
    if bar.energy >= 4:  # split some beats in two
        split = []
        for i, beat in enumerate(beats):
            end = beats[i + 1] if i + 1 < len(beats) else length
            split.append(beat)
            if rng.random() < 0.5 and end - beat >= 1.0:
                split.append(beat + (end - beat) / 2)
        beats = split
    return beats


def _chord_at(bar: BarPlan, offset: float) -> Chord:
    current = bar.chords[0]
    for event in bar.chords:
        if event.offset <= offset + 1e-9:
            current = event
    return Chord.parse(current.symbol)


def _nearest(candidates: Sequence[int], target: int) -> int:
    return min(candidates, key=lambda p: (abs(p - target), p))


def _pitches_in_range(pcs: Sequence[int]) -> list[int]:
    low, high = MELODY_RANGE
    return [p for p in range(low, high + 1) if p % 12 in pcs]


def phrase_melody(bars: Sequence[BarPlan], rng: random.Random, start_pitch: int | None = None
                  ) -> list[Note]:
    """Melody notes for one phrase (onsets relative to the phrase's first bar line)."""
    notes: list[Note] = []
    pitch = start_pitch or 72
    origin = bars[0].start
    for index, bar in enumerate(bars):
        last_bar = index == len(bars) - 1
        onsets = _rhythm(bar, rng, last_bar)
        scale = _pitches_in_range(bar.key.scale)
        accents = {float(a) for a in bar.meter.accent_offsets} | {0.0}
        for i, onset in enumerate(onsets):
            end = onsets[i + 1] if i + 1 < len(onsets) else bar.length
            chord = _chord_at(bar, onset)
            chord_pitches = _pitches_in_range(chord.pitch_classes) or scale
            pull = round((MELODY_CENTRE - pitch) / 4)
            if onset in accents or last_bar:
                direction = rng.choice((-4, -2, 0, 2, 4))
                pitch = _nearest(chord_pitches, pitch + direction + pull)
            else:
                step = rng.choice((-2, -1, -1, 1, 1, 2)) + (1 if pull > 1 else -1 if pull < -1
                                                           else 0)
                position = _nearest(scale, pitch)
                index_in_scale = scale.index(position) + step
                pitch = scale[max(0, min(len(scale) - 1, index_in_scale))]
            if last_bar and i == len(onsets) - 1:
                pitch = _nearest(_pitches_in_range(chord.pitch_classes[:1] + (
                    (chord.root + (3 if 3 in chord.intervals else 4)) % 12,))
                    if chord.root is not None else scale, pitch)
            notes.append((bar.start - origin + onset, end - onset, pitch))
    return notes


def vary(notes: Sequence[Note], bars: Sequence[BarPlan], amount: float, rng: random.Random
         ) -> list[Note]:
    """Restate ``notes`` over ``bars``: each note moves to a nearby chord tone with
    probability ``amount / 2`` (0 keeps every note)."""
    origin = bars[0].start
    varied = []
    for onset, duration, pitch in notes:
        if amount > 0 and rng.random() < amount / 2:
            bar = next(b for b in reversed(bars) if b.start - origin <= onset + 1e-9)
            chord = _chord_at(bar, onset - (bar.start - origin))
            options = [p for p in _pitches_in_range(chord.pitch_classes) if p != pitch]
            if options:
                pitch = _nearest(options, pitch + rng.choice((-3, 3)))
        varied.append((onset, duration, pitch))
    return varied
