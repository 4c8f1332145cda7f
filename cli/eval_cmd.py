"""``songform eval --audio``: does the audio keep the song's notes and structure?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .common import console, fail, handles_errors


@handles_errors
def evaluate(
    audio: Annotated[Path, typer.Option("--audio", help="The rendered song (.wav/.flac).")],
    midi: Annotated[Path | None, typer.Option(help="Its notes (default: song.mid beside "
                                                   "the audio).")] = None,
    plan: Annotated[Path | None, typer.Option(help="Its plan (default: plan.json beside "
                                                   "the MIDI).")] = None,
) -> None:
    """Per-bar chroma agreement with the notes, and same-label bars against other bars."""
    import soundfile
    from symusic import Score

    from songform.hierarchy.plan import SongPlan
    from songform.render.structure import audio_structure
    from songform.symbolic.song import TICKS_PER_QUARTER, Song

    midi = midi or audio.with_name("song.mid")
    plan = plan or midi.with_name("plan.json")
    for path, option in ((audio, "--audio"), (midi, "--midi"), (plan, "--plan")):
        if not path.exists():
            raise fail(f"{option}: no such file {path}")
    try:
        samples, rate = soundfile.read(str(audio), always_2d=True)
    except RuntimeError as error:
        raise fail(f"--audio: cannot read {audio} ({error})", 1) from None
    score = Score(str(midi))
    if score.ticks_per_quarter != TICKS_PER_QUARTER:
        score = score.resample(TICKS_PER_QUARTER, min_dur=1)
    song = Song(plan=SongPlan.from_json(plan.read_text()), score=score)
    result = audio_structure(samples, rate, song)
    table = Table(title=f"structure in {audio}", header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("chroma agreement with the notes (per bar, 0-1)",
                  f"{result.chroma_agreement:.3f}")
    table.add_row("similarity of bars the plan repeats", f"{result.same_label_similarity:.3f}")
    table.add_row("similarity of other bars", f"{result.other_similarity:.3f}")
    table.add_row("contrast (above 0: the structure is audible)", f"{result.contrast:.3f}")
    console.print(table)
