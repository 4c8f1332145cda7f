"""Template sections and the field checks templates share: every field may be blank, and a bad
value fails on construction with a ``TemplateError`` naming the field."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from songform.core.limits import MAX_BARS, MAX_SECTIONS, TEMPO_RANGE

from .chordgrid import ChordGrid, parse_chord_grid
from .errors import TemplateError, expected
from .key import Key
from .labels import KNOWN_LETTERS, parse_count
from .meter import Meter
from .plan import ENERGY_LEVELS, SECTION_KINDS, check_swing

KIND_ALIASES = {
    "prechorus": "pre-chorus", "pre chorus": "pre-chorus", "pre_chorus": "pre-chorus",
    "postchorus": "post-chorus", "post_chorus": "post-chorus", "refrain": "chorus",
    "instrumental": "interlude", "coda": "outro", "break": "breakdown", "buildup": "build",
    "middle8": "bridge", "middle-8": "bridge",
}
_REPEAT_RE = re.compile(r"^\s*([A-Za-z][A-Za-z _-]*?)\s*(\d+)?\s*$")
_PHRASES_RE = re.compile(r"^(?:\s*[A-Za-z]\d+\s*)+$")


def normalize_kind(kind: object) -> str:
    """Canonical section kind (``Chorus`` -> ``chorus``, ``prechorus`` -> ``pre-chorus``)."""
    if not isinstance(kind, str) or not kind.strip():
        raise expected(f"a section kind ({', '.join(SECTION_KINDS)})", kind)
    text = kind.strip().lower()
    text = KIND_ALIASES.get(text, text)
    if text not in SECTION_KINDS:
        close = difflib.get_close_matches(text, SECTION_KINDS, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise TemplateError(
            f'unknown section kind "{kind}"{hint}: expected one of {", ".join(SECTION_KINDS)}'
        )
    return text


def positive_int(value: object, name: str, limit: int = MAX_BARS) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise expected(f"a positive integer (at most {limit})", value, field=name)
    return value


def number_in(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise expected(f"a number between {low:g} and {high:g}", value, field=name)
    return float(value)


def key_value(value: object, name: str) -> Key:
    if isinstance(value, Key):
        return value
    try:
        return Key.parse(value)  # type: ignore[arg-type]
    except TemplateError as error:
        raise TemplateError(error.detail, field=name) from None


def meter_value(value: object, name: str) -> Meter:
    if isinstance(value, Meter):
        return value
    try:
        return Meter.parse(value)  # type: ignore[arg-type]
    except TemplateError as error:
        raise TemplateError(error.detail, field=name) from None


def tempo_value(value: object, name: str) -> float:
    return number_in(value, name, *TEMPO_RANGE)


SHARED_SETTINGS = (("key", key_value), ("meter", meter_value), ("tempo", tempo_value))
"""The settings a template and each of its sections share, with their checks."""


def check_key_meter_tempo(target: object) -> None:
    """Check and normalise the :data:`SHARED_SETTINGS` fields of the frozen dataclass
    ``target`` (a template or a section) in place."""
    for name, check in SHARED_SETTINGS:
        value = getattr(target, name)
        if value is not None:
            object.__setattr__(target, name, check(value, name))


def parse_phrases(value: object) -> tuple[tuple[str, int], ...]:
    """``"A4 A4"`` or ``"A4A4"`` -> ``(("A", 4), ("A", 4))``."""
    if not isinstance(value, str) or not _PHRASES_RE.match(value):
        raise expected('phrase labels with bar counts such as "A4 A4"', value, field="phrases")
    phrases = []
    for letter, digits in re.findall(r"([A-Za-z])(\d+)", value):
        if letter not in KNOWN_LETTERS:
            raise TemplateError(
                f'phrase label "{letter}": expected one of {"".join(sorted(KNOWN_LETTERS))}',
                field="phrases",
            )
        try:
            phrases.append((letter, parse_count(digits, "number of bars in a phrase")))
        except TemplateError as error:
            raise TemplateError(error.detail, field="phrases") from None
    if sum(bars for _, bars in phrases) > MAX_BARS:
        raise TemplateError(f"the phrases add up to more than {MAX_BARS} bars",
                            field="phrases")
    return tuple(phrases)


def parse_repeat(value: object) -> tuple[str, int]:
    """``"chorus"`` or ``"chorus 2"`` -> ``("chorus", 2)``; the number defaults to 1."""
    match = _REPEAT_RE.match(value) if isinstance(value, str) else None
    if not match:
        raise expected('a section to repeat such as "chorus 1"', value, field="repeat")
    try:
        kind = normalize_kind(match.group(1))
        number = parse_count(match.group(2), "section number", MAX_SECTIONS) \
            if match.group(2) else 1
    except TemplateError as error:
        raise TemplateError(error.detail, field="repeat") from None
    return kind, number


@dataclass(frozen=True)
class Section:
    """One section of a template; everything but ``kind`` (or ``repeat``) may be blank.

    Args:
        kind: verse, chorus, bridge... (see ``SECTION_KINDS``; common aliases accepted).
        bars: length in bars.
        chords: a chord grid (``"I V vi IV"``, ``"| C G | Am F |"``), cycled over the bars.
        key, meter, tempo: this section's own, overriding the song's.
        energy: 0-7, see ``hierarchy.energy``.
        instruments: names of the tracks that play here.
        phrases: explicit phrase labels and lengths, ``"A4 A4"``.
        phrase_bars: split the section into phrases of this many bars.
        repeat: restate an earlier section (``"chorus 1"``: the first chorus).
        variation: 0 (copy) to 1 (free) for restated phrases.
        swing: this section's feel, 0.5 (straight) to 0.75 (a hard shuffle).
    """

    kind: str | None = None
    bars: int | None = None
    chords: str | None = None
    key: Key | str | None = None
    meter: Meter | str | None = None
    tempo: float | None = None
    energy: int | None = None
    instruments: tuple[str, ...] | None = None
    phrases: tuple[tuple[str, int], ...] | str | None = None
    phrase_bars: int | None = None
    repeat: tuple[str, int] | str | None = None
    variation: float | None = None
    swing: float | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__
        if self.repeat is not None and not isinstance(self.repeat, tuple):
            put(self, "repeat", parse_repeat(self.repeat))
        if self.kind is None:
            if self.repeat is None:
                raise TemplateError("expected a section kind (or repeat: an earlier section)",
                                    field="kind")
            put(self, "kind", self.repeat[0])  # type: ignore[index]
        else:
            try:
                put(self, "kind", normalize_kind(self.kind))
            except TemplateError as error:
                raise TemplateError(error.detail, field="kind") from None
        if self.bars is not None:
            positive_int(self.bars, "bars")
        if self.chords is not None:
            try:
                grid = self.grid
            except TemplateError as error:
                raise TemplateError(error.detail, field="chords") from None
            length = self.length
            if grid is not None and length is not None and len(grid) > length:
                raise TemplateError(
                    f"{len(grid)} bars of chords do not fit in {length} bars", field="chords")
        check_key_meter_tempo(self)
        if self.energy is not None:
            positive_int_or_zero(self.energy, "energy", ENERGY_LEVELS - 1)
        if self.instruments is not None:
            put(self, "instruments", track_names(self.instruments, "instruments"))
        if self.phrases is not None and not isinstance(self.phrases, tuple):
            put(self, "phrases", parse_phrases(self.phrases))
        if self.phrases is not None:
            total = sum(b for _, b in self.phrases)  # type: ignore[misc]
            if self.bars is not None and total != self.bars:
                raise TemplateError(f"phrases add up to {total} bars, but bars is {self.bars}",
                                    field="phrases")
        if self.phrase_bars is not None:
            positive_int(self.phrase_bars, "phrase_bars")
        if self.variation is not None:
            put(self, "variation", number_in(self.variation, "variation", 0.0, 1.0))
        if self.swing is not None:
            put(self, "swing", check_swing(self.swing))

    @property
    def grid(self) -> ChordGrid | None:
        """The parsed chord grid, or ``None``."""
        return None if self.chords is None else parse_chord_grid(self.chords)

    @property
    def length(self) -> int | None:
        """Bars, from ``bars`` or the explicit phrases."""
        if self.bars is not None:
            return self.bars
        if self.phrases:
            return sum(b for _, b in self.phrases)  # type: ignore[misc]
        return None


def positive_int_or_zero(value: object, name: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise expected(f"an integer 0-{limit}", value, field=name)
    return value


def track_names(value: object, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        raise expected("a list of track names", value, field=name)
    return tuple(v.strip() for v in value)
