"""Templates: the user's partial wish for a song, from Python, YAML, form strings or a style.

Every field may be left blank (``None``); the planner fills blanks from the style, from the
models learned on POP909 and from the seed. Values are checked on construction, so a bad
template fails with a ``TemplateError`` naming the field, before anything is planned.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, fields
from typing import Any

from .chordgrid import ChordGrid, parse_chord_grid
from .errors import TemplateError, expected
from .key import Key
from .labels import KNOWN_LETTERS
from .meter import Meter
from .plan import ENERGY_LEVELS, SECTION_KINDS, TrackSpec

MAX_BARS = 1024
TEMPO_RANGE = (20.0, 320.0)
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


def _positive_int(value: object, name: str, limit: int = MAX_BARS) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise expected(f"a positive integer (at most {limit})", value, field=name)
    return value


def _number(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise expected(f"a number between {low:g} and {high:g}", value, field=name)
    return float(value)


def _key(value: object, name: str) -> Key:
    if isinstance(value, Key):
        return value
    try:
        return Key.parse(value)  # type: ignore[arg-type]
    except TemplateError as error:
        raise TemplateError(error.detail, field=name) from None


def _meter(value: object, name: str) -> Meter:
    if isinstance(value, Meter):
        return value
    try:
        return Meter.parse(value)  # type: ignore[arg-type]
    except TemplateError as error:
        raise TemplateError(error.detail, field=name) from None


def parse_phrases(value: object) -> tuple[tuple[str, int], ...]:
    """``"A4 A4"`` or ``"A4A4"`` -> ``(("A", 4), ("A", 4))``."""
    if not isinstance(value, str) or not _PHRASES_RE.match(value):
        raise expected('phrase labels with bar counts such as "A4 A4"', value, field="phrases")
    phrases = tuple(
        (letter, int(digits)) for letter, digits in re.findall(r"([A-Za-z])(\d+)", value)
    )
    for letter, bars in phrases:
        if letter not in KNOWN_LETTERS:
            raise TemplateError(
                f'phrase label "{letter}": expected one of {"".join(sorted(KNOWN_LETTERS))}',
                field="phrases",
            )
        if bars <= 0:
            raise expected("phrases of at least one bar", value, field="phrases")
    return phrases


def parse_repeat(value: object) -> tuple[str, int]:
    """``"chorus"`` or ``"chorus 2"`` -> ``("chorus", 2)``; the number defaults to 1."""
    match = _REPEAT_RE.match(value) if isinstance(value, str) else None
    if not match:
        raise expected('a section to repeat such as "chorus 1"', value, field="repeat")
    try:
        kind = normalize_kind(match.group(1))
    except TemplateError as error:
        raise TemplateError(error.detail, field="repeat") from None
    return kind, int(match.group(2) or 1)


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
            _positive_int(self.bars, "bars")
        if self.chords is not None:
            try:
                grid = self.grid
            except TemplateError as error:
                raise TemplateError(error.detail, field="chords") from None
            length = self.length
            if grid is not None and length is not None and len(grid) > length:
                raise TemplateError(
                    f"{len(grid)} bars of chords do not fit in {length} bars", field="chords")
        if self.key is not None:
            put(self, "key", _key(self.key, "key"))
        if self.meter is not None:
            put(self, "meter", _meter(self.meter, "meter"))
        if self.tempo is not None:
            put(self, "tempo", _number(self.tempo, "tempo", *TEMPO_RANGE))
        if self.energy is not None:
            _positive_int_or_zero(self.energy, "energy", ENERGY_LEVELS - 1)
        if self.instruments is not None:
            put(self, "instruments", _names(self.instruments, "instruments"))
        if self.phrases is not None and not isinstance(self.phrases, tuple):
            put(self, "phrases", parse_phrases(self.phrases))
        if self.phrases is not None:
            total = sum(b for _, b in self.phrases)  # type: ignore[misc]
            if self.bars is not None and total != self.bars:
                raise TemplateError(f"phrases add up to {total} bars, but bars is {self.bars}",
                                    field="phrases")
        if self.phrase_bars is not None:
            _positive_int(self.phrase_bars, "phrase_bars")
        if self.variation is not None:
            put(self, "variation", _number(self.variation, "variation", 0.0, 1.0))

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


def _positive_int_or_zero(value: object, name: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise expected(f"an integer 0-{limit}", value, field=name)
    return value


def _names(value: object, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        raise expected("a list of track names", value, field=name)
    return tuple(v.strip() for v in value)


@dataclass(frozen=True)
class Template:
    """A song template: the parts of a song the user cares to fix.

    Args:
        sections: the form as ``Section`` objects (or give ``form``, or neither).
        form: a form string, ``"intro:4 verse:8 chorus:8"`` or ``"i4A8B8o4"``.
        key, meter, tempo: the song's defaults (sections may override them).
        style: a built-in style name (``songform styles`` lists them); default ``pop``.
        title: the song's title.
        bars: target length when the form is to be sampled from the style's form model.
        instruments: the tracks (``TrackSpec``), overriding the style's.
        key_change: semitones the last chorus moves up (0 for none).
        variation: default variation of restated phrases.
        seed: the seed to use when the caller gives none.
        source: where the template came from, for error messages.
    """

    sections: tuple[Section, ...] | None = None
    form: str | None = None
    key: Key | str | None = None
    meter: Meter | str | None = None
    tempo: float | None = None
    style: str | None = None
    title: str | None = None
    bars: int | None = None
    instruments: tuple[TrackSpec, ...] | None = None
    key_change: int | None = None
    variation: float | None = None
    seed: int | None = None
    source: str = ""

    def __post_init__(self) -> None:
        put = object.__setattr__
        if self.sections is not None and self.form is not None:
            raise TemplateError("give either sections or form, not both", field="form")
        if self.form is not None:
            from .form import parse_form

            put(self, "sections", parse_form(self.form))
        if self.sections is not None:
            if not isinstance(self.sections, (list, tuple)) or not self.sections:
                raise expected("a non-empty list of sections", self.sections, field="sections")
            for i, section in enumerate(self.sections):
                if not isinstance(section, Section):
                    raise expected("a Section", section, field=f"sections[{i}]")
            put(self, "sections", tuple(self.sections))
            _check_repeats(self.sections)
        if self.key is not None:
            put(self, "key", _key(self.key, "key"))
        if self.meter is not None:
            put(self, "meter", _meter(self.meter, "meter"))
        if self.tempo is not None:
            put(self, "tempo", _number(self.tempo, "tempo", *TEMPO_RANGE))
        if self.style is not None:
            from .styles import get_style

            try:
                get_style(self.style)
            except TemplateError as error:
                raise TemplateError(error.detail, field="style") from None
        if self.title is not None and not isinstance(self.title, str):
            raise expected("a title as text", self.title, field="title")
        if self.bars is not None:
            _positive_int(self.bars, "bars")
        if self.instruments is not None:
            if not isinstance(self.instruments, (list, tuple)) or not self.instruments:
                raise expected("a non-empty list of instruments", self.instruments,
                               field="instruments")
            for i, track in enumerate(self.instruments):
                if not isinstance(track, TrackSpec):
                    raise expected("a TrackSpec", track, field=f"instruments[{i}]")
            put(self, "instruments", tuple(self.instruments))
            names = [t.name for t in self.instruments]
            if len(set(names)) != len(names):
                raise TemplateError(f"instrument names must be unique, got {names}",
                                    field="instruments")
            if self.sections:
                for i, section in enumerate(self.sections):
                    unknown = set(section.instruments or ()) - set(names)
                    if unknown:
                        raise TemplateError(
                            f"unknown instruments {sorted(unknown)}: expected names among "
                            f"{names}", field=f"sections[{i}].instruments")
        if self.key_change is not None and (
            isinstance(self.key_change, bool) or not isinstance(self.key_change, int)
            or not -11 <= self.key_change <= 11
        ):
            raise expected("a key change in semitones, -11 to 11", self.key_change,
                           field="key_change")
        if self.variation is not None:
            put(self, "variation", _number(self.variation, "variation", 0.0, 1.0))
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise expected("an integer seed", self.seed, field="seed")
        if not isinstance(self.source, str):
            raise expected("a source name", self.source, field="source")

    def replace(self, **changes: Any) -> Template:
        """A copy with ``changes`` applied (``sections`` and ``form`` replace each other)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["form"] = None  # once parsed, the form lives in ``sections``
        values.update(changes)
        if changes.get("form") is not None:
            values["sections"] = None
        return Template(**values)


def _check_repeats(sections: tuple[Section, ...]) -> None:
    seen: dict[str, int] = {}
    for i, section in enumerate(sections):
        if section.repeat is not None:
            kind, number = section.repeat  # type: ignore[misc]
            if seen.get(kind, 0) < number:
                have = seen.get(kind, 0)
                raise TemplateError(
                    f'repeats "{kind} {number}", but only {have} {kind} section'
                    f"{'' if have == 1 else 's'} come before it",
                    field=f"sections[{i}].repeat",
                )
        seen[section.kind] = seen.get(section.kind, 0) + 1  # type: ignore[index]
