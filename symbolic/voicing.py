"""Chord voicings with voice leading: each chord takes the voicing nearest the previous one."""

from __future__ import annotations

import itertools

from songform.hierarchy.chord import Chord

VOICING_RANGE = (50, 72)  # D3..C5: where a keyboard's comping hand lives
MAX_VOICES = 4


def chord_tones(chord: Chord) -> list[int]:
    """Up to four pitch classes, most essential first: root, third, seventh, fifth, others."""
    if chord.root is None:
        return []
    order = []
    for wanted in ((3, 4), (10, 11), (7, 6, 8), (2, 5, 9, 13, 14, 15, 17, 18, 20, 21)):
        for interval in chord.intervals:
            if interval in wanted or interval % 12 in wanted:
                pc = (chord.root + interval) % 12
                if pc not in order:
                    order.append(pc)
    pcs = [chord.root % 12] + [pc for pc in order if pc != chord.root % 12]
    return pcs[:MAX_VOICES]


def candidate_voicings(chord: Chord) -> list[tuple[int, ...]]:
    """Close voicings of the chord tones, every inversion, every octave inside the range."""
    pcs = chord_tones(chord)
    low, high = VOICING_RANGE
    voicings = []
    for rotation in range(len(pcs)):
        ordered = pcs[rotation:] + pcs[:rotation]
        for octave in range(2, 7):
            notes, pitch = [], 12 * octave + ordered[0]
            for pc in ordered:
                while pitch % 12 != pc:
                    pitch += 1
                notes.append(pitch)
                pitch += 1
            if low <= notes[0] and notes[-1] <= high:
                voicings.append(tuple(notes))
    return voicings


def movement(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """Total semitones the voices move from ``a`` to ``b`` (best pairing of voices)."""
    if len(a) == len(b):
        return sum(abs(x - y) for x, y in zip(a, b, strict=True))
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return min(
        sum(abs(x - y) for x, y in zip(small, combo, strict=True))
        for combo in itertools.combinations(large, len(small))
    ) + 2 * (len(large) - len(small))


def lead_voices(chord: Chord, previous: tuple[int, ...] | None) -> tuple[int, ...]:
    """The voicing of ``chord`` nearest ``previous`` (or nearest the range centre)."""
    candidates = candidate_voicings(chord)
    if not candidates:
        return ()
    if previous is None:
        centre = sum(VOICING_RANGE) / 2
        return min(candidates, key=lambda v: abs(sum(v) / len(v) - centre))
    return min(candidates, key=lambda v: (movement(previous, v), v))
