"""``songform generate`` (template -> every output) and ``songform render`` (MIDI -> audio)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from songform.hierarchy.planner import plan_song
from songform.hierarchy.sources import load_template

from .common import (
    BarsOpt,
    KeyOpt,
    MeterOpt,
    SeedOpt,
    SourceArg,
    StyleOpt,
    TempoOpt,
    console,
    fail,
    handles_errors,
)

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder (created if needed).")]
EngineOpt = Annotated[str, typer.Option("--engine",
                                         help="fluidsynth, musicgen or stable-audio.")]
ModelPathOpt = Annotated[Path | None, typer.Option(
    "--model-path", help="Local model folder for a neural engine (or $SONGFORM_MUSICGEN_PATH, "
                         "$SONGFORM_STABLE_AUDIO_PATH).")]
NotesOpt = Annotated[str, typer.Option(
    "--notes", help="Who writes the notes: model (the Music Transformer), arranger (the "
                    "rule-based baseline) or auto (the model when one is given or shipped).")]
CheckpointOpt = Annotated[Path | None, typer.Option(
    "--checkpoint", help="A checkpoint folder from `songform train --corpus pop909|midi` "
                         "(default: the shipped model).")]
StrengthOpt = Annotated[float | None, typer.Option(
    "--strength", help="stable-audio: 0 keeps the FluidSynth render (autoencoder round trip), "
                       "1 starts from noise [default 0.5].")]
StepsOpt = Annotated[int | None, typer.Option(
    "--steps", help="stable-audio: denoising steps at full strength [default 100].")]
BatchOpt = Annotated[int | None, typer.Option(
    "--batch-size", help="stable-audio: windows denoised together [default 4 on cuda, 1 on "
                         "cpu].")]
DeviceOpt = Annotated[str, typer.Option("--device", help="cpu or cuda (never chosen for you).")]
SoundFontOpt = Annotated[Path | None, typer.Option(
    "--soundfont", help="General MIDI SoundFont (.sf2); default $SONGFORM_SOUNDFONT or the "
                        "system's.")]


def _render_errors():
    from songform.render.errors import RenderError

    return RenderError


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KiB" if size < 1024 ** 2 else f"{size / 1024 ** 2:.1f} MiB"


@handles_errors
def generate(
    source: SourceArg = None,
    out: OutOpt = Path("out"),
    style: StyleOpt = None,
    key: KeyOpt = None,
    tempo: TempoOpt = None,
    meter: MeterOpt = None,
    bars: BarsOpt = None,
    seed: SeedOpt = None,
    audio: Annotated[bool, typer.Option("--audio/--no-audio", help="Render song.wav.")] = True,
    audio_format: Annotated[str, typer.Option("--format", help="Audio format: wav or flac."
                                              )] = "wav",
    soundfont: SoundFontOpt = None,
    engine: EngineOpt = "fluidsynth",
    model_path: ModelPathOpt = None,
    device: DeviceOpt = "cpu",
    strength: StrengthOpt = None,
    diffusion_steps: StepsOpt = None,
    batch_size: BatchOpt = None,
    notes: NotesOpt = "auto",
    checkpoint: CheckpointOpt = None,
) -> None:
    """Compose a song and write song.mid, song.musicxml, song.wav, pianoroll.png, plan.json."""
    from songform import write_notes
    from songform.song import Song

    render_error = _render_errors()
    if audio_format not in ("wav", "flac"):
        raise fail(f'--format: expected "wav" or "flac", got "{audio_format}"')
    template = load_template(source, style=style, key=key, tempo=tempo, meter=meter, bars=bars)
    seed = seed if seed is not None else (template.seed or 0)
    folder = _note_writer(notes, checkpoint)
    writer = f"model {folder.name}" if folder else "baseline arranger"
    renderer = None
    if audio:  # before any work: a bad engine, model folder or SoundFont fails at once
        from songform.render.engines import get_renderer

        try:
            renderer = get_renderer(engine, model=model_path, soundfont=soundfont,
                                    device=device, strength=strength, steps=diffusion_steps,
                                    batch_size=batch_size)
        except render_error as error:
            raise fail(str(error), 1) from None
    out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, Path, float]] = []
    steps = ["plan", "notes", "midi", "musicxml", "pianoroll"] + (["audio"] if audio else [])
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("planning", total=len(steps))
        song_plan = plan_song(template, seed)
        plan_path = out / "plan.json"
        started = time.perf_counter()
        from songform.core.fileio import atomic_write_text

        atomic_write_text(plan_path, song_plan.to_json())
        written.append(("plan", plan_path, time.perf_counter() - started))
        progress.advance(task)
        progress.update(task, description=f"writing notes ({writer})")
        bars = progress.add_task(f"  {writer}: bars", total=song_plan.num_bars)
        try:
            song = Song.from_symbolic(write_notes(
                song_plan, seed, "model" if folder else "arranger", folder,
                progress=lambda done, total: progress.update(bars, completed=done),
                device=device))
        except ValueError as error:
            raise fail(str(error), 2) from None
        finally:
            progress.remove_task(bars)
        progress.advance(task)
        jobs = [("MIDI", "song.mid", song.save_midi), ("MusicXML", "song.musicxml",
                                                         song.save_musicxml),
                ("piano roll", "pianoroll.png", song.pianoroll)]
        if audio:

            def render_audio(path: Path) -> Path:
                window = progress.add_task(f"  {engine} windows", total=None)
                try:
                    return renderer.render(song, path, seed=seed, device=device,
                                           progress=_advance(progress, window))
                finally:
                    progress.remove_task(window)

            jobs.append((f"audio ({engine})", f"song.{audio_format}", render_audio))
        for label, name, job in jobs:
            progress.update(task, description=f"writing {label}")
            started = time.perf_counter()
            try:
                job(out / name)
            except render_error as error:
                raise fail(str(error), 1) from None
            written.append((label, out / name, time.perf_counter() - started))
            progress.advance(task)
    minutes, seconds = divmod(round(song_plan.duration_seconds), 60)
    console.print(f"[bold]{song_plan.title}[/]: {song_plan.num_bars} bars, "
                  f"{minutes}:{seconds:02d}, {len(song_plan.sections)} sections, seed {seed}, "
                  f"style {song_plan.style}, notes by the {writer}")
    table = Table(header_style="bold")
    for column in ("output", "file", "size", "seconds"):
        table.add_column(column)
    for label, path, elapsed in written:
        table.add_row(label, str(path), _size(path), f"{elapsed:.2f}")
    console.print(table)


@handles_errors
def render(
    midi: Annotated[Path, typer.Argument(help="A MIDI file to render.", show_default=False)],
    audio_out: Annotated[Path, typer.Option("--audio", "-a", help="Audio file to write "
                                            "(.wav or .flac).")] = Path("out.wav"),
    soundfont: SoundFontOpt = None,
    engine: EngineOpt = "fluidsynth",
    model_path: ModelPathOpt = None,
    device: DeviceOpt = "cpu",
    seed: SeedOpt = None,
    strength: StrengthOpt = None,
    diffusion_steps: StepsOpt = None,
    batch_size: BatchOpt = None,
) -> None:
    """Render any MIDI file to audio (FluidSynth, or a neural engine given its model folder).

    A neural engine needs the song's plan: plan.json beside the MIDI when songform wrote it,
    else one derived from the notes by analysis."""
    from songform.render.audio import render_midi_to_audio

    render_error = _render_errors()
    started = time.perf_counter()
    try:
        if engine == "fluidsynth":
            if any(v is not None for v in (strength, diffusion_steps, batch_size)):
                raise fail("--strength, --steps and --batch-size only apply to "
                           "--engine stable-audio")
            with console.status(f"rendering {midi}"):
                path = render_midi_to_audio(midi, audio_out, soundfont)
        else:
            from songform.render.engines import get_renderer

            renderer = get_renderer(engine, model=model_path, soundfont=soundfont,
                                    device=device, strength=strength, steps=diffusion_steps,
                                    batch_size=batch_size)
            song = _song_for(midi)
            with Progress(TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.completed}/{task.total} windows"),
                          TimeElapsedColumn(), console=console, transient=True) as progress:
                window = progress.add_task(f"rendering {midi.name} with {engine}", total=None)
                path = renderer.render(song, audio_out, seed=seed or 0, device=device,
                                       progress=_advance(progress, window))
    except render_error as error:
        raise fail(str(error), 1) from None
    console.print(f"wrote [bold]{path}[/] ({_size(path)}) in "
                  f"{time.perf_counter() - started:.1f} s")


def _note_writer(notes: str, checkpoint: Path | None) -> Path | None:
    """The checkpoint that will write the notes (``None``: the arranger), or a clear error."""
    from songform import note_model

    try:
        return note_model(notes, checkpoint)
    except ValueError as error:
        raise fail(f"--notes/--checkpoint: {error}") from None


def _advance(progress: Progress, task):
    """A renderer's ``progress(done, total)`` callback driving a rich task."""

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return update


def _song_for(midi: Path):
    """A Song for any MIDI file: its plan from plan.json beside it, else by analysis."""
    from songform.data.errors import CorpusError
    from songform.data.midi_files import read_midi_song
    from songform.hierarchy.plan import SongPlan
    from songform.symbolic.song import PlannedScore

    song_plan = midi.with_name("plan.json")
    try:
        song = read_midi_song(midi)
    except CorpusError as error:
        raise fail(str(error), 1) from None
    if song_plan.exists():
        return PlannedScore(plan=SongPlan.from_json(song_plan.read_text()), score=song.score)
    return song
