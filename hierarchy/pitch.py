"""Pitch names and numbers (MIDI note numbers, pitch classes 0-11 with C = 0)."""

from __future__ import annotations

import re

from .errors import TemplateError, expected

SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NAME_RE = re.compile(r"^([A-Ga-g])((?:#|b|x|\u266f|\u266d)*)$")
_NOTE_RE = re.compile(r"^([A-Ga-g](?:#|b|x|\u266f|\u266d)*)(-?\d+)$")


def pitch_class(name: str) -> int:
    """Pitch class (0-11) of a name such as ``C``, ``F#``, ``Bb``, ``Cb``, ``Fx`` or ``Ebb``."""
    match = _NAME_RE.match(name.strip())
    if not match:
        raise expected("a pitch name such as C, F# or Bb", name)
    letter, accidentals = match.groups()
    shift = 0
    for acc in accidentals:
        shift += {"#": 1, "\u266f": 1, "x": 2, "b": -1, "\u266d": -1}[acc]
    return (_LETTER_PC[letter.upper()] + shift) % 12


def pitch_class_name(pc: int, prefer_flats: bool = False) -> str:
    """Name of pitch class ``pc`` (taken mod 12), spelled with flats or sharps."""
    return (FLAT_NAMES if prefer_flats else SHARP_NAMES)[pc % 12]


def note_name_to_number(name: str) -> int:
    """MIDI note number of a scientific pitch name (``C4`` = 60, ``A4`` = 69, ``Bb-1`` = 10)."""
    match = _NOTE_RE.match(name.strip())
    if not match:
        raise expected("a note name with octave such as C4 or F#3", name)
    pitch_name, octave = match.groups()
    letter = pitch_name[0].upper()
    accidental_shift = pitch_class(pitch_name) - _LETTER_PC[letter]
    if accidental_shift > 6:
        accidental_shift -= 12
    if accidental_shift < -6:
        accidental_shift += 12
    number = 12 * (int(octave) + 1) + _LETTER_PC[letter] + accidental_shift
    if not 0 <= number <= 127:
        raise TemplateError(f"note {name} is outside MIDI's range 0-127")
    return number


def note_number_to_name(number: int, prefer_flats: bool = False) -> str:
    """Scientific pitch name of MIDI note ``number`` (60 -> ``C4``)."""
    if not 0 <= number <= 127:
        raise TemplateError(f"MIDI note number must be 0-127, got {number}")
    return f"{pitch_class_name(number % 12, prefer_flats)}{number // 12 - 1}"
