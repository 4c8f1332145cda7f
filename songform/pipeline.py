"""The song pipeline, diffusers-style: built from its parts (a planner, a note writer, an audio
renderer), it loads nothing itself; one call takes a template and a seed, writes the outputs
and reports progress through a callback. ``songform.compose``, ``songform generate`` and
every later command that writes songs call it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from symusic import Score

from songform.core.errors import InputError
from songform.core.fileio import atomic_write_text, check_output_folder, reserved_folder
from songform.core.limits import MAX_SONGS
from songform.hierarchy.key import Key
from songform.hierarchy.plan import SongPlan
from songform.hierarchy.planner import plan_song, song_seed
from songform.hierarchy.template import Template
from songform.render.audio import AUDIO_FORMATS as RENDER_AUDIO_FORMATS
from songform.render.engines import Renderer, get_renderer
from songform.render.master import MasterConfig
from songform.symbolic.devices import check_device
from songform.symbolic.generate import GenerateConfig
from songform.symbolic.song import PlannedScore
from songform.symbolic.writers import NoteWriter, note_writer

from .arrange import arrange_melody
from .edit import (
    EditRequest,
    PreparedEdit,
    edit_song,
    edit_writer,
    memory_project,
    prepare_edit,
)
from .project import PROJECT_FILE, Project, sha256, token_bars
from .sketch import continue_sketch
from .song import Song

Planner = Callable[[Template, int], SongPlan]
Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stage is ``plan``, ``notes`` (bars), ``midi``, ``project``,
``musicxml``, ``pianoroll`` or ``audio`` (windows)."""

STAGING_PREFIX = ".songform-staging-"
SKETCH_BARS_AFTER = 48
"""Bars a continued sketch goes on for when no length is given."""
OUTPUTS = ("plan", "midi", "project", "musicxml", "pianoroll", "audio")
"""What a song writes by default; ``stems`` (one file per track in ``stems/``) on request."""
ALL_OUTPUTS = (*OUTPUTS, "stems")
AUDIO_FORMATS = tuple(suffix.lstrip(".") for suffix in RENDER_AUDIO_FORMATS)
SONG_FILES = frozenset({"plan.json", PROJECT_FILE, "song.mid", "song.musicxml", "pianoroll.png",
                        *(f"song.{suffix}" for suffix in AUDIO_FORMATS), "stems"})
"""What a song's folder holds: a run removes those of a former song it does not write."""


@dataclass(frozen=True)
class Written:
    """One output file: what it is, where, and the seconds it took."""

    output: str
    path: Path
    seconds: float


@dataclass
class PipelineResult:
    """A composed song and the files written for it (in order)."""

    song: Song
    seed: int
    written: list[Written] = field(default_factory=list)
    edit: PreparedEdit | None = None
    """For an edit: what was asked, the bars written again, the lines worth showing."""
    score: float | None = None
    """For one of several ranked takes: its take score."""


@dataclass(frozen=True)
class SeedShare:
    """The seeds this process writes: every ``world``-th seed from ``rank`` under
    ``torchrun`` (``RANK`` of ``WORLD_SIZE``), all of them in a plain run."""

    seeds: list[int]
    rank: int = 0
    world: int = 1

    @classmethod
    def of(cls, seeds: Sequence[int]) -> SeedShare:
        """This process's share of ``seeds``.

        Raises:
            InputError: ``RANK`` outside ``WORLD_SIZE`` (or not numbers).
        """
        try:
            rank = int(os.environ.get("RANK", 0))
            world = int(os.environ.get("WORLD_SIZE", 1))
        except ValueError:
            raise InputError("RANK and WORLD_SIZE: expected whole numbers") from None
        if not 0 <= rank < world:
            raise InputError(f"RANK {rank} is outside WORLD_SIZE {world}")
        return cls(list(seeds)[rank::world], rank, world)


