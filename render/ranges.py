"""Playable ranges of General MIDI programs (MIDI note numbers), by program family."""

from __future__ import annotations

# (first program, last program) -> (lowest, highest) note. Ranges are generous: they catch
# notes no player could reach, not notes that are merely unidiomatic.
_FAMILY_RANGES = (
    ((0, 7), (21, 108)),     # pianos
    ((8, 15), (36, 96)),     # chromatic percussion
    ((16, 23), (24, 96)),    # organs, harmonica, accordion
    ((24, 31), (40, 88)),    # guitars
    ((32, 39), (23, 67)),    # basses
    ((40, 40), (55, 103)),   # violin
    ((41, 41), (48, 91)),    # viola
    ((42, 42), (36, 79)),    # cello
    ((43, 43), (24, 67)),    # contrabass
    ((44, 47), (24, 103)),   # tremolo, pizzicato, harp, timpani
    ((48, 55), (28, 96)),    # ensembles and choirs
    ((56, 63), (34, 84)),    # brass
    ((64, 71), (44, 91)),    # reeds
    ((72, 79), (55, 98)),    # pipes
    ((80, 103), (28, 103)),  # synth leads, pads, effects
    ((104, 111), (36, 96)),  # ethnic
    ((112, 127), (24, 108)),  # percussive, sound effects
)


def program_range(program: int) -> tuple[int, int]:
    """The (lowest, highest) playable note for GM ``program`` 0-127."""
    for (first, last), playable in _FAMILY_RANGES:
        if first <= program <= last:
            return playable
    return (0, 127)


def fold_into_range(pitch: int, program: int) -> int:
    """Move ``pitch`` by octaves into the program's range."""
    low, high = program_range(program)
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch if low <= pitch <= high else min(max(pitch, low), high)
