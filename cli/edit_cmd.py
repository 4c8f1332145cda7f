"""``songform edit``: reopen a song's project (``song.json``) and write part of it again,
keeping every other note."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .common import console, error_console, fail, handles_errors
from .generate_cmd import (
    OUTPUT_LABELS,
    CheckpointOpt,
    DeviceOpt,
    NotesOpt,
    OutOpt,
    _size,
)


@handles_errors
def edit(
    project_file: Annotated[Path, typer.Argument(help="A song's song.json (written by "
                                                 "`songform generate`).", show_default=False)],
    out: OutOpt = Path("out/edit"),
    regenerate: Annotated[str | None, typer.Option(
        "--regenerate", help='The section to write again: "bridge", "chorus 2" (see '
                             "`songform plan`).")] = None,
    bars: Annotated[str | None, typer.Option("--bars", help="Or bars A-B (1-based) to write "
                                             "again.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the new take.")] = 1,
    keep_restatements: Annotated[bool, typer.Option(
        "--keep-restatements", help="Keep later bars that restate the part as they are "
                                    "(default: they follow the new take).")] = False,
    candidates: Annotated[int, typer.Option(
        "--candidates", help="Write the part N times side by side and keep the take that "
                             "best keeps the plan (the score of --takes).")] = 1,
    audio: Annotated[bool, typer.Option("--audio/--no-audio", help="Render song.wav.")] = True,
    notes: NotesOpt = "auto",
    checkpoint: CheckpointOpt = None,
    device: DeviceOpt = "cpu",
) -> None:
    """Write a part of a song again (a section or bars), conditioned on the rest; every note
    outside it stays as it was.

    Examples:

      songform edit out/song/song.json --regenerate bridge --seed 9 -o out/v2

      songform edit out/song/song.json --bars 17-20 --seed 3 --no-audio -o out/v3

      songform edit out/song/song.json --regenerate "chorus 2" --candidates 4 -o out/v4
    """
    from songform.pipeline import SongPipeline
    from songform.project import (
        Project,
        bar_range,
        section_bars,
        with_restatements,
    )
    from songform.project import (
        regenerate as rewrite,
    )

    if (regenerate is None) == (bars is None):
        raise fail("give one of --regenerate SECTION or --bars A-B")
    if out.resolve() == project_file.resolve().parent:
        raise fail(f"--out: {out} holds the project being edited; write the edit elsewhere")
    project = Project.load(project_file)
    from songform.song import Song

    song = Song.from_symbolic(project.song())
    asked = (section_bars(project.plan, regenerate) if regenerate is not None
             else bar_range(project.plan, bars))
    chosen = asked if keep_restatements else with_restatements(project.plan, asked)
    from songform.symbolic.generate import GenerateConfig

    generation = GenerateConfig(**{**{k: v for k, v in project.writer.get(
        "generation", {}).items() if k in GenerateConfig.__dataclass_fields__},
        "takes": candidates})
    try:
        pipeline = SongPipeline.from_options(notes, checkpoint, device, generation,
                                             engine="fluidsynth" if audio else None)
    except ValueError as error:
        raise fail(f"--notes/--checkpoint: {error}") from None
    identity = pipeline.writer.identity()
    if identity.get("weights_sha256") != project.writer.get("weights_sha256") or \
            identity.get("kind") != project.writer.get("kind"):
        error_console.print(f"note: {project_file} was written by "
                            f"{project.writer.get('checkpoint') or project.writer.get('kind')}"
                            f"; these bars are written by {pipeline.writer.description}")
    with console.status(f"writing bars {chosen[0] + 1}-{chosen[-1] + 1} again "
                        f"({len(chosen)} bars) with {pipeline.writer.description}"):
        edited = rewrite(song, chosen, seed, pipeline.writer, asked)
    edits = [*project.edits, {"bars": [b + 1 for b in chosen], "seed": seed,
                              "writer": identity.get("checkpoint") or identity.get("kind")}]
    result = pipeline.write_song(edited, project.seed, out, edits=edits)
    names = project.plan.section_names()
    touched = sorted({b.section_index for b in project.plan.bars() if b.index in chosen})
    console.print(f"wrote {len(chosen)} bars again ({', '.join(names[i] for i in touched)}), "
                  f"seed {seed}; every other note is the song's own")
    table = Table(header_style="bold")
    for column in ("output", "file", "size"):
        table.add_column(column)
    for item in result.written:
        table.add_row(OUTPUT_LABELS.get(item.output, item.output), str(item.path),
                      _size(item.path))
    console.print(table)
