"""``songform generate`` (template -> every output) and ``songform render`` (MIDI -> audio)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from songform.core.fileio import check_output_folder
from songform.core.limits import MAX_SONGS
from songform.hierarchy.plan import SongPlan
from songform.hierarchy.sources import load_source
from songform.hierarchy.styles import writer_roles

from .common import (
    BarsOpt,
    HumanizeOpt,
    JsonFlag,
    KeyOpt,
    MeterOpt,
    QuietFlag,
    SeedOpt,
    SourceArg,
    StyleOpt,
    SwingOpt,
    TempoOpt,
    console,
    fail,
    handles_errors,
    print_json,
)
from .plan_cmd import print_plan_notes

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
TakesOpt = Annotated[int, typer.Option(
    "--takes", help="Write every section N times side by side and keep the take that best "
                    "keeps the plan (chord and key fit, density for the energy, the model's "
                    "likelihood, variation against the source, groove; see the README).")]
TemperatureOpt = Annotated[float, typer.Option("--temperature", help="Sampling temperature.")]
TopPOpt = Annotated[float, typer.Option("--top-p", help="Nucleus sampling mass (0, 1].")]
ChordBiasOpt = Annotated[float, typer.Option(
    "--chord-bias", help="Logits added to the pitches of the planned chord (0: the model "
                         "alone, whose chord tones are POP909's share; arrange: 1, to hold "
                         "a melody's harmonised chords).")]
CountOpt = Annotated[int, typer.Option(
    "--count", help="Write N songs (seeds s..s+N-1) into OUT/seed-<s>/; under torchrun each "
                    "process writes its share.")]
SongsPerBatchOpt = Annotated[int, typer.Option(
    "--songs-per-batch", help="With --count: songs the model writes side by side (when one "
                              "ends, the next starts in its rows).")]
ThreadsOpt = Annotated[int, typer.Option(
    "--threads", help="CPU threads for the model (on a machine with free cores 2 write "
                      "--count batches of 8 about 1.16x as fast; on a busy one many times "
                      "slower).")]
DeviceOpt = Annotated[str, typer.Option("--device", help="cpu or cuda (never chosen for you).")]
SoundFontOpt = Annotated[Path | None, typer.Option(
    "--soundfont", help="General MIDI SoundFont (.sf2 or .sf3); default $SONGFORM_SOUNDFONT "
                        "or the system's (MuseScore General, else FluidR3).")]
LoudnessOpt = Annotated[float, typer.Option(
    "--loudness", help="The master's integrated loudness in LUFS (ITU-R BS.1770); the true "
                       "peak stays at or under -1 dBTP.")]


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
    swing: SwingOpt = None,
    humanize: HumanizeOpt = None,
    meter: MeterOpt = None,
    bars: BarsOpt = None,
    seed: SeedOpt = None,
    audio: Annotated[bool, typer.Option("--audio/--no-audio", help="Render song.wav.")] = True,
    audio_format: Annotated[str, typer.Option(
        "--format", help="Audio format: wav, flac, ogg or mp3.")] = "wav",
    stems: Annotated[bool, typer.Option(
        "--stems", help="Also write stems/<track>.wav: one 32-bit float file per track, "
                        "sample-aligned, summing to the mix before the limiter.")] = False,
    loudness: LoudnessOpt = -14.0,
    soundfont: SoundFontOpt = None,
    engine: EngineOpt = "fluidsynth",
    model_path: ModelPathOpt = None,
    device: DeviceOpt = "cpu",
    strength: StrengthOpt = None,
    diffusion_steps: StepsOpt = None,
    batch_size: BatchOpt = None,
    notes: NotesOpt = "auto",
    checkpoint: CheckpointOpt = None,
    takes: TakesOpt = 1,
    temperature: TemperatureOpt = 1.0,
    top_p: TopPOpt = 0.95,
    chord_bias: ChordBiasOpt = 0.0,
    count: CountOpt = 1,
    songs_per_batch: SongsPerBatchOpt = 8,
    threads: ThreadsOpt = 1,
    primer: Annotated[Path | None, typer.Option(
        "--primer", help="A MIDI sketch that opens the song note for note (its plan by "
                         "analysis); the rest is planned from the template in the sketch's "
                         "key, meter and tempo, and written after it. --bars is then the "
                         "whole song's length [default: the sketch + 48].")] = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Compose a song and write song.mid, song.musicxml, song.wav, pianoroll.png, plan.json.

    Examples:

      songform generate --style pop --seed 7 -o out/

      songform generate "intro:4 verse:8 chorus:8 bridge:8 chorus:8" --takes 4 -o out/

      songform generate --primer sketch.mid --bars 32 -o out/

      torchrun --nproc-per-node 2 -m songform generate --count 8 --no-audio -o many/
    """
    from songform.pipeline import AUDIO_FORMATS, OUTPUTS, SongPipeline
    from songform.render.master import MasterConfig
    from songform.symbolic.generate_config import GenerateConfig

    render_error = _render_errors()
    if audio_format not in AUDIO_FORMATS:
        raise fail(f'--format: expected {", ".join(AUDIO_FORMATS)}, got "{audio_format}"')
    if stems and not (audio and engine == "fluidsynth"):
        raise fail("--stems: stems come with the audio of the fluidsynth engine")
    outputs = (*OUTPUTS, "stems") if stems else OUTPUTS
    MasterConfig(loudness_lufs=loudness)  # checked even when no audio is asked for
    cores = os.cpu_count() or 1
    for name, value, most in (("--count", count, MAX_SONGS),
                              ("--songs-per-batch", songs_per_batch, MAX_SONGS),
                              ("--threads", threads, cores)):
        if not 1 <= value <= most:
            raise fail(f"{name}: expected 1 to {most}, got {value}")
    if primer is not None and count > 1:
        raise fail("--primer: one song at a time (--count 1)")
    sketch = _read_sketch(primer) if primer is not None else None
    template = load_source(source, style=style, key=key, tempo=tempo, meter=meter,
                           swing=swing, humanize=humanize,
                           bars=bars if sketch is None else None)
    if sketch is not None and isinstance(template, SongPlan):
        raise fail(f"--primer: {source} is a saved plan; a sketch is continued from a template")
    generation = GenerateConfig(temperature=temperature, top_p=top_p, chord_bias=chord_bias,
                                takes=takes)
    check_output_folder(out)
    try:  # every part is checked before any work: writer, engine, model folder, SoundFont
        pipeline = SongPipeline.from_options(
            notes, checkpoint, device, generation, engine=engine if audio else None,
            model_path=model_path, soundfont=soundfont, strength=strength,
            steps=diffusion_steps, batch_size=batch_size, loudness=loudness,
            threads=threads)
    except ValueError as error:
        raise fail(f"--notes/--checkpoint: {error}") from None
    except render_error as error:
        raise fail(str(error), 1) from None
    writer = pipeline.writer.description
    if count > 1:
        first = seed if seed is not None else (template.seed or 0)
        _generate_many(pipeline, template, range(first, first + count), out, audio_format,
                       songs_per_batch, writer, engine, as_json, quiet, outputs)
        return
    try:
        if sketch is not None:
            result = _continue(pipeline, sketch, template, bars, seed, out, audio_format,
                               writer, engine, as_json or quiet, outputs)
        else:
            with pipeline_display(writer, engine, silent=as_json or quiet) as update:
                result = pipeline(template, seed, out, outputs, audio_format=audio_format,
                                  progress=update)
    except render_error as error:
        raise fail(str(error), 1) from None
    if as_json:
        print_json(song_json(result, writer))
        return
    if quiet:
        return
    song_plan = result.song.plan
    minutes, seconds = divmod(round(song_plan.duration_seconds), 60)
    console.print(f"[bold]{song_plan.title}[/]: {song_plan.num_bars} bars, "
                  f"{minutes}:{seconds:02d}, {len(song_plan.sections)} sections, "
                  f"seed {result.seed}, style {song_plan.style}, notes by the {writer}")
    model = pipeline.writer.song_model
    roles = model.roles if model is not None else None
    if roles is not None:  # who plays which track
        roles = writer_roles(roles, song_plan.style)
        by_model = [t.name for t in song_plan.tracks if t.role in roles]
        by_arranger = [t.name for t in song_plan.tracks if t.role not in roles]
        console.print(f"the {writer} writes {', '.join(by_model) or 'no track'}; the arranger "
                      f"plays {', '.join(by_arranger) or 'no track'}, and any section where a "
                      "planned track is left silent")
    print_plan_notes(song_plan)
    table = Table(header_style="bold")
    for column in ("output", "file", "size", "seconds"):
        table.add_column(column)
    for item in result.written:
        table.add_row(OUTPUT_LABELS.get(item.output, item.output), str(item.path),
                      _size(item.path), f"{item.seconds:.2f}")
    console.print(table)


