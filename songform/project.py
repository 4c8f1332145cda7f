"""A song as a project: ``song.json`` beside its outputs holds what it takes to reopen the song
and write part of it again: the plan, the seed, who wrote the notes (the checkpoint's name and
weights' hash, the sampling settings, or the arranger), each bar's note tokens as the model
wrote them, and the MIDI file's name and hash.

``regenerate`` writes chosen bars again and keeps every other note as it was: the model is fed
the song's own tokens for the other bars (so the new bars are conditioned on the music before
them), and the notes outside the chosen bars are taken from the song itself, byte for byte.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from songform.core.errors import InputError
from songform.core.fileio import atomic_write_text, read_json
from songform.data.midi_files import read_midi_song
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.plan import SongPlan, check_seed
from songform.symbolic.generate_config import GenerateConfig
from songform.symbolic.song import PlannedScore
from songform.symbolic.writers import NoteWriter

PROJECT_FORMAT = "songform-project"
PROJECT_VERSION = 1
PROJECT_FILE = "song.json"


@dataclass
class Project:
    """What ``song.json`` holds (see the module docstring)."""

    plan: SongPlan
    seed: int
    writer: dict[str, Any]
    bars: list[list[str]] | None
    midi: str
    midi_sha256: str
    edits: list[dict[str, Any]] = field(default_factory=list)
    folder: Path | None = None

    def to_json(self) -> str:
        return json.dumps({"format": PROJECT_FORMAT, "version": PROJECT_VERSION,
                           "seed": self.seed, "writer": self.writer, "midi": self.midi,
                           "midi_sha256": self.midi_sha256, "edits": self.edits,
                           "plan": self.plan.to_dict(), "bars": self.bars},
                          indent=1) + "\n"

    def save(self, path: str | Path) -> Path:
        atomic_write_text(path, self.to_json())
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> Project:
        """Read ``song.json`` through its schema: one clear error naming the file and the
        field for another format or version, a wrong type, a number out of range or not
        finite, a token that is not a note token, sampling settings outside what
        ``generate`` accepts, a file too large or nested too deep."""
        path = Path(path)
        data = read_json(path, MAX_PROJECT_BYTES, "project")
        if not isinstance(data, dict) or data.get("format") != PROJECT_FORMAT:
            raise InputError(f"{path}: not a songform project file")
        if data.get("version") != PROJECT_VERSION:
            raise InputError(f"{path}: project version {data.get('version')!r}; this songform "
                             f"reads version {PROJECT_VERSION}")
        for name, kind in (("plan", dict), ("writer", dict), ("midi", str),
                           ("midi_sha256", str), ("edits", list)):
            if not isinstance(data.get(name, [] if name == "edits" else None), kind):
                raise InputError(f"{path}: field {name}: expected {_KIND_NAMES[kind]}, got "
                                 f"{_shown(data.get(name))}")
        try:
            plan = SongPlan.from_dict(data["plan"])
        except TemplateError as error:
            raise InputError(f"{path}: field plan: {error}") from None
        try:
            seed = check_seed(data.get("seed"))
        except TemplateError as error:
            raise InputError(f"{path}: field {error}") from None
        writer = data["writer"]
        try:
            GenerateConfig.from_dict(writer.get("generation", {}))
        except InputError as error:
            raise InputError(f"{path}: field writer.generation: {error}") from None
        midi = data["midi"]
        if Path(midi).name != midi or midi in ("", ".", ".."):
            raise InputError(f"{path}: field midi: expected a file name beside the project, "
                             f"got {_shown(midi)}")
        if not _is_sha256(data["midi_sha256"]):
            raise InputError(f"{path}: field midi_sha256: expected 64 hexadecimal digits")
        if not all(isinstance(edit, dict) for edit in data["edits"]):
            raise InputError(f"{path}: field edits: expected a list of objects")
        bars = data.get("bars")
        problem = _bars_problem(bars, plan.num_bars)
        if problem:
            raise InputError(f"{path}: field bars: {problem}")
        return cls(plan=plan, seed=seed, writer=dict(writer), bars=bars, midi=midi,
                   midi_sha256=data["midi_sha256"], edits=list(data["edits"]),
                   folder=path.parent)

    def song(self) -> PlannedScore:
        """The song: its MIDI file (checked against the hash), its plan and note tokens
        (``songform.load`` gives it as a ``Song``)."""
        midi = (self.folder or Path()) / self.midi
        if not midi.is_file():
            raise InputError(f"{midi}: the project's MIDI file is missing")
        if sha256(midi) != self.midi_sha256:
            raise InputError(f"{midi}: changed since the project was written (its hash "
                             "differs)")
        score = read_midi_song(midi).score
        written = tuple(tuple(bar) for bar in self.bars) if self.bars is not None else None
        return PlannedScore(plan=self.plan, score=score, written=written)


def token_bars(song: PlannedScore) -> list[list[str]] | None:
    """``song``'s note tokens as a project keeps them (a list per bar), or ``None``."""
    return [list(bar) for bar in song.written] if song.written is not None else None


