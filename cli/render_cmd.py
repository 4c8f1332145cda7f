"""``songform render``: any MIDI file -> audio."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from .common import JsonFlag, QuietFlag, SeedOpt, console, handles_errors, print_json
from .display import file_size
from .options import SOUND, Sound, ThreadsOpt, with_options


@handles_errors
@with_options(sound=SOUND)
def render(
    midi: Annotated[Path, typer.Argument(help="A MIDI file to render.", show_default=False)],
    audio_out: Annotated[Path, typer.Option("--audio", "-a", help="Audio file to write "
                                            "(.wav, .flac, .ogg or .mp3).")] = Path("out.wav"),
    stems: Annotated[Path | None, typer.Option(
        "--stems", help="Also write one 32-bit float WAV per track into this folder "
                        "(fluidsynth).")] = None,
    seed: SeedOpt = None,
    threads: ThreadsOpt = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
    *,
    sound: Sound,
) -> None:
    """Render any MIDI file to audio (FluidSynth, or a neural engine given its model folder).

    A neural engine needs the song's plan: plan.json beside the MIDI when songform wrote it,
    else one derived from the notes by analysis.

    Examples:

      songform render out/song/song.mid --audio song.flac

      songform render out/song/song.mid --audio song.mp3 --stems stems/ --loudness -16

      songform render out/song/song.mid --engine musicgen --model-path ~/models/musicgen-melody
    """
    from songform.render_midi import RenderRequest, render_midi

    engine = sound.engine
    request = RenderRequest(midi, audio_out, stems, engine, sound.soundfont, sound.loudness,
                            sound.model_path, sound.device, seed, sound.strength,
                            sound.diffusion_steps, sound.batch_size, threads)
    request.check()
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=console, transient=True, disable=as_json or quiet) as progress:
        task = progress.add_task(f"rendering {midi.name} with {engine}", total=None)
        path = render_midi(request, lambda done, total: progress.update(
            task, completed=done, total=total))
    seconds = time.perf_counter() - started
    if as_json:
        print_json({"audio": str(path), "stems": str(stems) if stems else None,
                    "engine": engine, "seconds": round(seconds, 2)})
    elif not quiet:
        console.print(f"wrote [bold]{path}[/] ({file_size(path)}) in {seconds:.1f} s")
