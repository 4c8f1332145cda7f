"""``songform generate``: a template (or a saved plan) -> every output."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from songform.core.fileio import check_output_folder
from songform.hierarchy.planner import song_seed
from songform.hierarchy.sources import load_source

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
    handles_errors,
    print_json,
)
from .display import pipeline_display, print_song, show_result, song_json
from .options import (
    SAMPLING,
    SOUND,
    AudioFlag,
    CountOpt,
    OutOpt,
    Sampling,
    SongsPerBatchOpt,
    Sound,
    TakesOpt,
    with_options,
)


@handles_errors
@with_options(sampling=SAMPLING, sound=SOUND)
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
    audio: AudioFlag = True,
    audio_format: Annotated[str, typer.Option(
        "--format", help="Audio format: wav, flac, ogg or mp3.")] = "wav",
    stems: Annotated[bool, typer.Option(
        "--stems", help="Also write stems/<track>.wav: one 32-bit float file per track, "
                        "sample-aligned, summing to the mix before the limiter.")] = False,
    takes: TakesOpt = 1,
    count: CountOpt = 1,
    songs_per_batch: SongsPerBatchOpt = 8,
    primer: Annotated[Path | None, typer.Option(
        "--primer", help="A MIDI sketch that opens the song note for note (its plan by "
                         "analysis); the rest is planned from the template in the sketch's "
                         "key, meter and tempo, and written after it. --bars is then the "
                         "whole song's length \\[default: the sketch + 48].")] = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
    *,
    sampling: Sampling,
    sound: Sound,
) -> None:
    """Compose a song and write song.mid, song.musicxml, song.wav, pianoroll.png, plan.json.

    Examples:

      songform generate --style pop --seed 7 -o out/

      songform generate "intro:4 verse:8 chorus:8 bridge:8 chorus:8" --takes 4 -o out/

      songform generate --primer sketch.mid --bars 32 -o out/

      torchrun --nproc-per-node 2 -m songform generate --count 8 --no-audio -o many/
    """
    from songform.pipeline import OUTPUTS, SeedShare, SongPipeline, check_request
    from songform.sketch import read_sketch

    outputs = (*OUTPUTS, "stems") if stems else OUTPUTS
    engine = sound.engine
    check_request(outputs, audio_format, engine if audio else None, count, songs_per_batch,
                  sound.loudness)
    sketch = read_sketch(primer, count) if primer is not None else None
    template = load_source(source, style=style, key=key, tempo=tempo, meter=meter,
                           swing=swing, humanize=humanize,
                           bars=bars if sketch is None else None)
    check_output_folder(out)
    pipeline = SongPipeline.from_options(  # every part checked before any work
        sampling.notes, sampling.checkpoint, sound.device, sampling.generation(takes),
        engine=engine if audio else None, model_path=sound.model_path,
        soundfont=sound.soundfont, strength=sound.strength, steps=sound.diffusion_steps,
        batch_size=sound.batch_size, loudness=sound.loudness, threads=sampling.threads)
    writer = pipeline.writer.description
    silent = as_json or quiet
    if count > 1:
        first = song_seed(template, seed)
        share = SeedShare.of(range(first, first + count))
        started = time.perf_counter()
        with pipeline_display(writer, engine, silent) as update:
            results = pipeline.many(template, share.seeds, out, outputs, audio_format,
                                    songs_per_batch, update)
        if as_json:
            print_json({"songs": [song_json(r, writer) for r in results],
                        "rank": share.rank, "world_size": share.world})
        elif not quiet:
            _print_many(results, share, writer, songs_per_batch,
                        time.perf_counter() - started)
        return
    with pipeline_display(writer, engine, silent) as update:
        if sketch is not None:
            result = pipeline.continue_(sketch, template, bars, seed, out, outputs,
                                        audio_format, update)
        else:
            result = pipeline(template, seed, out, outputs, audio_format, update)
    show_result(result, writer, as_json, quiet, lambda: print_song(
        result, writer, pipeline.writer))


def _print_many(results, share, writer: str, songs_per_batch: int, seconds: float) -> None:
    """``--count``: a row per song, then how long the batch took."""
    table = Table(header_style="bold")
    for column in ("seed", "bars", "length", "sections", "folder"):
        table.add_column(column)
    for result in results:
        plan = result.song.plan
        minutes, secs = divmod(round(plan.duration_seconds), 60)
        table.add_row(str(result.seed), str(plan.num_bars), f"{minutes}:{secs:02d}",
                      str(len(plan.sections)), str(result.written[0].path.parent))
    console.print(table)
    ranked = f" (rank {share.rank} of {share.world})" if share.world > 1 else ""
    side_by_side = min(songs_per_batch, len(share.seeds))
    console.print(f"{len(results)} song{'s' * (len(results) != 1)} by the {writer} in "
                  f"{seconds:.1f} s, up to {side_by_side} at a time{ranked}")