MAX_PROJECT_BYTES = 64 * 1024 ** 2
"""The largest ``song.json`` read (a 1,024-bar song's is a few MB)."""
MAX_BAR_TOKENS = 4096
"""Note tokens one bar of a project may hold."""
_KIND_NAMES = {dict: "an object", str: "a string", list: "a list"}


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _bars_problem(bars: object, num_bars: int) -> str | None:
    """What is wrong with a project's note tokens (``None`` or a list of bars of token
    strings, one bar per bar of the plan), or ``None``."""
    if bars is None:
        return None
    if not isinstance(bars, list):
        return f"expected a list of bars, got {_shown(bars)}"
    if len(bars) != num_bars:
        return f"{len(bars)} bars of notes for a plan of {num_bars}"
    for index, bar in enumerate(bars, start=1):
        if not isinstance(bar, list) or len(bar) > MAX_BAR_TOKENS:
            return f"bar {index}: expected a list of at most {MAX_BAR_TOKENS} tokens"
        for token in bar:
            if not isinstance(token, str) or "_" not in token or len(token) > 64:
                return f"bar {index}: {_shown(token)} is not a note token"
    return None


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def section_bars(plan: SongPlan, name: str) -> list[int]:
    """The bar indices of the section called ``name`` (``bridge``, ``chorus 2``; any case);
    one clear error with "did you mean" otherwise."""
    names = plan.section_names()
    wanted = " ".join(name.replace("-", " ").lower().split())
    normal = [" ".join(n.replace("-", " ").lower().split()) for n in names]
    if wanted not in normal:
        numbered = [n for n in normal if n.startswith(wanted + " ")]
        hint = numbered or difflib.get_close_matches(wanted, normal, n=3, cutoff=0.5)
        choices = ", ".join(f'"{n}"' for n in (hint or normal))
        raise InputError(f'no section "{name}" in this song; did you mean {choices}?')
    index = normal.index(wanted)
    first = sum(section.bars for section in plan.sections[:index])
    return list(range(first, first + plan.sections[index].bars))


def bar_range(plan: SongPlan, text: str) -> list[int]:
    """Bars ``A-B`` (1-based, inclusive) as indices; one clear error outside the song."""
    try:
        low, _, high = text.partition("-")
        first, last = int(low), int(high or low)
    except ValueError:
        raise InputError(f'bars: expected "A-B" (e.g. 17-20), got "{text}"') from None
    if not 1 <= first <= last <= plan.num_bars:
        raise InputError(f"bars {text}: outside the song's bars 1-{plan.num_bars}")
    return list(range(first - 1, last))


def with_restatements(plan: SongPlan, bars: list[int]) -> list[int]:
    """``bars`` and every later bar that restates one of them (so a restated chorus follows a
    regenerated one)."""
    chosen = set(bars)
    for bar in plan.bars():
        if bar.repeat_of_bar is not None and bar.repeat_of_bar in chosen:
            chosen.add(bar.index)
    return sorted(chosen)


def part_bars(plan: SongPlan, section: str | None = None, bars: str | None = None,
              keep_restatements: bool = False) -> tuple[list[int], list[int]]:
    """The bars a user asks to write again (a section's name or bars ``A-B``) and the bars
    that get written: those and, unless ``keep_restatements``, later bars restating them."""
    if (section is None) == (bars is None):
        raise InputError("give a section or bars A-B to write again, not both or neither")
    asked = section_bars(plan, section) if section is not None else bar_range(plan, bars)
    return asked, asked if keep_restatements else with_restatements(plan, asked)


def regenerate(song: PlannedScore, bars: list[int], seed: int, writer: NoteWriter,
               asked: list[int] | None = None, track: str | None = None,
               progress=None) -> PlannedScore:
    """``song`` with ``bars`` written again by ``writer`` with ``seed``; every note outside
    them is the song's own. The ``asked`` bars (default all of ``bars``) are sampled afresh
    even where the plan restates an earlier bar; the others (later restatements of them)
    follow the plan, so a restated chorus follows its new source. With ``track`` only that
    track is written again, every other part kept note for note. Who plays what, and what
    the model hears of the rest, is the writer's to decide (``NoteWriter.write``)."""
    check_seed(seed)
    tracks = None
    if track is not None:
        spec = next((t for t in song.plan.tracks if t.name.lower() == track.lower()), None)
        if spec is None:
            raise InputError(f'--track: no track "{track}" in this song; its tracks are '
                             f"{', '.join(t.name for t in song.plan.tracks)}")
        tracks = [spec.name]
    return writer.write(song.plan, seed, progress, around=song, bars=bars,
                        fresh=bars if asked is None else asked, tracks=tracks)
