"""``songform edit``: reopen a song's project (``song.json``) and write part of it again,
keeping every other note."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from songform.core.fileio import check_output_folder

from .common import (
    JsonFlag,
    QuietFlag,
    console,
    error_console,
    fail,
    handles_errors,
    print_json,
)
from .generate_cmd import (
    CheckpointOpt,
    DeviceOpt,
    NotesOpt,
    OutOpt,
    print_outputs,
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
    audio: Annotated[bool, typer.Option("--audio/--no-audio", help="Render song.wav.")] = True,
    notes: NotesOpt = "auto",
    checkpoint: CheckpointOpt = None,
    device: DeviceOpt = "cpu",
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
    from songform.pipeline import SongPipeline
    from songform.plan_edits import (
        added_track_writer,
        extended,
        transposed,
        with_section,
        with_tempo,
        with_track,
        without_track,
    )
    from songform.project import Project, part_bars
    from songform.project import regenerate as rewrite
    from songform.song import Song

    if regenerate is not None and bars is not None:
        raise fail("give --regenerate SECTION or --bars A-B, not both")
    if regenerate is None and bars is None and not set_ and tempo is None \
            and transpose is None and key is None and not remove_track and not add_track \
            and extend is None and midi is None:
        raise fail("nothing to edit: give --midi, --regenerate, --bars, --set, --tempo, "
                   "--transpose, --key, --add-track, --remove-track or --extend")
    if all_takes and candidates < 2:
        raise fail("--all goes with --candidates N (N of 2 or more)")
    if track is not None and (regenerate is None and bars is None or set_ or extend):
        raise fail("--track goes with --regenerate or --bars (and not with --set or --extend)")
    if out.resolve() == project_file.resolve().parent:
        raise fail(f"--out: {out} holds the project being edited; write the edit elsewhere")
    check_output_folder(out)
    project = Project.load(project_file)
    song = Song.from_symbolic(project.song()) if midi is None else None
    if key is not None:
        transpose = _key_shift(project.plan.sections[0].key, key, transpose)
    from songform.symbolic.generate_config import GenerateConfig

    chosen_settings = {name: value for name, value in (
        ("temperature", temperature), ("top_p", top_p), ("chord_bias", chord_bias))
        if value is not None}
    generation = GenerateConfig(**{**{k: v for k, v in project.writer.get(
        "generation", {}).items() if k in GenerateConfig.__dataclass_fields__},
        **chosen_settings, "takes": 1 if all_takes else candidates})
    try:
        pipeline = SongPipeline.from_options(notes, checkpoint, device, generation,
                                             engine="fluidsynth" if audio else None)
    except ValueError as error:
        raise fail(f"--notes/--checkpoint: {error}") from None
    from_midi: list[int] = []
    if midi is not None:
        from songform.daw import project_with_midi

        adopted, from_midi, why = project_with_midi(project, midi, pipeline.writer)
        song = Song.from_symbolic(adopted)
        if why and not quiet:
            error_console.print(f"note: {why}", soft_wrap=True, highlight=False)
    for name in remove_track or []:
        song = without_track(song, name)
    added = []
    for spec in add_track or []:
        before, song = song, with_track(song, spec, seed, pipeline.writer, chord_bias)
        new_track = song.plan.tracks[-1]
        why = added_track_writer(before, new_track.role, pipeline.writer)
        added.append(f"{new_track.name} ({new_track.role}, "
                     + ("written by the model)" if why is None
                        else f"played by the arranger: {why})"))
    fresh, follow = set(), set()
    if extend is not None:
        song, new_bars = extended(song, extend[0], extend[1])
        fresh |= set(new_bars)
    plan = song.plan
    for item in set_ or []:
        words = item.split()
        at = next((i for i, word in enumerate(words) if "=" in word), 0)
        name = " ".join(words[:at])
        field, _, value = " ".join(words[at:]).partition("=")
        if not name or not value:
            raise fail(f'--set: expected "SECTION FIELD=VALUE", got "{item}"')
        plan, touched = with_section(plan, name, **{field: value})
        fresh |= set(touched)
    if regenerate is not None or bars is not None:
        part, written = part_bars(plan, regenerate, bars, keep_restatements)
        fresh |= set(part)
        follow = set(written)
    chosen = sorted(fresh | follow)
    identity = pipeline.writer.identity()
    if (identity.get("weights_sha256") != project.writer.get("weights_sha256")
            or identity.get("kind") != project.writer.get("kind")) and not quiet:
        error_console.print(f"note: {project_file} was written by "
                            f"{project.writer.get('checkpoint') or project.writer.get('kind')}"
                            f"; these bars are written by {pipeline.writer.description}")
    base = Song(plan=plan, score=song.score, written=song.written)
    if all_takes and not chosen:
        raise fail("--all: nothing is written again (give --regenerate, --bars or --set)")
    touched = sorted({b.section_index for b in plan.bars() if b.index in chosen})

    def take(take_seed: int) -> Song:
        edited = base
        if chosen:
            edited = rewrite(edited, chosen, take_seed, pipeline.writer, sorted(fresh), track)
        if transpose:
            edited = transposed(edited, transpose)
        return with_tempo(edited, tempo) if tempo is not None else edited

    record = {"bars": [b + 1 for b in chosen], "track": track, "seed": seed,
              "set": list(set_ or []), "tempo": tempo, "transpose": transpose,
              "removed": list(remove_track or []), "added": list(add_track or []),
              "extended": [extend[0], extend[1]] if extend is not None else None,
              "midi": {"file": midi.name, "bars": [b + 1 for b in from_midi]}
              if midi is not None else None,
              "writer": identity.get("checkpoint") or identity.get("kind")}
    if all_takes:
        _write_all_takes(take, record, candidates, touched, pipeline, project, out,
                         as_json, quiet)
        return
    edited = take(seed)
    edits = [*project.edits, record]
    result = pipeline.write_song(edited, project.seed, out, edits=edits)
    names = plan.section_names()
    if as_json:
        from .plan_cmd import plan_summary

        print_json({"project": str(out / "song.json"), "edit": edits[-1],
                    **plan_summary(edited.plan),
                    "files": {item.output: str(item.path) for item in result.written}})
        return
    if quiet:
        return
    part = f"{track} in {len(chosen)} bars" if track else f"{len(chosen)} bars"
    done = [f"took {len(from_midi)} changed bars from {midi.name}"
            + (f" ({_bar_list(from_midi)})" if from_midi else "")] if midi is not None else []
    done += [f"wrote {part} again ({', '.join(names[i] for i in touched)}), seed "
             f"{seed}"] if chosen else []
    done += [f"moved {transpose:+d} semitones"] if transpose else []
    done += [f"now at {edited.plan.sections[0].tempo:g} BPM"] if tempo is not None else []
    done += [f"without {', '.join(remove_track)}"] if remove_track else []
    done += [f"with {', '.join(added)}"] if added else []
    done += [f"{extend[0]} {extend[1]} bars longer"] if extend is not None else []
    console.print("; ".join(done) + "; every other note is the song's own")
    print_outputs(result.written)


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


def _key_shift(home, wanted: str, transpose: int | None) -> int:
    """The semitones (-6 to 5) that move a song in ``home`` to the key ``wanted``."""
    from songform.hierarchy.key import Key

    if transpose is not None:
        raise fail("give --key or --transpose, not both")
    try:
        target = Key.parse(wanted)
    except ValueError as error:
        raise fail(f"--key: {error}") from None
    if target.mode != home.mode:
        raise fail(f"--key: the song is in {home}; give a {home.mode} key (--key moves the "
                   "song, it does not change its mode)")
    return (target.tonic - home.tonic + 6) % 12 - 6


def _write_all_takes(take, record: dict, count: int, touched: list[int], pipeline, project,
                     out: Path, as_json: bool, quiet: bool) -> None:
    """Every take (seeds ``seed``..``seed + count - 1``), ranked by the take score of the
    sections written again (the likelihood is not known once written: 0), to
    ``OUT/take-<rank>``."""
    from rich.table import Table

    from songform.render.midi import playable
    from songform.symbolic.takes import section_scores

    takes = []
    seed = record["seed"]
    for take_seed in range(seed, seed + count):
        song = take(take_seed)
        scores = [score.total for index, score in section_scores(playable(song))
                  if index in touched]  # the notes its MIDI file will hold
        takes.append((sum(scores) / len(scores), take_seed, song))
    takes.sort(key=lambda item: (-item[0], item[1]))
    rows = []
    for rank, (score, take_seed, song) in enumerate(takes, start=1):
        edits = [*project.edits, {**record, "seed": take_seed, "rank": rank,
                                  "score": round(score, 4), "candidates": count}]
        folder = out / f"take-{rank}"
        pipeline.write_song(song, project.seed, folder, edits=edits)
        rows.append({"rank": rank, "seed": take_seed, "score": score,
                     "project": str(folder / "song.json")})
    if as_json:
        print_json({"takes": rows})
    elif not quiet:
        table = Table(title=f"{count} takes, best first (take score of the part)")
        for column in ("rank", "seed", "score", "project"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row["rank"]), str(row["seed"]), f"{row['score']:.3f}",
                          row["project"])
        console.print(table)
