"""``songform edit``: reopen a song's project (``song.json``) and write part of it again,
keeping every other note."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from songform.core.fileio import check_output_folder

from .common import JsonFlag, QuietFlag, console, error_console, fail, handles_errors, print_json
from .display import pipeline_display, print_outputs
from .options import (
    AudioFlag,
    CheckpointOpt,
    DeviceOpt,
    NotesOpt,
    OutOpt,
    ThreadsOpt,
)
from .plan_cmd import plan_summary


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
    track: Annotated[str | None, typer.Option(
        "--track", help="Write only this track again in the part (with --regenerate or "
                        "--bars); every other track is kept note for note.")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help='A section\'s field and new value, in one argument: --set "chorus 2 '
                      'energy=7", --set "bridge chords=vi IV I V" (repeatable); the section is '
                      'written again under the new plan.')] = None,
    tempo: Annotated[float | None, typer.Option(
        "--tempo", help="New tempo in BPM (no note moves in beats).")] = None,
    transpose: Annotated[int | None, typer.Option(
        "--transpose", help="Semitones to move keys, chords and notes (drums stay).")] = None,
    key: Annotated[str | None, typer.Option(
        "--key", help='The key to move the song to, e.g. "E major" (the nearest way, up to '
                      "6 semitones; the mode stays the song's).")] = None,
    add_track: Annotated[list[str] | None, typer.Option(
        "--add-track", help='A track to add, "Name:role" or "Name:role:program", in every '
                            "section: the model writes it around the song's notes when it "
                            "writes the role and the song has none of it, else the arranger "
                            "plays it (repeatable).")] = None,
    remove_track: Annotated[list[str] | None, typer.Option(
        "--remove-track", help="A track to take out of the song (repeatable).")] = None,
    midi: Annotated[Path | None, typer.Option(
        "--midi", help="The song's MIDI file as changed in a DAW: the bars that differ from "
                       "what songform wrote take its notes (tracks matched by name, else "
                       "program) before any other edit; every note you wrote is kept outside "
                       "a part written again.")] = None,
    extend: Annotated[tuple[str, int] | None, typer.Option(
        "--extend", help='A section and a number of bars to add at its end: --extend '
                         '"verse 2" 4 (the new bars are written; later notes move on).',
        show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the new take.")] = 1,
    keep_restatements: Annotated[bool, typer.Option(
        "--keep-restatements", help="Keep later bars that restate the part as they are "
                                    "(default: they follow the new take).")] = False,
    candidates: Annotated[int, typer.Option(
        "--candidates", help="Write the part N times side by side and keep the take that "
                             "best keeps the plan (the score of --takes).")] = 1,
    all_takes: Annotated[bool, typer.Option(
        "--all", help="With --candidates N: write every take (seeds SEED..SEED+N-1), ranked "
                      "by the take score, to OUT/take-1 (the best) .. OUT/take-N.")] = False,
    temperature: Annotated[float | None, typer.Option(
        "--temperature", help="Sampling temperature (default: the project's).")] = None,
    top_p: Annotated[float | None, typer.Option(
        "--top-p", help="Nucleus sampling mass (default: the project's).")] = None,
    chord_bias: Annotated[float | None, typer.Option(
        "--chord-bias", help="Chord guidance (default: the project's; 1 for a counter-melody "
                             "or harmony part the model adds).")] = None,
    audio: AudioFlag = True,
    notes: NotesOpt = "auto",
    checkpoint: CheckpointOpt = None,
    device: DeviceOpt = "cpu",
    threads: ThreadsOpt = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Write a part of a song again (a section or bars), conditioned on the rest; every note
    outside it stays as it was.

    Examples:

      songform edit out/song/song.json --regenerate bridge --seed 9 -o out/v2

      songform edit out/song/song.json --bars 17-20 --track Piano --seed 3 -o out/v3

      songform edit out/song/song.json --regenerate "chorus 2" --candidates 4 -o out/v4

      songform edit out/song/song.json --set "chorus 2 energy=7" --key "E major" -o out/v5
    """
    from songform.edit import EditRequest
    from songform.pipeline import SongPipeline, check_edit_folder
    from songform.project import Project

    request = EditRequest(
        regenerate=regenerate, bars=bars, track=track, sets=tuple(set_ or ()), tempo=tempo,
        transpose=transpose, key=key, add_tracks=tuple(add_track or ()),
        remove_tracks=tuple(remove_track or ()), extend=extend, midi=midi, seed=seed,
        keep_restatements=keep_restatements, chord_bias=chord_bias)
    request.check()
    if all_takes and candidates < 2:
        raise fail("--all goes with --candidates N (N of 2 or more)")
    project = Project.load(project_file)
    check_edit_folder(project, out)
    check_output_folder(out)
    pipeline = SongPipeline.for_edit(project, notes, checkpoint, device,
                                     1 if all_takes else candidates,
                                     "fluidsynth" if audio else None, threads,
                                     temperature=temperature, top_p=top_p,
                                     chord_bias=chord_bias)
    if all_takes:
        _show_takes(pipeline.edit_takes(project, request, candidates, out), as_json, quiet)
        return
    with pipeline_display(pipeline.writer.description, silent=as_json or quiet) as update:
        result = pipeline.edit(project, request, out, progress=update)
    _show_notes(result.edit, as_json or quiet)
    if as_json:
        print_json({"project": str(out / "song.json"), "edit": result.song.project.edits[-1],
                    **plan_summary(result.song.plan),
                    "files": {item.output: str(item.path) for item in result.written}})
    elif not quiet:
        console.print(_summary(result.edit, result.song))
        print_outputs(result.written)


