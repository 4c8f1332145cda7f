"""Keys: a tonic pitch class and a mode (major or minor), with scale degrees and spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import expected
from .pitch import pitch_class, pitch_class_name

MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
NATURAL_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)
MODES = ("major", "minor")

# Tonics whose conventional key signature uses flats (Gb major rather than F# major:
# POP909 annotates Gb:maj, and six flats read as easily as six sharps).
_FLAT_MAJOR_TONICS = {1, 3, 5, 6, 8, 10}
_FLAT_MINOR_TONICS = {0, 2, 3, 5, 7, 10}
# Signed count of sharps (+) or flats (-) in the major key signature, by tonic pitch class.
_MAJOR_FIFTHS = {0: 0, 7: 1, 2: 2, 9: 3, 4: 4, 11: 5, 6: -6, 1: -5, 8: -4, 3: -3, 10: -2, 5: -1}

_KEY_RE = re.compile(
    r"^\s*([A-Ga-g](?:#|b)?)\s*(?::|\s)?\s*"
    r"(major|minor|maj|min|m|M|ionian|aeolian|)\s*$"
)


@dataclass(frozen=True)
class Key:
    """A major or minor key.

    Args:
        tonic: pitch class of the tonic, 0-11 (C = 0).
        mode: ``"major"`` or ``"minor"`` (natural minor supplies the scale degrees).
    """

    tonic: int
    mode: str = "major"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise expected("mode major or minor", self.mode)
        object.__setattr__(self, "tonic", self.tonic % 12)

    @classmethod
    def parse(cls, text: str) -> Key:
        """Parse ``C``, ``c``/``Am`` (minor), ``F# major``, ``Bb minor``, ``Gb:maj``, ``a:min``."""
        if not isinstance(text, str):
            raise expected("a key such as C major or A minor", text)
        match = _KEY_RE.match(text)
        if not match:
            raise expected("a key such as C major, A minor, Am or Gb:maj", text)
        name, mode_text = match.groups()
        if mode_text in ("minor", "min", "m", "aeolian"):
            mode = "minor"
        elif mode_text in ("major", "maj", "M", "ionian"):
            mode = "major"
        else:  # bare name: lower case means minor, as in roman numerals and Humdrum
            mode = "minor" if name[0].islower() else "major"
        return cls(pitch_class(name[0].upper() + name[1:]), mode)

    @property
    def prefers_flats(self) -> bool:
        """Whether notes in this key are spelled with flats."""
        flats = _FLAT_MAJOR_TONICS if self.mode == "major" else _FLAT_MINOR_TONICS
        return self.tonic in flats

    @property
    def tonic_name(self) -> str:
        return pitch_class_name(self.tonic, self.prefers_flats)

    @property
    def scale(self) -> tuple[int, ...]:
        """The seven pitch classes of the scale (natural minor for minor keys)."""
        steps = MAJOR_SCALE if self.mode == "major" else NATURAL_MINOR_SCALE
        return tuple((self.tonic + step) % 12 for step in steps)

    @property
    def fifths(self) -> int:
        """Key-signature sharps (+) or flats (-), as in a MIDI key-signature event."""
        major_tonic = self.tonic if self.mode == "major" else (self.tonic + 3) % 12
        return _MAJOR_FIFTHS[major_tonic]

    @property
    def relative(self) -> Key:
        """The relative major of a minor key, or the relative minor of a major key."""
        if self.mode == "major":
            return Key((self.tonic + 9) % 12, "minor")
        return Key((self.tonic + 3) % 12, "major")

    def degree_pitch_class(self, degree: int, accidental: int = 0) -> int:
        """Pitch class of scale ``degree`` (1-7) raised by ``accidental`` semitones."""
        if not 1 <= degree <= 7:
            raise expected("a scale degree 1-7", degree)
        return (self.scale[degree - 1] + accidental) % 12

    def degree_of(self, pc: int) -> tuple[int, int]:
        """The (degree 1-7, accidental) that spells ``pc`` in this key.

        Diatonic notes get accidental 0; chromatic ones are spelled as a lowered degree
        (bII, bIII, bVI, bVII in major), except the tritone above the tonic, which is #IV
        in major, and in minor the raised sixth and seventh (#VI, #VII).
        """
        pc %= 12
        if pc in self.scale:
            return self.scale.index(pc) + 1, 0
        interval = (pc - self.tonic) % 12
        if self.mode == "major":
            return (4, 1) if interval == 6 else (MAJOR_SCALE.index(interval + 1) + 1, -1)
        raised = {4: (3, 1), 9: (6, 1), 11: (7, 1), 1: (2, -1), 6: (5, -1)}
        return raised[interval]

    def transpose(self, semitones: int) -> Key:
        return Key(self.tonic + semitones, self.mode)

    def interval_to(self, other: Key) -> int:
        """Semitones from this key's tonic to ``other``'s, as the nearest move (-5 to +6):
        what material in this key is transposed by to sound in ``other``."""
        shift = (other.tonic - self.tonic) % 12
        return shift - 12 if shift > 6 else shift

    def __str__(self) -> str:
        return f"{self.tonic_name} {self.mode}"
