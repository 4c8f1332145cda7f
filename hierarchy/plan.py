"""The plan contract: ``SongPlan`` -> ``SectionPlan`` -> ``PhrasePlan``, and ``BarPlan`` per bar.

The planner writes a ``SongPlan``; the corpus side derives one from real music. Both speak
this one type. Time inside a bar is measured in quarter notes (``offset``), as MIDI does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from songform.core.limits import (
    MAX_BAR_QUARTERS,
    MAX_TRACKS,
    PLAN_TEMPO_RANGE,
    SEED_RANGE,
    SWING_RANGE,
)

from .chord import Chord
from .errors import TemplateError, expected
from .key import Key
from .meter import Meter

TRACK_ROLES = ("melody", "counter-melody", "harmony", "bass", "drums")
"""Track roles. POP909's MELODY, BRIDGE and PIANO tracks are melody, counter-melody, harmony."""

SECTION_KINDS = (
    "intro", "verse", "pre-chorus", "chorus", "post-chorus", "bridge", "interlude", "solo",
    "breakdown", "build", "drop", "head", "outro", "phrase", "strain",
)
"""Section kinds. ``phrase`` is a chorale's phrase (it ends on a held chord), ``strain`` a
dance tune's part (a reel's or jig's A and B, each played twice)."""
MIX_CONTROLS = ("volume", "reverb", "chorus")
"""A track's mix settings given as MIDI controller values (CC7, CC91, CC93)."""
STRAIGHT = 0.5  # swing: the off-beat eighth halfway through the beat


def check_swing(value: object, field: str = "swing") -> float:
    """``value`` if it is a swing amount within ``core.limits.SWING_RANGE``."""
    low, high = SWING_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            low <= value <= high):
        raise expected(f"a swing from {low} (straight) to {high} (a hard shuffle)", value,
                       field=field)
    return float(value)


def check_seed(value: object, field: str = "seed") -> int:
    """``value`` if it is an integer seed within ``core.limits.SEED_RANGE``."""
    low, high = SEED_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise expected(f"an integer seed from {low} to {high}", value, field=field)
    return value


