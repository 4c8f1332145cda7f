"""``songform arrange`` (your melody, arranged) and ``songform continue`` (your sketch, made a
song)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from songform.core.fileio import check_output_folder

from .common import (
    JsonFlag,
    KeyOpt,
    MeterOpt,
    QuietFlag,
    SeedOpt,
    StyleOpt,
    TempoOpt,
    console,
    handles_errors,
)
from .display import pipeline_display, print_outputs, show_result
from .generate_cmd import generate
from .options import SAMPLING, AudioFlag, OutOpt, Sampling, with_options
from .plan_cmd import print_plan_notes


@handles_errors
@with_options(sampling=SAMPLING)
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
    audio: AudioFlag = True,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
    *,
    sampling: Sampling,
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
             bars=bars, seed=seed, audio=audio, primer=sketch, as_json=as_json, quiet=quiet,
             **dataclasses.asdict(sampling))


@handles_errors
@with_options(sampling=SAMPLING.but(chord_bias=1.0))
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
    audio: AudioFlag = True,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
    *,
    sampling: Sampling,
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
    from songform.arrange import read_form, read_key
    from songform.data.midi_files import read_midi_tracks
    from songform.pipeline import SongPipeline

    score, channels = read_midi_tracks(melody)
    sections, tonic = read_form(form), read_key(key)
    check_output_folder(out)
    pipeline = SongPipeline.from_options(sampling.notes, sampling.checkpoint, "cpu",
                                         sampling.generation(),
                                         engine="fluidsynth" if audio else None,
                                         threads=sampling.threads)
    writer = pipeline.writer.description
    with pipeline_display(writer, "fluidsynth", silent=as_json or quiet) as update:
        result = pipeline.arrange(score, out, style=style, seed=seed, chords=chords,
                                  key=tonic, melody_track=melody_track, title=melody.stem,
                                  form=sections, channels=channels, progress=update)
    show_result(result, writer, as_json, quiet, lambda: _print_arranged(result, writer))


def _print_arranged(result, writer: str) -> None:
    plan = result.song.plan
    console.print(f"[bold]{plan.title}[/] arranged: {plan.num_bars} bars, "
                  f"{len(plan.sections)} sections, the melody on {plan.tracks[0].name}, the "
                  f"rest by the {writer}")
    print_plan_notes(plan)
    print_outputs(result.written)
