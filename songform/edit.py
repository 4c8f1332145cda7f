"""An edit of a song project, as one recipe for the CLI (``songform edit``) and Python: what
is asked (:class:`EditRequest`), checked as a whole; the sampling settings (the project's
own, then what the caller sets); and the edit prepared against a project and a note writer
(:func:`prepare_edit`), in a fixed order: a DAW's MIDI taken in, tracks removed, tracks
added, a section extended, sections' fields set, a part chosen to write again. The prepared
edit writes a take per seed (:meth:`PreparedEdit.take`: the chosen bars written again, then
the transposition and the tempo) and ranks several (:meth:`PreparedEdit.ranked_takes`).

:func:`edit_song` is the whole recipe, for ``SongPipeline.edit`` (the CLI) and the
``Song`` edit verbs (Python) alike: the same request, settings and writer give the same
song and the same project record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from songform.core.errors import InputError
from songform.hierarchy.key import Key
from songform.render.midi import playable
from songform.symbolic.generate_config import GenerateConfig
from songform.symbolic.song import PlannedScore
from songform.symbolic.takes import section_scores
from songform.symbolic.writers import NoteWriter, note_writer

from .daw import project_with_midi
from .plan_edits import (
    extended,
    transposed,
    with_section,
    with_tempo,
    with_track,
    without_track,
)
from .project import Project, part_bars, regenerate, token_bars


@dataclass(frozen=True)
class EditRequest:
    """What an edit asks for (the options of ``songform edit``)."""

    regenerate: str | None = None
    bars: str | None = None
    track: str | None = None
    sets: tuple[str, ...] = ()
    tempo: float | None = None
    transpose: int | None = None
    key: str | None = None
    add_tracks: tuple[str, ...] = ()
    remove_tracks: tuple[str, ...] = ()
    extend: tuple[str, int] | None = None
    midi: Path | None = None
    seed: int = 1
    keep_restatements: bool = False
    chord_bias: float | None = None

    def check(self) -> None:
        """One clear error for a request that cannot be carried out as a whole.

        Raises:
            InputError: nothing asked, or options that do not go together.
        """
        if self.regenerate is not None and self.bars is not None:
            raise InputError("give --regenerate SECTION or --bars A-B, not both")
        if not self.asks_anything:
            raise InputError("nothing to edit: give --midi, --regenerate, --bars, --set, "
                             "--tempo, --transpose, --key, --add-track, --remove-track or "
                             "--extend")
        if self.track is not None and (self.regenerate is None and self.bars is None
                                       or self.sets or self.extend):
            raise InputError("--track goes with --regenerate or --bars (and not with --set "
                             "or --extend)")
        if self.key is not None and self.transpose is not None:
            raise InputError("give --key or --transpose, not both")

    @property
    def asks_anything(self) -> bool:
        return any(value not in (None, (), False) for value in (
            self.regenerate, self.bars, self.sets, self.tempo, self.transpose, self.key,
            self.add_tracks, self.remove_tracks, self.extend, self.midi))


def edit_settings(project: Project, takes: int = 1, **chosen: float | None) -> GenerateConfig:
    """The sampling settings of an edit: the project's own, then those ``chosen`` (``None``
    keeps the project's), written ``takes`` times side by side."""
    stored = GenerateConfig.from_dict(project.writer.get("generation", {}))
    return dataclasses.replace(stored, takes=takes,
                               **{k: v for k, v in chosen.items() if v is not None})


def key_shift(home: Key, wanted: str) -> int:
    """The semitones (-6 to 5) that move a song in ``home`` to the key ``wanted`` (the mode
    stays the song's)."""
    try:
        target = Key.parse(wanted)
    except ValueError as error:
        raise InputError(f"--key: {error}") from None
    if target.mode != home.mode:
        raise InputError(f"--key: the song is in {home}; give a {home.mode} key (--key moves "
                         "the song, it does not change its mode)")
    return (target.tonic - home.tonic + 6) % 12 - 6


@dataclass
class PreparedEdit:
    """An edit ready to write: the song under its new plan, the bars to write again (those
    asked for sampled afresh, the rest following them), what to move, and the record the
    project keeps."""

    base: PlannedScore
    writer: NoteWriter
    chosen: list[int]
    fresh: list[int]
    request: EditRequest
    transpose: int | None = None
    added: list[str] = field(default_factory=list)
    from_midi: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Lines worth showing: a changed MIDI file, a writer other than the project's."""

    @property
    def touched_sections(self) -> list[int]:
        """The indices of the sections the written bars lie in."""
        return sorted({b.section_index for b in self.base.plan.bars() if b.index in self.chosen})

    def take(self, seed: int, progress=None) -> PlannedScore:
        """The edited song with the chosen bars written with ``seed`` (``progress(done,
        total)`` as bars are written)."""
        edited = self.base
        if self.chosen:
            edited = regenerate(edited, self.chosen, seed, self.writer, self.fresh,
                                self.request.track, progress)
        if self.transpose:
            edited = transposed(edited, self.transpose)
        if self.request.tempo is not None:
            edited = with_tempo(edited, self.request.tempo)
        return edited

    def ranked_takes(self, count: int) -> list[tuple[float, int, PlannedScore]]:
        """``(score, seed, song)`` for seeds ``seed``..``seed + count - 1``, best first by
        the take score of the sections written again (measured on the notes the MIDI file
        will hold)."""
        if not self.chosen:
            raise InputError("--all: nothing is written again (give --regenerate, --bars "
                             "or --set)")
        touched = self.touched_sections
        takes = []
        for seed in range(self.request.seed, self.request.seed + count):
            song = self.take(seed)
            scores = [score.total for index, score in section_scores(playable(song))
                      if index in touched]
            takes.append((sum(scores) / len(scores), seed, song))
        return sorted(takes, key=lambda item: (-item[0], item[1]))

    def project_after(self, edited: PlannedScore, project: Project,
                      record: dict[str, Any] | None = None) -> Project:
        """``project`` once this edit wrote ``edited``: its plan and note tokens, and the
        edit's ``record`` (default :meth:`record`) at the end of its edits."""
        bars = token_bars(edited)
        return dataclasses.replace(project, plan=edited.plan, bars=bars,
                                   writer=self.writer.identity(),
                                   edits=[*project.edits, record or self.record()])

    def record(self, seed: int | None = None) -> dict[str, Any]:
        """What the project's list of edits keeps of this one."""
        request = self.request
        identity = self.writer.identity()
        return {"bars": [b + 1 for b in self.chosen], "track": request.track,
                "seed": request.seed if seed is None else seed, "set": list(request.sets),
                "tempo": request.tempo, "transpose": self.transpose,
                "removed": list(request.remove_tracks), "added": list(request.add_tracks),
                "extended": list(request.extend) if request.extend is not None else None,
                "midi": {"file": request.midi.name, "bars": [b + 1 for b in self.from_midi]}
                if request.midi is not None else None,
                "writer": identity.get("checkpoint") or identity.get("kind")}


