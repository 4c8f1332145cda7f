"""Meters: time signatures with their beat grouping, measured in quarter notes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .errors import TemplateError, expected

# Default groupings in units of the denominator (7/8 = 2+2+3 eighths, 5/4 = 3+2 quarters).
_DEFAULT_GROUPING = {
    (4, 4): (2, 2),
    (3, 4): (3,),
    (6, 4): (3, 3),
    (2, 2): (1, 1),
    (3, 8): (3,),
    (6, 8): (3, 3),
    (9, 8): (3, 3, 3),
    (12, 8): (3, 3, 3, 3),
    (5, 4): (3, 2),
    (5, 8): (3, 2),
    (7, 4): (4, 3),
    (7, 8): (2, 2, 3),
}
_METER_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*(?:\(\s*([\d+\s]+)\s*\)|:\s*([\d+\s]+))?\s*$")
MAX_NUMERATOR = 32


@dataclass(frozen=True)
class Meter:
    """A time signature.

    Args:
        numerator: units per bar.
        denominator: the unit's note value (4 = quarter, 8 = eighth), a power of two.
        grouping: how the units group into felt beats; sums to ``numerator``.
    """

    numerator: int
    denominator: int
    grouping: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.numerator, int) or not 1 <= self.numerator <= MAX_NUMERATOR:
            raise expected(f"a meter numerator 1-{MAX_NUMERATOR}", self.numerator)
        if self.denominator not in (1, 2, 4, 8, 16, 32):
            raise TemplateError(
                f"meter {self.numerator}/{self.denominator}: "
                "expected a denominator of 1, 2, 4, 8, 16 or 32"
            )
        grouping = tuple(self.grouping) or _DEFAULT_GROUPING.get(
            (self.numerator, self.denominator), (1,) * self.numerator
        )
        if sum(grouping) != self.numerator or any(g <= 0 for g in grouping):
            raise TemplateError(
                f"meter {self.numerator}/{self.denominator}: grouping "
                f"{'+'.join(map(str, grouping))} does not add up to {self.numerator}"
            )
        object.__setattr__(self, "grouping", grouping)

    @classmethod
    def parse(cls, text: str) -> Meter:
        """Parse ``4/4``, ``6/8``, ``7/8``, or with a grouping ``7/8:3+2+2`` or ``7/8(3+2+2)``."""
        if not isinstance(text, str):
            raise expected("a meter such as 4/4 or 6/8", text)
        match = _METER_RE.match(text)
        if not match:
            raise expected("a meter such as 4/4, 6/8 or 7/8:3+2+2", text)
        num, den, group_a, group_b = match.groups()
        group_text = group_a or group_b
        grouping: tuple[int, ...] = ()
        if group_text:
            try:
                grouping = tuple(int(g) for g in group_text.split("+"))
            except ValueError:
                raise expected("a grouping such as 3+2+2", group_text) from None
        return cls(int(num), int(den), grouping)

    @property
    def quarters_per_bar(self) -> Fraction:
        """Bar length in quarter notes (6/8 -> 3, 7/8 -> 7/2)."""
        return Fraction(4 * self.numerator, self.denominator)

    def _group_offsets(self) -> tuple[Fraction, ...]:
        unit = Fraction(4, self.denominator)
        offsets, position = [], Fraction(0)
        for group in self.grouping:
            offsets.append(position)
            position += group * unit
        return tuple(offsets)

    @property
    def beat_offsets(self) -> tuple[Fraction, ...]:
        """Quarter-note offsets of the counted beats within a bar.

        Meters over 2 or 4 count every unit (4/4 -> 0, 1, 2, 3; 5/4 -> 0..4); meters over
        8 or 16 count one beat per group (6/8 -> 0, 3/2; 7/8 as 2+2+3 -> 0, 1, 2).
        """
        if self.denominator >= 8:
            return self._group_offsets()
        unit = Fraction(4, self.denominator)
        return tuple(i * unit for i in range(self.numerator))

    @property
    def accent_offsets(self) -> tuple[Fraction, ...]:
        """Quarter-note offsets of the strong beats: the starts of the groups (4/4 -> 0, 2)."""
        return self._group_offsets()

    @property
    def is_compound(self) -> bool:
        return self.numerator in (6, 9, 12) and self.denominator == 8

    @property
    def tempo_beat(self) -> Fraction:
        """The note a tempo counts, in quarter notes, as musicians count it: the dotted quarter
        in 6/8, 9/8 and 12/8, the half note over 2 (2/2, 3/2), else the quarter."""
        if self.is_compound:
            return Fraction(3, 2)
        if self.denominator == 2:
            return Fraction(2)
        return Fraction(1)

    def quarters_per_minute(self, tempo: float) -> float:
        """A tempo in this meter's beats per minute as quarter notes per minute (MIDI's)."""
        return tempo * float(self.tempo_beat)

    def __str__(self) -> str:
        base = f"{self.numerator}/{self.denominator}"
        default = _DEFAULT_GROUPING.get((self.numerator, self.denominator), (1,) * self.numerator)
        if self.grouping != default:
            base += ":" + "+".join(map(str, self.grouping))
        return base