def check_humanize(value: object, field: str = "humanize") -> float:
    """``value`` if it is a humanising amount from 0 (on the grid) to 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            0.0 <= value <= 1.0):
        raise expected("a humanize amount from 0 (on the grid) to 1", value, field=field)
    return float(value)


ENERGY_LEVELS = 8  # energy is an integer 0..7, see hierarchy/energy.py
DRUM_MIDI_CHANNEL = 9  # General MIDI's drum channel, the tenth
PLAN_FORMAT_VERSION = 1


@dataclass(frozen=True)
class TrackSpec:
    """One part of the arrangement.

    Args:
        name: track name shown in DAWs and scores (unique within a song).
        program: General MIDI program 0-127 (ignored for drums).
        role: one of ``TRACK_ROLES``.
        is_drum: whether the part plays the GM drum kit on channel 10.
        pan: place in the stereo field, -1 (left) to 1 (right); ``None``: from the role and
            instrument (``render.mix``).
        volume, reverb, chorus: the part's level and its reverb and chorus sends, MIDI
            controller values 0-127 (CC7, CC91, CC93); ``None``: from role, instrument and
            style.
        channel: the MIDI channel 0-15 the part keeps (a track of a user's file: a sketch,
            a melody); ``None``: the writer gives one (drums 9, the others in order).
    """

    name: str
    program: int
    role: str
    is_drum: bool = False
    pan: float | None = None
    volume: int | None = None
    reverb: int | None = None
    chorus: int | None = None
    channel: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise expected("a non-empty track name", self.name, field="name")
        if isinstance(self.program, bool) or not isinstance(self.program, int) or not (
            0 <= self.program <= 127
        ):
            raise expected("a General MIDI program 0-127", self.program, field="program")
        if self.role not in TRACK_ROLES:
            raise expected(f"a role ({', '.join(TRACK_ROLES)})", self.role, field="role")
        if not isinstance(self.is_drum, bool):
            raise expected("is_drum as true or false", self.is_drum, field="is_drum")
        if (self.role == "drums") != self.is_drum:
            object.__setattr__(self, "is_drum", self.role == "drums")
        if self.channel is not None and (
                isinstance(self.channel, bool) or not isinstance(self.channel, int)
                or not 0 <= self.channel <= 15 or (self.channel == DRUM_MIDI_CHANNEL)
                != (self.role == "drums")):
            raise expected("a MIDI channel 0-15 (9, the tenth, for drums and only drums)",
                           self.channel, field="channel")
        if self.pan is not None and (isinstance(self.pan, bool) or not isinstance(
                self.pan, (int, float)) or not -1.0 <= self.pan <= 1.0):
            raise expected("a pan from -1 (left) to 1 (right)", self.pan, field="pan")
        for name in MIX_CONTROLS:
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not 0 <= value <= 127):
                raise expected("a MIDI controller value 0-127", value, field=name)

    def mix_fields(self) -> dict[str, Any]:
        """The mix settings the template gave (pan, volume, reverb, chorus), for JSON."""
        return {name: getattr(self, name) for name in ("pan", *MIX_CONTROLS)
                if getattr(self, name) is not None}


@dataclass(frozen=True)
class ChordEvent:
    """A chord starting ``offset`` quarter notes after the bar line."""

    offset: float
    symbol: str

    def __post_init__(self) -> None:
        if isinstance(self.offset, bool) or not isinstance(self.offset, (int, float)) \
                or not 0 <= self.offset < MAX_BAR_QUARTERS:
            raise expected("a chord offset in quarter notes from the bar line", self.offset,
                           field="chords")
        if not isinstance(self.symbol, str):
            raise expected("a chord symbol", self.symbol, field="chords")

    @property
    def chord(self) -> Chord:
        return Chord.parse(self.symbol)


BarChords = tuple[ChordEvent, ...]


def chord_events(symbols: Sequence[str], offsets: Sequence[float]) -> BarChords:
    """One bar's chord events from a symbol per beat: a new event wherever the symbol changes.

    Args:
        symbols: the chord symbol sounding on each beat of the bar.
        offsets: each beat's offset from the bar line, in quarter notes.
    """
    events, previous = [], None
    for symbol, offset in zip(symbols, offsets, strict=True):
        if symbol != previous:
            events.append(ChordEvent(offset, symbol))
            previous = symbol
    return tuple(events)


@dataclass(frozen=True)
class PhrasePlan:
    """A phrase: a few bars of one material.

    Args:
        label: material label; equal labels mean the same material (POP909 letters).
        bars: length in bars.
        chords: one tuple of ``ChordEvent`` per bar.
        repeat_of: song-wide index of the earlier phrase this one restates, or ``None``.
        variation: how freely a restatement may differ, 0 = copy, 1 = free.
    """

    label: str
    bars: int
    chords: tuple[BarChords, ...]
    repeat_of: int | None = None
    variation: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label:
            raise expected("a phrase label", self.label, field="label")
        if isinstance(self.bars, bool) or not isinstance(self.bars, int) or self.bars <= 0:
            raise expected("a positive number of bars", self.bars, field="bars")
        if self.repeat_of is not None and (isinstance(self.repeat_of, bool)
                                           or not isinstance(self.repeat_of, int)):
            raise expected("the index of an earlier phrase", self.repeat_of, field="repeat_of")
        if isinstance(self.variation, bool) or not isinstance(self.variation, (int, float)):
            raise expected("a variation between 0 and 1", self.variation, field="variation")
        if len(self.chords) != self.bars:
            raise TemplateError(
                f"phrase {self.label}: {len(self.chords)} bars of chords for {self.bars} bars"
            )
        if not 0.0 <= self.variation <= 1.0:
            raise expected("a variation between 0 and 1", self.variation, field="variation")


@dataclass(frozen=True)
class SectionPlan:
    """A section (verse, chorus, ...) and the phrases it holds."""

    kind: str
    key: Key
    meter: Meter
    tempo: float
    """Beats per minute, counting the meter's beat (``Meter.tempo_beat``)."""
    energy: int
    tracks: tuple[str, ...]
    phrases: tuple[PhrasePlan, ...]
    swing: float = STRAIGHT
    """Where the off-beat eighth falls in the beat: 0.5 straight, 2/3 a triplet shuffle.
    Tokens and notation keep the straight grid; MIDI and audio play the feel."""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind:
            raise expected("a section kind", self.kind, field="kind")
        if not self.phrases:
            raise TemplateError(f"section {self.kind}: expected at least one phrase")
        check_swing(self.swing)
        if isinstance(self.energy, bool) or not isinstance(self.energy, int) \
                or not 0 <= self.energy < ENERGY_LEVELS:
            raise expected(f"an energy level 0-{ENERGY_LEVELS - 1}", self.energy, field="energy")
        low, high = PLAN_TEMPO_RANGE
        if isinstance(self.tempo, bool) or not isinstance(self.tempo, (int, float)) \
                or not low <= self.tempo <= high:
            raise expected(f"a tempo between {low:g} and {high:g} BPM", self.tempo,
                           field="tempo")
        if not all(isinstance(name, str) for name in self.tracks):
            raise expected("track names", self.tracks, field="tracks")

    @property
    def bars(self) -> int:
        return sum(phrase.bars for phrase in self.phrases)