def prepare_edit(project: Project, request: EditRequest, writer: NoteWriter,
                 song: PlannedScore | None = None) -> PreparedEdit:
    """``request`` prepared against ``project`` for ``writer`` (see the module docstring);
    the song is ``song`` when given (one held in memory), else the project's own files.

    Raises:
        InputError: the request does not fit the song (an unknown section, track or bar).
    """
    request.check()
    notes: list[str] = []
    from_midi: list[int] = []
    if request.midi is not None:
        song, from_midi, why = project_with_midi(project, request.midi, writer)
        notes += [why] if why else []
    elif song is None:
        song = project.song()
    transpose = (key_shift(project.plan.sections[0].key, request.key)
                 if request.key is not None else request.transpose)
    for name in request.remove_tracks:
        song = without_track(song, name)
    added = []
    for spec in request.add_tracks:
        song = with_track(song, spec, request.seed, writer, request.chord_bias)
        new_track = song.plan.tracks[-1]
        why = writer.player(song.plan, new_track.name)
        added.append(f"{new_track.name} ({new_track.role}, "
                     + ("written by the model)" if why is None
                        else f"played by the arranger: {why})"))
    fresh: set[int] = set()
    follow: set[int] = set()
    if request.extend is not None:
        song, new_bars = extended(song, request.extend[0], request.extend[1])
        fresh |= set(new_bars)
    plan = song.plan
    for item in request.sets:
        words = item.split()
        at = next((i for i, word in enumerate(words) if "=" in word), 0)
        name = " ".join(words[:at])
        field_name, _, value = " ".join(words[at:]).partition("=")
        if not name or not value:
            raise InputError(f'--set: expected "SECTION FIELD=VALUE", got "{item}"')
        plan, touched = with_section(plan, name, **{field_name: value})
        fresh |= set(touched)
    if request.regenerate is not None or request.bars is not None:
        part, written = part_bars(plan, request.regenerate, request.bars,
                                  request.keep_restatements)
        fresh |= set(part)
        follow = set(written)
    identity = writer.identity()
    if (identity.get("weights_sha256") != project.writer.get("weights_sha256")
            or identity.get("kind") != project.writer.get("kind")):
        author = project.writer.get("checkpoint") or project.writer.get("kind")
        notes.append(f"the project was written by {author}; these bars are written by "
                     f"{writer.description}")
    return PreparedEdit(base=PlannedScore(plan=plan, score=song.score, written=song.written),
                        writer=writer, chosen=sorted(fresh | follow), fresh=sorted(fresh),
                        request=request, transpose=transpose, added=added,
                        from_midi=from_midi, notes=notes)


@dataclass
class EditedSong:
    """An edit carried out: the song, its project record (the edit at the end of its edits)
    and the edit as prepared (what was asked, which bars, the lines worth showing)."""

    song: PlannedScore
    project: Project
    prepared: PreparedEdit


def edit_song(project: Project, request: EditRequest, writer: NoteWriter,
              song: PlannedScore | None = None, progress=None) -> EditedSong:
    """The whole edit: ``request`` prepared against ``project`` (its song, or ``song`` when
    given) and written with ``writer`` at the request's seed (``progress(done, total)`` as
    bars are written)."""
    prepared = prepare_edit(project, request, writer, song)
    edited = prepared.take(request.seed, progress)
    return EditedSong(edited, prepared.project_after(edited, project), prepared)


def edit_writer(project: Project, notes: str = "auto", checkpoint: str | Path | None = None,
                device: str = "cpu", takes: int = 1, threads: int | None = None,
                **chosen: float | None) -> NoteWriter:
    """The note writer of an edit: ``notes`` and ``checkpoint`` as for any song (a checkpoint
    is loaded once per process), sampling with :func:`edit_settings`."""
    return note_writer(notes, checkpoint, device, edit_settings(project, takes, **chosen),
                       threads)


def memory_project(song: PlannedScore, seed: int = 0, writer: dict[str, Any] | None = None
                   ) -> Project:
    """The project of a song held in memory and not yet saved: its plan and tokens, ``seed``
    and who wrote it (``NoteWriter.identity()``; default settings when unknown)."""
    bars = token_bars(song)
    return Project(plan=song.plan, seed=seed, writer=dict(writer or {}), bars=bars,
                   midi="song.mid", midi_sha256="")