@handles_errors
def continue_(
    sketch: Annotated[Path, typer.Argument(help="A MIDI sketch: its bars open the song note "
                                                "for note.", show_default=False)],
    source: Annotated[str | None, typer.Option(
        "--template", help="What comes after the sketch: a YAML template or a form string "
                           "(default: the style's form, sampled).")] = None,
    bars: Annotated[int, typer.Option("--bars", "-b", help="The whole song's length in bars "
                                      "(the sketch included).")] = 32,
    out: OutOpt = Path("out"),
    style: StyleOpt = None,
    key: KeyOpt = None,
    tempo: TempoOpt = None,
    meter: MeterOpt = None,
    seed: SeedOpt = None,
    audio: Annotated[bool, typer.Option("--audio/--no-audio", help="Render song.wav.")] = True,
    notes: NotesOpt = "auto",
    checkpoint: CheckpointOpt = None,
    temperature: TemperatureOpt = 1.0,
    top_p: TopPOpt = 0.95,
    chord_bias: ChordBiasOpt = 0.0,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Continue a sketch into a whole song: the same as `generate --primer SKETCH`. The
    sketch's melody, bass and drum tracks are found by name, register and voicing; the song
    goes on in the sketch's key, meter and tempo unless you give them.

    Examples:

      songform continue sketch.mid --bars 32 -o out/

      songform continue hook.mid --template "chorus:8 verse:8 chorus:8" --style rock

      songform continue sketch.mid --notes arranger --no-audio --json
    """
    generate(source=source, out=out, style=style, key=key, tempo=tempo, meter=meter,
             bars=bars, seed=seed, audio=audio, notes=notes, checkpoint=checkpoint,
             temperature=temperature, top_p=top_p, chord_bias=chord_bias, primer=sketch,
             as_json=as_json, quiet=quiet)


@handles_errors
def arrange(
    melody: Annotated[Path, typer.Argument(help="A MIDI file with the melody (one track, or "
                                                "name it with --melody-track).",
                                           show_default=False)],
    out: OutOpt = Path("out"),
    melody_track: Annotated[str | None, typer.Option(
        "--melody-track", help="The melody's track name, when the file has several.")] = None,
    chords: Annotated[str | None, typer.Option(
        "--chords", help='A chord grid cycled over the bars, "| C G | Am F |" or "I V vi IV" '
                         "(default: harmonised from the melody).")] = None,
    form: Annotated[str | None, typer.Option(
        "--form", help='The sections, as a form string "verse:8 chorus:8" or a YAML '
                       "template file, with as many bars as the melody (default: found "
                       "from the melody's own repeats).")] = None,
    key: KeyOpt = None,
    style: StyleOpt = None,
    seed: SeedOpt = None,
    audio: Annotated[bool, typer.Option("--audio/--no-audio", help="Render song.wav.")] = True,
    notes: NotesOpt = "auto",
    checkpoint: CheckpointOpt = None,
    temperature: TemperatureOpt = 1.0,
    top_p: TopPOpt = 0.95,
    chord_bias: ChordBiasOpt = 1.0,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Arrange your melody: it stays note for note as the lead; its sections come from its
    own repeats, its chords from the melody (or --chords), and the model writes the other
    parts around it (the arranger plays bass and drums).

    Examples:

      songform arrange tune.mid -o out/tune

      songform arrange tune.mid --chords "| C G | Am F |" --style ballad

      songform arrange tune.mid --form "verse:8 chorus:8 verse:8 chorus:8"

      songform arrange song.mid --melody-track Vocals --no-audio --json
    """
    from symusic import Score

    from songform.arrange import arrange_melody
    from songform.core.errors import InputError
    from songform.hierarchy.key import Key
    from songform.pipeline import SongPipeline
    from songform.song import Song
    from songform.symbolic.generate import GenerateConfig
    from songform.symbolic.midi_input import MidiInputError, read_midi_bytes, scan_midi
    from songform.symbolic.ticks import at_standard_resolution

    if not melody.is_file():
        raise fail(f"no such file {melody}")
    try:
        data = read_midi_bytes(melody)
        scan_midi(data, melody.name)
        score = at_standard_resolution(Score.from_midi(data))
    except MidiInputError as error:
        raise fail(str(error)) from None
    except RuntimeError as error:  # symusic's own errors on data the scan let through
        raise fail(f"{melody.name}: unreadable MIDI ({error})") from None
    try:
        tonic = Key.parse(key) if key is not None else None
    except ValueError as error:
        raise fail(f"--key: {error}") from None
    sections = None
    if form is not None:
        from songform.hierarchy.errors import TemplateError
        from songform.hierarchy.template import Template
        from songform.hierarchy.template_yaml import read_yaml_template

        try:
            sections = (read_yaml_template(form) if form.endswith((".yaml", ".yml"))
                        else Template(form=form))
        except (TemplateError, OSError) as error:
            raise fail(f"--form: {error}") from None
    generation = GenerateConfig(temperature=temperature, top_p=top_p, chord_bias=chord_bias)
    check_output_folder(out)
    try:
        pipeline = SongPipeline.from_options(notes, checkpoint, "cpu", generation,
                                             engine="fluidsynth" if audio else None)
    except ValueError as error:
        raise fail(f"--notes/--checkpoint: {error}") from None
    seed = seed if seed is not None else 0
    writer = pipeline.writer.description
    try:
        with pipeline_display(writer, "fluidsynth", silent=as_json or quiet) as update:
            song = arrange_melody(score, pipeline.writer, style=style, seed=seed,
                                  chords=chords, key=tonic, melody_track=melody_track,
                                  title=melody.stem, form=sections,
                                  progress=lambda done, count: update("notes", done, count))
            result = pipeline.write_song(Song.from_symbolic(song), seed, out,
                                         progress=update)
    except InputError as error:
        raise fail(f"{melody.name}: {error}") from None
    if as_json:
        print_json(song_json(result, writer))
        return
    if quiet:
        return
    plan = result.song.plan
    console.print(f"[bold]{plan.title}[/] arranged: {plan.num_bars} bars, "
                  f"{len(plan.sections)} sections, the melody on {plan.tracks[0].name}, the "
                  f"rest by the {writer}")
    print_plan_notes(plan)
    print_outputs(result.written)


def print_outputs(written) -> None:
    """The files a command wrote, as a table (output, file, size)."""
    table = Table(header_style="bold")
    for column in ("output", "file", "size"):
        table.add_column(column)
    for item in written:
        table.add_row(OUTPUT_LABELS.get(item.output, item.output), str(item.path),
                      _size(item.path))
    console.print(table)


def _read_sketch(path: Path):
    """The primer MIDI with its plan by analysis; one line and exit 2 if unreadable."""
    from songform.data.errors import CorpusError
    from songform.data.midi_files import read_midi_song

    if not path.is_file():
        raise fail(f"--primer: no such file {path}")
    try:
        return read_midi_song(path)
    except CorpusError as error:
        raise fail(f"--primer: {error}") from None


def _continue(pipeline, sketch, template, bars, seed, out, audio_format, writer, engine,
              silent, outputs=None):
    """The song that opens with ``sketch`` (songform/sketch.py), written with every output."""
    from songform.core.errors import InputError
    from songform.pipeline import OUTPUTS
    from songform.sketch import continue_sketch
    from songform.song import Song

    seed = seed if seed is not None else (template.seed or 0)
    total = bars if bars is not None else sketch.plan.num_bars + 48
    try:
        with pipeline_display(writer, engine, silent) as update:
            song = continue_sketch(sketch, template, total, seed, pipeline.writer,
                                   lambda done, count: update("notes", done, count))
            return pipeline.write_song(Song.from_symbolic(song), seed, out,
                                       outputs or OUTPUTS, audio_format=audio_format,
                                       progress=update)
    except InputError as error:
        raise fail(str(error)) from None


def rank_seeds(seeds: range) -> list[int]:
    """This process's share of ``seeds`` under ``torchrun`` (``RANK`` of ``WORLD_SIZE``,
    every ``WORLD_SIZE``-th seed from ``RANK``); all of them in a plain run."""
    rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    if not 0 <= rank < world:
        raise fail(f"RANK {rank} is outside WORLD_SIZE {world}")
    return list(seeds)[rank::world]


def song_json(result, writer: str) -> dict:
    """A written song for ``--json``: the plan's summary, the writer, the files."""
    from .plan_cmd import plan_summary

    return {"seed": result.seed, "writer": writer, **plan_summary(result.song.plan),
            "files": {item.output: str(item.path) for item in result.written}}


def _generate_many(pipeline, template, seeds: range, out: Path, audio_format: str,
                   songs_per_batch: int, writer: str, engine: str, as_json: bool = False,
                   quiet: bool = False, outputs=None) -> None:
    """``--count``: this process's seeds, in batches, each song in ``out/seed-<seed>/``."""
    from songform.pipeline import OUTPUTS

    mine = rank_seeds(seeds)
    started = time.perf_counter()
    with pipeline_display(writer, engine, silent=as_json or quiet) as update:
        results = pipeline.many(template, mine, out, outputs or OUTPUTS,
                                audio_format=audio_format, batch_size=songs_per_batch,
                                progress=update)
    if as_json:
        print_json({"songs": [song_json(r, writer) for r in results],
                    "rank": int(os.environ.get("RANK", 0)),
                    "world_size": int(os.environ.get("WORLD_SIZE", 1))})
    if as_json or quiet:
        return
    table = Table(header_style="bold")
    for column in ("seed", "bars", "length", "sections", "folder"):
        table.add_column(column)
    for result in results:
        plan = result.song.plan
        minutes, seconds = divmod(round(plan.duration_seconds), 60)
        table.add_row(str(result.seed), str(plan.num_bars), f"{minutes}:{seconds:02d}",
                      str(len(plan.sections)), str(result.written[0].path.parent))
    console.print(table)
    world = int(os.environ.get("WORLD_SIZE", 1))
    share = f" (rank {os.environ.get('RANK', 0)} of {world})" if world > 1 else ""
    side_by_side = min(songs_per_batch, len(mine))
    console.print(f"{len(results)} song{'s' * (len(results) != 1)} by the {writer} in "
                  f"{time.perf_counter() - started:.1f} s, up to {side_by_side} at a "
                  f"time{share}")


OUTPUT_LABELS = {"stems": "stems", "plan": "plan", "project": "project", "midi": "MIDI",
                 "musicxml": "MusicXML",
                 "pianoroll": "piano roll", "audio": "audio"}


@contextlib.contextmanager
def pipeline_display(writer: str, engine: str = "fluidsynth", silent: bool = False
                     ) -> Iterator[Callable[[str, int, int], None]]:
    """The pipeline's ``progress(stage, done, total)`` callback, drawn on the terminal as a
    spinner for the stages and a bar for the bars being written or the audio windows
    (nothing when ``silent``)."""
    if silent:
        yield lambda stage, done, total: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        yield _PipelineDisplay(progress, writer, engine).update


class _PipelineDisplay:
    """Draws the pipeline's progress callbacks as rich tasks: one for the stages, one for the
    bars while notes are written, one for the audio windows."""

    def __init__(self, progress: Progress, writer: str, engine: str) -> None:
        self.progress, self.writer, self.engine = progress, writer, engine
        self.stages = progress.add_task("planning", total=None)
        self.detail = None

    def update(self, stage: str, done: int, total: int) -> None:
        label = {"notes": f"writing notes ({self.writer})", "audio": f"writing audio "
                 f"({self.engine})"}.get(stage, f"writing {OUTPUT_LABELS.get(stage, stage)}")
        self.progress.update(self.stages, description=label)
        if stage in ("notes", "audio"):
            if self.detail is None:
                what = f"  {self.writer}: bars" if stage == "notes" else f"  {self.engine} windows"
                self.detail = self.progress.add_task(what, total=total or None)
            self.progress.update(self.detail, completed=done, total=total or None)
            if total and done >= total:
                self.progress.remove_task(self.detail)
                self.detail = None


@handles_errors
def render(
    midi: Annotated[Path, typer.Argument(help="A MIDI file to render.", show_default=False)],
    audio_out: Annotated[Path, typer.Option("--audio", "-a", help="Audio file to write "
                                            "(.wav, .flac, .ogg or .mp3).")] = Path("out.wav"),
    stems: Annotated[Path | None, typer.Option(
        "--stems", help="Also write one 32-bit float WAV per track into this folder "
                        "(fluidsynth).")] = None,
    loudness: LoudnessOpt = -14.0,
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
    else one derived from the notes by analysis.

    Examples:

      songform render out/song/song.mid --audio song.flac

      songform render out/song/song.mid --audio song.mp3 --stems stems/ --loudness -16

      songform render out/song/song.mid --engine musicgen --model-path ~/models/musicgen-melody
    """
    from songform.core.fileio import check_output_file
    from songform.render.audio import AudioConfig, check_audio_path, render_midi_to_audio

    render_error = _render_errors()
    started = time.perf_counter()
    try:  # before any work
        check_audio_path(audio_out)
        check_output_file(audio_out, "--audio")
        if stems is not None and stems.exists() and not stems.is_dir():
            raise fail(f"--stems: {stems} is a file, not a folder")
    except render_error as error:
        raise fail(f"--audio: {error}") from None
    try:
        if engine == "fluidsynth":
            if any(v is not None for v in (strength, diffusion_steps, batch_size)):
                raise fail("--strength, --steps and --batch-size only apply to "
                           "--engine stable-audio")
            try:
                config = AudioConfig(loudness_lufs=loudness)
            except ValueError as error:
                raise fail(f"--loudness: {error}") from None
            with console.status(f"rendering {midi}"):
                path = render_midi_to_audio(midi, audio_out, soundfont, config, stems)
        else:
            from songform.render.engines import get_renderer

            if stems is not None:
                raise fail("--stems: only the fluidsynth engine plays each track apart")
            renderer = get_renderer(engine, model=model_path, soundfont=soundfont,
                                    device=device, strength=strength, steps=diffusion_steps,
                                    batch_size=batch_size, loudness=loudness)
            song = _load_song(midi)
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


def _advance(progress: Progress, task):
    """A renderer's ``progress(done, total)`` callback driving a rich task."""

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return update


def _load_song(midi: Path):
    """The song of any MIDI file (its plan.json beside it, else analysis), or one line."""
    import songform
    from songform.data.errors import CorpusError

    try:
        return songform.load(midi)
    except CorpusError as error:
        raise fail(str(error), 1) from None