@dataclass(frozen=True)
class BarPlan:
    """Everything the plan says about one bar (derived; one per bar of the song).

    ``start`` is in quarter notes from the song's start; chord offsets are from the bar line.
    ``repeat_of_bar`` is the song-wide index of the bar this one restates, or ``None``.
    """

    index: int
    start: float
    section_index: int
    section_kind: str
    section_number: int
    phrase_index: int
    phrase_label: str
    bar_in_phrase: int
    bar_in_section: int
    chords: BarChords
    key: Key
    meter: Meter
    tempo: float
    energy: int
    tracks: tuple[str, ...]
    repeat_of_bar: int | None
    variation: float
    swing: float = STRAIGHT

    @property
    def length(self) -> float:
        """Bar length in quarter notes."""
        return float(self.meter.quarters_per_bar)

    def chord_at(self, offset: float) -> Chord | None:
        """The chord sounding ``offset`` quarters into the bar (the bar's first before its
        onset), or ``None`` for a bar without chords; ``N`` parses to a chord with no root."""
        events = [e for e in self.chords if e.offset <= offset + 1e-9] or list(self.chords[:1])
        return events[-1].chord if events else None

    @property
    def quarter_tempo(self) -> float:
        """The tempo in quarter notes per minute (``tempo`` counts the meter's beat)."""
        return self.meter.quarters_per_minute(self.tempo)