@dataclass
class SongPipeline:
    """Template -> plan -> notes -> files.

    Args:
        writer: writes the plan's notes (``symbolic.writers``: model or arranger).
        renderer: renders audio (``render.engines``), or ``None`` for no audio.
        planner: template and seed -> ``SongPlan`` (default ``hierarchy.plan_song``).
        device: where the renderer runs (the writer was loaded for its device).
    """

    writer: NoteWriter
    renderer: Renderer | None = None
    planner: Planner = plan_song
    device: str = "cpu"

    @classmethod
    def from_options(cls, notes: str = "auto", checkpoint: str | Path | None = None,
                     device: str = "cpu", generation: GenerateConfig | None = None,
                     engine: str | None = None, model_path: str | Path | None = None,
                     soundfont: str | Path | None = None, strength: float | None = None,
                     steps: int | None = None, batch_size: int | None = None,
                     loudness: float | None = None, threads: int | None = None
                     ) -> SongPipeline:
        """Build every part from plain options, checking each (checkpoint, engine, model
        folder, SoundFont) before any work is done.

        Args:
            notes, checkpoint: who writes the notes (``symbolic.writers.note_checkpoint``).
            generation: the model's sampling settings.
            engine: ``fluidsynth``, ``musicgen``, ``stable-audio``, or ``None`` for no audio.
            model_path, soundfont, strength, steps, batch_size, loudness: the engine's
                (``render.engines.get_renderer``; loudness is the master's LUFS).
            threads: torch CPU threads while the model writes (default the library's
                choice, ``symbolic.threads.DECODING_THREADS``).

        Raises:
            ValueError: a bad writer option. RenderError: a bad engine option.
            InputError, MachineError: an unknown device, or one this machine lacks.
        """
        check_device(device)
        renderer = None
        if engine is not None:
            renderer = get_renderer(engine, model=model_path, soundfont=soundfont,
                                    device=device, strength=strength, steps=steps,
                                    batch_size=batch_size, loudness=loudness)
        return cls(note_writer(notes, checkpoint, device, generation, threads), renderer,
                   device=device)

    @classmethod
    def for_edit(cls, project: Project, notes: str = "auto",
                 checkpoint: str | Path | None = None, device: str = "cpu", takes: int = 1,
                 engine: str | None = None, threads: int | None = None,
                 **settings: float | None) -> SongPipeline:
        """A pipeline to edit ``project``: its writer samples with the project's own settings,
        then ``settings`` (temperature, top_p, chord_bias; ``None`` keeps the project's),
        ``takes`` side by side (``songform.edit.edit_settings``)."""
        check_device(device)
        renderer = get_renderer(engine, device=device) if engine is not None else None
        return cls(edit_writer(project, notes, checkpoint, device, takes, threads, **settings),
                   renderer, device=device)

    def _plan(self, source: Template | SongPlan, seed: int) -> SongPlan:
        """The plan of ``source``: a saved plan as it is, a template planned with ``seed``."""
        return source if isinstance(source, SongPlan) else self.planner(source, seed)

    def compose(self, template: Template | SongPlan, seed: int | None = None,
                progress: Progress | None = None) -> Song:
        """Plan ``template`` and write its notes (no files)."""
        seed = song_seed(template, seed)
        plan = self._plan(template, seed)
        return self._notes(plan, seed, progress)

    def __call__(self, template: Template | SongPlan, seed: int | None = None,
                 out: str | Path | None = None, outputs: Sequence[str] = OUTPUTS,
                 audio_format: str = "wav", progress: Progress | None = None
                 ) -> PipelineResult:
        """Compose a song and write ``outputs`` into ``out`` (``plan.json``, ``song.mid``,
        ``song.musicxml``, ``pianoroll.png``, ``song.wav|flac|ogg|mp3``; ``stems/`` when
        asked).

        Steps: 1. plan the template with the seed; 2. write the plan; 3. write the notes;
        4. write MIDI, MusicXML and the piano roll; 5. render audio (when the pipeline has a
        renderer and ``audio`` is asked for); 6. move every file into ``out`` together.
        Until step 6 the files live in a staging folder inside ``out``, so a run that fails or
        is interrupted leaves ``out`` as it was (a killed run's staging folder is removed by
        the next run).
        """
        self._check_outputs(outputs, audio_format)
        seed = song_seed(template, seed)
        if out is None:
            return PipelineResult(self.compose(template, seed, progress), seed)
        with reserved_folder(out):
            return self._staged(Path(out), lambda staging: self._write(
                template, seed, staging, outputs, audio_format, progress or _quiet))

    def many(self, template: Template | SongPlan, seeds: Sequence[int], out: str | Path,
             outputs: Sequence[str] = OUTPUTS, audio_format: str = "wav",
             batch_size: int = 4, progress: Progress | None = None
             ) -> list[PipelineResult]:
        """Compose one song per seed, ``batch_size`` songs at a time side by side through the
        note writer (when one ends, the next plan takes its place at once), each into
        ``out/seed-<seed>/`` as soon as it is written, exactly as ``__call__`` writes a
        single song there (same files, same bytes). Results in seed order."""
        self._check_outputs(outputs, audio_format)
        if batch_size < 1:
            raise ValueError(f"batch size: expected at least 1, got {batch_size}")
        report = progress or _quiet
        seeds = list(seeds)
        plans = [self._plan(template, seed) for seed in seeds]
        report("plan", 1, 1)
        report("notes", 0, sum(p.num_bars for p in plans))
        results = {}
        check_output_folder(out)  # each song's folder is held as it is written: processes
        for index, score in self.writer.write_stream(  # under torchrun share ``out``
                plans, seeds, batch_size, progress=lambda done, total: report("notes", done,
                                                                               total)):
            seed, plan = seeds[index], plans[index]
            song = Song.from_symbolic(score)
            results[index] = self._staged(
                Path(out) / f"seed-{seed}", lambda staging, song=song, plan=plan, seed=seed:
                self._write_files(song, plan, seed, staging, outputs, audio_format, report, []))
        return [results[index] for index in range(len(seeds))]

    def _staged(self, folder: Path, write: Callable[[Path], PipelineResult]) -> PipelineResult:
        """Run ``write`` into a staging folder inside ``folder``, then move its files into
        ``folder`` together (the folder held against other runs meanwhile). The folder holds
        one song: a former song's files that this run does not write are removed, so that two
        runs one after the other, or at the same time, leave one song's files, never a mix."""
        with reserved_folder(folder):
            return self._staged_in(folder, write)

    def _staged_in(self, folder: Path, write: Callable[[Path], PipelineResult]
                   ) -> PipelineResult:
        remove_stale_staging(folder)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=folder))
        try:
            result = write(staging)
            names = {item.path.name for item in result.written}
            for name in SONG_FILES - names:  # a former song's files would not match this one
                former = folder / name
                if former.is_dir() and not former.is_symlink():
                    shutil.rmtree(former)
                elif former.exists() or former.is_symlink():
                    former.unlink()
            for item in result.written:
                target = folder / item.path.name
                if target.is_dir() and (staging / item.path.name).is_dir():
                    shutil.rmtree(target)  # a folder output (stems) replaces the old one
                os.replace(staging / item.path.name, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        result.written = [Written(w.output, folder / w.path.name, w.seconds)
                          for w in result.written]
        return result

    def _write(self, template: Template | SongPlan, seed: int, folder: Path,
               outputs: Sequence[str],
               audio_format: str, report: Progress) -> PipelineResult:
        # 1-2. the plan
        plan = self._plan(template, seed)
        report("plan", 1, 1)
        # 3. the notes
        song = self._notes(plan, seed, report)
        return self._write_files(song, plan, seed, folder, outputs, audio_format, report, [])

    def _write_files(self, song: Song, plan: SongPlan, seed: int, folder: Path,
                     outputs: Sequence[str], audio_format: str, report: Progress,
                     written: list[Written], edits: list[dict] | None = None
                     ) -> PipelineResult:
        if "plan" in outputs:
            started = time.perf_counter()
            atomic_write_text(folder / "plan.json", plan.to_json())
            written.append(Written("plan", folder / "plan.json", time.perf_counter() - started))
        result = PipelineResult(song, seed, written)
        # 4-5. the files
        jobs: list[tuple[str, str, Callable[[Path], Path]]] = [
            ("midi", "song.mid", song.save_midi),
            ("musicxml", "song.musicxml", song.save_musicxml),
            ("pianoroll", "pianoroll.png", song.pianoroll)]
        if self.renderer is not None:
            renderer = self.renderer

            stems = folder / "stems" if "stems" in outputs else None

            def render_audio(path: Path) -> Path:
                return renderer.render(song, path, seed=seed, device=self.device,
                                       progress=lambda done, total: report("audio", done,
                                                                           total),
                                       stems=stems)

            jobs.append(("audio", f"song.{audio_format}", render_audio))
        if "project" in outputs and "midi" in outputs:
            jobs.insert(1, ("project", PROJECT_FILE,
                            lambda path: self._project(song, plan, seed, path, edits)))
        for output, name, job in jobs:
            if output not in outputs:
                continue
            report(output, 0, 1)
            started = time.perf_counter()
            job(folder / name)
            written.append(Written(output, folder / name, time.perf_counter() - started))
            if output == "audio" and "stems" in outputs:
                written.append(Written("stems", folder / "stems", 0.0))
            report(output, 1, 1)
        return result

    def _project(self, song: Song, plan: SongPlan, seed: int, path: Path,
                 edits: list[dict] | None) -> Path:
        """``song.json`` for the song whose MIDI was just written beside ``path``."""
        bars = token_bars(song)
        writer = song.project.writer if song.project is not None else self.writer.identity()
        project = Project(plan=plan, seed=seed, writer=writer, bars=bars, midi="song.mid",
                          midi_sha256=sha256(path.with_name("song.mid")), edits=edits or [])
        return project.save(path)

    def edit(self, project: Project, request: EditRequest, out: str | Path | None = None,
             outputs: Sequence[str] = OUTPUTS, audio_format: str = "wav",
             progress: Progress | None = None) -> PipelineResult:
        """Edit ``project`` as ``request`` asks (``songform.edit``) and write the song into
        ``out`` (nothing written when ``None``; never the project's own folder); the result's
        ``edit`` says what was done."""
        self._check_outputs(outputs, audio_format)
        check_edit_folder(project, out)
        report = progress or _quiet
        done = edit_song(project, request, self.writer,
                         progress=lambda bars, total: report("notes", bars, total))
        song = Song.from_symbolic(done.song, done.project)
        result = (self.write_song(song, out, outputs, audio_format, report)
                  if out is not None else PipelineResult(song, project.seed))
        result.edit = done.prepared
        return result

    def edit_takes(self, project: Project, request: EditRequest, count: int,
                   out: str | Path, outputs: Sequence[str] = OUTPUTS,
                   audio_format: str = "wav") -> list[PipelineResult]:
        """``count`` takes of an edit (seeds ``request.seed`` on), ranked by the take score
        of the sections written again, each into ``out/take-<rank>`` (1 the best)."""
        self._check_outputs(outputs, audio_format)
        check_edit_folder(project, out)
        prepared = prepare_edit(project, request, self.writer)
        results = []
        for rank, (score, seed, edited) in enumerate(prepared.ranked_takes(count), start=1):
            record = {**prepared.record(seed), "rank": rank, "score": round(score, 4),
                      "candidates": count}
            song = Song.from_symbolic(edited, prepared.project_after(edited, project, record))
            result = self.write_song(song, Path(out) / f"take-{rank}", outputs, audio_format)
            result.edit, result.score = prepared, score
            results.append(result)
        return results

    def arrange(self, melody: Score, out: str | Path | None = None, *,
                style: str | None = None, seed: int | None = None, chords: str | None = None,
                key: Key | None = None, melody_track: str | None = None,
                title: str = "melody", form: Template | None = None,
                channels: list[int | None] | None = None,
                outputs: Sequence[str] = OUTPUTS, audio_format: str = "wav",
                progress: Progress | None = None) -> PipelineResult:
        """Arrange ``melody`` (``songform.arrange``: it stays note for note as the lead, on
        its own channel when ``channels`` gives the file's) and write the song into ``out``
        (nothing written when ``None``)."""
        self._check_outputs(outputs, audio_format)
        report = progress or _quiet
        seed = song_seed(None, seed)
        song = arrange_melody(melody, self.writer, style=style, seed=seed, chords=chords,
                              key=key, melody_track=melody_track, title=title, form=form,
                              progress=lambda done, total: report("notes", done, total),
                              channels=channels)
        return self._written(song, seed, out, outputs, audio_format, report)

    def continue_(self, sketch: PlannedScore, template: Template, bars: int | None = None,
                  seed: int | None = None, out: str | Path | None = None,
                  outputs: Sequence[str] = OUTPUTS, audio_format: str = "wav",
                  progress: Progress | None = None) -> PipelineResult:
        """The song that opens with ``sketch`` note for note (``songform.sketch``) and goes on
        to ``bars`` bars (default the sketch and 48 more), written into ``out``."""
        self._check_outputs(outputs, audio_format)
        if isinstance(template, SongPlan):
            raise InputError("--primer: a saved plan is a song as it stands; a sketch is "
                             "continued from a template")
        report = progress or _quiet
        seed = song_seed(template, seed)
        total = bars if bars is not None else sketch.plan.num_bars + SKETCH_BARS_AFTER
        song = continue_sketch(sketch, template, total, seed, self.writer,
                               lambda done, count: report("notes", done, count))
        return self._written(song, seed, out, outputs, audio_format, report)

    def _written(self, notes: PlannedScore, seed: int, out: str | Path | None,
                 outputs: Sequence[str], audio_format: str, report: Progress
                 ) -> PipelineResult:
        song = Song.from_symbolic(notes, memory_project(notes, seed, self.writer.identity()))
        if out is None:
            return PipelineResult(song, seed)
        return self.write_song(song, out, outputs, audio_format, report)

    def write_song(self, song: Song, out: str | Path, outputs: Sequence[str] = OUTPUTS,
                   audio_format: str = "wav", progress: Progress | None = None
                   ) -> PipelineResult:
        """Write the outputs of a song already composed (an edited one) into ``out``, staged
        and moved into place together as ``__call__`` does; its project (seed, edits) is the
        song's own."""
        self._check_outputs(outputs, audio_format)
        project = song.project or memory_project(song)
        return self._staged(Path(out), lambda staging: self._write_files(
            song, song.plan, project.seed, staging, outputs, audio_format,
            progress or _quiet, [], project.edits))

    def _check_outputs(self, outputs: Sequence[str], audio_format: str) -> None:
        stems = "stems" in outputs and self.renderer is not None and self.renderer.makes_stems
        check_request(outputs, audio_format, "fluidsynth" if stems else None)

    def _notes(self, plan: SongPlan, seed: int, progress: Progress | None) -> Song:
        report = progress or _quiet
        report("notes", 0, plan.num_bars)
        notes = self.writer.write(plan, seed,
                                  progress=lambda done, total: report("notes", done, total))
        return Song.from_symbolic(notes, memory_project(notes, seed, self.writer.identity()))


def check_edit_folder(project: Project, out: str | Path | None) -> None:
    """Refuse to write an edit over the project it edits."""
    if out is not None and project.folder is not None \
            and Path(out).resolve() == project.folder.resolve():
        raise InputError(f"--out: {out} holds the project being edited; write the edit "
                         "elsewhere")


def check_request(outputs: Sequence[str] = OUTPUTS, audio_format: str = "wav",
                  engine: str | None = "fluidsynth", count: int = 1, batch_size: int = 1,
                  loudness: float | None = None) -> None:
    """A run's request checked before anything loads: the outputs and audio format, stems
    only with an engine that plays each track apart, the number of songs and how many are
    written side by side, the master's loudness (even when no audio is asked for).

    Raises:
        InputError: naming the option.
    """
    unknown = set(outputs) - set(ALL_OUTPUTS)
    if unknown:
        raise InputError(f"outputs: unknown {sorted(unknown)}; expected some of {ALL_OUTPUTS}")
    if audio_format not in AUDIO_FORMATS:
        raise InputError(f'--format: expected {", ".join(AUDIO_FORMATS)}, got '
                         f'"{audio_format}"')
    if "stems" in outputs and not ("audio" in outputs and engine == "fluidsynth"):
        raise InputError("--stems: they come with the audio, from an engine that plays each "
                         "track apart (fluidsynth)")
    for name, value in (("--count", count), ("--songs-per-batch", batch_size)):
        if not 1 <= value <= MAX_SONGS:
            raise InputError(f"{name}: expected 1 to {MAX_SONGS}, got {value}")
    if loudness is not None:
        MasterConfig(loudness_lufs=loudness)


def remove_stale_staging(folder: Path) -> list[Path]:
    """Remove staging folders left in ``folder`` by runs that were killed (their process is
    gone); returns what was removed."""
    removed = []
    for staging in folder.glob(f"{STAGING_PREFIX}*"):
        owner = staging.name[len(STAGING_PREFIX):].split("-", 1)[0]
        if staging.is_dir() and (not owner.isdigit() or not _alive(int(owner))):
            shutil.rmtree(staging, ignore_errors=True)
            removed.append(staging)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True





def _quiet(stage: str, done: int, total: int) -> None:
    """A progress callback that shows nothing."""