def _show_notes(prepared, silent: bool) -> None:
    """The lines worth showing about an edit (a changed MIDI file, another writer)."""
    for line in [] if silent else prepared.notes:
        error_console.print(f"note: {line}", soft_wrap=True, highlight=False)


def _summary(prepared, edited) -> str:
    """One line: what the edit did."""
    request, chosen = prepared.request, prepared.chosen
    names = prepared.base.plan.section_names()
    part = f"{request.track} in {len(chosen)} bars" if request.track else f"{len(chosen)} bars"
    done = [f"took {len(prepared.from_midi)} changed bars from {request.midi.name}"
            + (f" ({_bar_list(prepared.from_midi)})" if prepared.from_midi else "")
            ] if request.midi is not None else []
    done += [f"wrote {part} again "
             f"({', '.join(names[i] for i in prepared.touched_sections)}), seed "
             f"{request.seed}"] if chosen else []
    done += [f"moved {prepared.transpose:+d} semitones"] if prepared.transpose else []
    done += [f"now at {edited.plan.sections[0].tempo:g} BPM"] if request.tempo is not None \
        else []
    done += [f"without {', '.join(request.remove_tracks)}"] if request.remove_tracks else []
    done += [f"with {', '.join(prepared.added)}"] if prepared.added else []
    done += [f"{request.extend[0]} {request.extend[1]} bars longer"] \
        if request.extend is not None else []
    return "; ".join(done) + "; every other note is the song's own"


def _bar_list(bars: list[int]) -> str:
    """Bar indices as 1-based runs: ``bars 3-4, 9``."""
    runs: list[list[int]] = []
    for bar in bars:
        if runs and bar == runs[-1][1] + 1:
            runs[-1][1] = bar
        else:
            runs.append([bar, bar])
    text = ", ".join(f"{a + 1}" if a == b else f"{a + 1}-{b + 1}" for a, b in runs)
    return f"bar{'s' * (len(bars) > 1)} {text}"


def _show_takes(results, as_json: bool, quiet: bool) -> None:
    """Every take written (``--all``), best first by the take score of the part."""
    from rich.table import Table

    if results:
        _show_notes(results[0].edit, as_json or quiet)
    rows = [{"rank": rank, "seed": result.song.project.edits[-1]["seed"],
             "score": result.score, "project": str(result.written[0].path.parent /
                                                   "song.json")}
            for rank, result in enumerate(results, start=1)]
    if as_json:
        print_json({"takes": rows})
    elif not quiet:
        table = Table(title=f"{len(rows)} takes, best first (take score of the part)")
        for column in ("rank", "seed", "score", "project"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row["rank"]), str(row["seed"]), f"{row['score']:.3f}",
                          row["project"])
        console.print(table)