@dataclass(frozen=True)
class SongPlan:
    """A fully explicit song: its tracks and sections, each section's phrases and chords;
    ``notes`` says in a line each what the planner chose that the template did not spell
    out (a modulating bridge, chord symbols moved with a key change)."""

    title: str
    style: str
    seed: int
    tracks: tuple[TrackSpec, ...]
    sections: tuple[SectionPlan, ...]
    notes: tuple[str, ...] = field(default=(), compare=False)
    humanize: float = 0.0
    """0 plays on the grid; up to 1 moves each note's timing (a few milliseconds) and
    velocity by a seeded amount as the MIDI file is written."""
    _phrase_index: tuple[tuple[int, PhrasePlan], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self.sections:
            raise TemplateError("a song needs at least one section")
        check_seed(self.seed)
        if not isinstance(self.title, str) or not isinstance(self.style, str):
            raise expected("a title and a style name", (self.title, self.style), field="title")
        if len(self.tracks) > MAX_TRACKS:
            raise expected(f"at most {MAX_TRACKS} tracks (MIDI has 16 channels)",
                           len(self.tracks), field="tracks")
        check_humanize(self.humanize)
        names = [t.name for t in self.tracks]
        if len(set(names)) != len(names):
            raise TemplateError(f"track names must be unique, got {names}")
        flat = tuple((i, p) for i, s in enumerate(self.sections) for p in s.phrases)
        object.__setattr__(self, "_phrase_index", flat)
        for section in self.sections:
            unknown = set(section.tracks) - set(names)
            if unknown:
                raise TemplateError(
                    f"section {section.kind} plays tracks {sorted(unknown)} that the song lacks"
                )
        for index, (_, phrase) in enumerate(flat):
            if phrase.repeat_of is None:
                continue
            if not 0 <= phrase.repeat_of < index:
                raise TemplateError(
                    f"phrase {index} ({phrase.label}) repeats phrase {phrase.repeat_of}, "
                    "which is not an earlier phrase"
                )
            source = flat[phrase.repeat_of][1]
            if source.label != phrase.label or phrase.label in NEVER_REPEATED_LABELS:
                raise TemplateError(
                    f"phrase {index} ({phrase.label}) cannot restate phrase "
                    f"{phrase.repeat_of} ({source.label})"
                )

    # -- views -----------------------------------------------------------------------------
    def phrases(self) -> tuple[tuple[int, PhrasePlan], ...]:
        """Every phrase in song order with its section index; positions are phrase indices."""
        return self._phrase_index

    @property
    def num_bars(self) -> int:
        return sum(section.bars for section in self.sections)

    @property
    def duration_quarters(self) -> float:
        return sum(s.bars * float(s.meter.quarters_per_bar) for s in self.sections)

    @property
    def duration_seconds(self) -> float:
        return sum(s.bars * float(s.meter.quarters_per_bar) * 60.0
                   / s.meter.quarters_per_minute(s.tempo) for s in self.sections)

    def bar_seconds(self) -> list[float]:
        """Every bar line in seconds from the song's start: each bar's start, then the last
        bar's end (``num_bars + 1`` values), from each bar's length and tempo."""
        times, now = [], 0.0
        for bar in self.bars():
            times.append(now)
            now += bar.length * 60.0 / bar.quarter_tempo
        times.append(now)
        return times

    def section_seconds(self) -> list[float]:
        """Each section's start in seconds, then the song's end (``len(sections) + 1``
        values): the bar lines of :meth:`bar_seconds` where sections begin."""
        lines = self.bar_seconds()
        starts, bar = [], 0
        for section in self.sections:
            starts.append(lines[bar])
            bar += section.bars
        return [*starts, lines[-1]]

    def section_names(self) -> tuple[str, ...]:
        """Display names numbered by kind: ``Intro``, ``Verse 1``, ``Chorus 2``...

        A kind that occurs once is not numbered.
        """
        totals: dict[str, int] = {}
        for section in self.sections:
            totals[section.kind] = totals.get(section.kind, 0) + 1
        seen: dict[str, int] = {}
        names = []
        for section in self.sections:
            seen[section.kind] = seen.get(section.kind, 0) + 1
            title = section.kind.replace("-", " ").title().replace(" ", "-")
            names.append(title if totals[section.kind] == 1 else f"{title} {seen[section.kind]}")
        return tuple(names)

    def bars(self) -> Iterator[BarPlan]:
        """One ``BarPlan`` per bar, in order."""
        phrase_first_bar: list[int] = []
        bar_index, start = 0, 0.0
        phrase_index = 0
        kind_counts: dict[str, int] = {}
        for section_index, section in enumerate(self.sections):
            kind_counts[section.kind] = kind_counts.get(section.kind, 0) + 1
            bar_in_section = 0
            for phrase in section.phrases:
                phrase_first_bar.append(bar_index)
                for bar_in_phrase in range(phrase.bars):
                    restated = None
                    if phrase.repeat_of is not None:
                        source = self._phrase_index[phrase.repeat_of][1]
                        if bar_in_phrase < source.bars:
                            restated = phrase_first_bar[phrase.repeat_of] + bar_in_phrase
                    yield BarPlan(
                        index=bar_index,
                        start=start,
                        section_index=section_index,
                        section_kind=section.kind,
                        section_number=kind_counts[section.kind],
                        phrase_index=phrase_index,
                        phrase_label=phrase.label,
                        bar_in_phrase=bar_in_phrase,
                        bar_in_section=bar_in_section,
                        chords=phrase.chords[bar_in_phrase],
                        key=section.key,
                        meter=section.meter,
                        tempo=section.tempo,
                        energy=section.energy,
                        tracks=section.tracks,
                        repeat_of_bar=restated,
                        variation=phrase.variation,
                        swing=section.swing,
                    )
                    bar_index += 1
                    bar_in_section += 1
                    start += float(section.meter.quarters_per_bar)
                phrase_index += 1

    # -- JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT_VERSION,
            "title": self.title,
            "style": self.style,
            "seed": self.seed,
            "tracks": [
                {"name": t.name, "program": t.program, "role": t.role, "is_drum": t.is_drum,
                 **t.mix_fields(), **({"channel": t.channel} if t.channel is not None else {})}
                for t in self.tracks
            ],
            "sections": [_section_to_dict(s) for s in self.sections],
            **({"notes": list(self.notes)} if self.notes else {}),
            **({"humanize": self.humanize} if self.humanize else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SongPlan:
        try:
            return cls(
                title=str(data["title"]),
                style=str(data["style"]),
                seed=int(data["seed"]),
                tracks=tuple(TrackSpec(**t) for t in data["tracks"]),
                sections=tuple(_section_from_dict(s) for s in data["sections"]),
                notes=tuple(str(n) for n in data.get("notes", ())),
                humanize=data.get("humanize", 0.0),
            )
        except TemplateError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise TemplateError(f"not a songform plan: {error!r}") from None

    def to_json(self) -> str:
        """Canonical JSON: the same plan always gives the same bytes."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SongPlan:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise TemplateError(f"plan JSON: {error}") from None
        if not isinstance(data, dict):
            raise TemplateError("plan JSON: expected an object at the top level")
        return cls.from_dict(data)


NEVER_REPEATED_LABELS = frozenset({"X", "x"})
"""Labels that mark material that never recurs (POP909's X and x)."""


def _section_to_dict(section: SectionPlan) -> dict[str, Any]:
    return {
        **({"swing": section.swing} if section.swing != STRAIGHT else {}),
        "kind": section.kind,
        "key": str(section.key),
        "meter": str(section.meter),
        "tempo": section.tempo,
        "energy": section.energy,
        "tracks": list(section.tracks),
        "phrases": [
            {
                "label": p.label,
                "bars": p.bars,
                "repeat_of": p.repeat_of,
                "variation": p.variation,
                "chords": [[[e.offset, e.symbol] for e in bar] for bar in p.chords],
            }
            for p in section.phrases
        ],
    }


def _number(value: object, name: str) -> float:
    """``value`` as a float if it is a number (a string or a truth value is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise expected("a number", value, field=name)
    return float(value)


def _section_from_dict(data: dict[str, Any]) -> SectionPlan:
    phrases = tuple(
        PhrasePlan(
            label=p["label"],
            bars=p["bars"],
            chords=tuple(
                tuple(ChordEvent(_number(offset, "chords"), symbol) for offset, symbol in bar)
                for bar in p["chords"]
            ),
            repeat_of=p.get("repeat_of"),
            variation=_number(p.get("variation", 0.0), "variation"),
        )
        for p in data["phrases"]
    )
    return SectionPlan(
        kind=data["kind"],
        key=Key.parse(data["key"]),
        meter=Meter.parse(data["meter"]),
        tempo=_number(data["tempo"], "tempo"),
        energy=data["energy"],
        tracks=tuple(data["tracks"]),
        phrases=phrases,
        swing=data.get("swing", STRAIGHT),
    )
