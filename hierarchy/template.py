"""Templates: the user's partial wish for a song, from Python, YAML, form strings or a style.

Every field may be left blank (``None``); the planner fills blanks from the style, from the
models learned on POP909 and from the seed. Values are checked on construction, so a bad
template fails with a ``TemplateError`` naming the field, before anything is planned.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from songform.core.limits import MAX_BARS, MAX_SECTIONS, MAX_TRACKS

from .errors import TemplateError, expected
from .form import parse_form
from .key import Key
from .meter import Meter
from .plan import TrackSpec, check_humanize, check_swing
from .section import Section, check_key_meter_tempo, number_in, positive_int
from .styles import get_style

__all__ = ["Section", "Template"]


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
        bridge_key_change: semitones every bridge moves from the song's key (0 for none;
            ``None`` lets the style's seed choose).
        variation: default variation of restated phrases.
        swing: the feel of every section (0.5 straight .. 0.75 a hard shuffle); default the
            style's.
        humanize: 0 (on the grid, the default) to 1: seeded timing and velocity movements as
            the MIDI file is written.
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
    bridge_key_change: int | None = None
    variation: float | None = None
    swing: float | None = None
    humanize: float | None = None
    seed: int | None = None
    source: str = ""

    def __post_init__(self) -> None:
        put = object.__setattr__
        if self.sections is not None and self.form is not None:
            raise TemplateError("give either sections or form, not both", field="form")
        if self.form is not None:
            put(self, "sections", parse_form(self.form))
        if self.sections is not None:
            if not isinstance(self.sections, (list, tuple)) or not self.sections:
                raise expected("a non-empty list of sections", self.sections, field="sections")
            for i, section in enumerate(self.sections):
                if not isinstance(section, Section):
                    raise expected("a Section", section, field=f"sections[{i}]")
            put(self, "sections", tuple(self.sections))
            if len(self.sections) > MAX_SECTIONS:
                raise TemplateError(f"{len(self.sections)} sections: at most {MAX_SECTIONS}",
                                    field="sections")
            known = sum(s.length or 0 for s in self.sections)
            if known > MAX_BARS:
                raise TemplateError(f"the sections add up to {known} bars, more than "
                                    f"{MAX_BARS}", field="sections")
            _check_repeats(self.sections)
        check_key_meter_tempo(self)
        if self.style is not None:
            try:
                get_style(self.style)
            except TemplateError as error:
                raise TemplateError(error.detail, field="style") from None
        if self.title is not None and not isinstance(self.title, str):
            raise expected("a title as text", self.title, field="title")
        if self.bars is not None:
            positive_int(self.bars, "bars")
        if self.instruments is not None:
            if not isinstance(self.instruments, (list, tuple)) or not self.instruments:
                raise expected("a non-empty list of instruments", self.instruments,
                               field="instruments")
            for i, track in enumerate(self.instruments):
                if not isinstance(track, TrackSpec):
                    raise expected("a TrackSpec", track, field=f"instruments[{i}]")
            put(self, "instruments", tuple(self.instruments))
            if len(self.instruments) > MAX_TRACKS:
                raise TemplateError(f"{len(self.instruments)} instruments: at most "
                                    f"{MAX_TRACKS} (MIDI has 16 channels)", field="instruments")
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
        for name in ("key_change", "bridge_key_change"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not -11 <= value <= 11):
                raise expected("a key change in semitones, -11 to 11", value, field=name)
        if self.variation is not None:
            put(self, "variation", number_in(self.variation, "variation", 0.0, 1.0))
        if self.swing is not None:
            put(self, "swing", check_swing(self.swing))
        if self.humanize is not None:
            put(self, "humanize", check_humanize(self.humanize))
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
