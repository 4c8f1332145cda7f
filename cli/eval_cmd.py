"""``songform eval``: do the notes keep the plan (chord tones, repeats), and does the audio
keep the notes and the structure?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .common import JsonFlag, console, fail, handles_errors, print_json, print_skipped


@handles_errors
def evaluate(
    audio: Annotated[Path | None, typer.Option("--audio", help="The rendered song "
                                               "(.wav/.flac).")] = None,
    midi: Annotated[Path | None, typer.Option(help="Its notes (default: song.mid beside "
                                                   "the audio).")] = None,
    plan: Annotated[Path | None, typer.Option(help="Its plan (default: plan.json beside "
                                                   "the MIDI).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when any section breaks "
                                         "its plan.")] = False,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Score a model on a corpus folder instead (POP909 layout: plans from "
                       "its labels; plain MIDI: plans by analysis): NLL per token, bits per "
                       "note, the tonality probe and the songs' structure.")] = None,
    checkpoint: Annotated[Path | None, typer.Option(help="--data: the model, a folder or "
                                                    "a shipped model's name (default: the "
                                                    "shipped default).")] = None,
    split: Annotated[str, typer.Option(help="--data: train, valid, test or all (POP909's "
                                       "fixed split; a plain folder: every tenth song is "
                                       "valid).")] = "all",
    limit: Annotated[int | None, typer.Option(min=1, help="--data: at most this many songs."
                                              )] = None,
    plain: Annotated[bool, typer.Option("--plain", help="--data: read the folder as plain "
                                        "MIDI even if it has POP909's layout.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The notes against the plan (chord tones, restated bars, and per section: key fit, chord
    fit, silent planned tracks, energy order, tempo and meter); with --audio also per-bar
    chroma agreement with the notes and same-label bars against other bars.

    Examples:

      songform eval --midi out/song/song.mid

      songform eval --audio out/song/song.wav --strict

      songform eval --data ../shared/data/pop909 --split test

      songform eval --data my-midi-folder/ --checkpoint ckpt/pop909 --json
    """
    from symusic import Score

    from songform.hierarchy.plan import SongPlan
    from songform.render.feel import measured_swing, planned_swing
    from songform.symbolic.metrics import plan_adherence
    from songform.symbolic.midi_input import read_midi_bytes, scan_midi
    from songform.symbolic.song import PlannedScore
    from songform.symbolic.ticks import at_standard_resolution

    if data is not None:
        return _evaluate_corpus(data, checkpoint, split, limit, plain, as_json)
    if audio is None and midi is None:
        raise fail("give --midi (the notes) and/or --audio (a render beside its song.mid)")
    midi = midi or audio.with_name("song.mid")
    plan = plan or midi.with_name("plan.json")
    for path, option in ((audio, "--audio"), (midi, "--midi"), (plan, "--plan")):
        if path is not None and not path.exists():
            raise fail(f"{option}: no such file {path}")
    data = read_midi_bytes(midi)
    scan_midi(data, midi.name)
    try:
        score = at_standard_resolution(Score.from_midi(data))
    except RuntimeError as error:  # symusic's own errors on data the scan let through
        raise fail(f"{midi.name}: unreadable MIDI ({error})") from None
    song = PlannedScore(plan=SongPlan.from_json(plan.read_text()), score=score)
    _check_fit(song, midi.name, plan.name)
    adherence = plan_adherence(song)
    if as_json:
        broken = _print_json(song, adherence, audio)
        if broken and strict:
            raise typer.Exit(1)
        return
    table = Table(title=f"the notes of {midi} against {plan.name}", header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("pitched notes", str(adherence.notes))
    table.add_row("chord tones (share of notes in the sounding chord, 0-1)",
                  f"{adherence.chord_tones:.3f}")
    table.add_row("restated bars matching their source (Jaccard, 0-1)",
                  f"{adherence.repeats:.3f}")
    played = measured_swing(song.score)
    table.add_row("feel: where off-beat eighths fall (0.5 straight; the plan's "
                  f"{planned_swing(song.plan):.2f})", "-" if played is None else f"{played:.2f}")
    console.print(table)
    broken = _section_table(song)
    _take_score_table(song)
    if audio is not None:
        _audio_table(audio, song)
    if broken and strict:
        raise typer.Exit(1)


def _section_table(song) -> int:
    """Print the plan, section by section, and each break; returns how many sections break."""
    from songform.symbolic.metrics import CHORD_FIT_FLOOR, KEY_FIT_FLOOR, check_plan

    rows = check_plan(song)
    table = Table(title=f"section by section (key fit >= {KEY_FIT_FLOOR}, chord fit >= "
                        f"{CHORD_FIT_FLOOR}, planned tracks sound in half the bars)",
                  header_style="bold")
    for column in ("section", "key", "energy", "key fit", "chord fit", "notes/bar",
                   "velocity", "plan kept"):
        table.add_column(column, justify="left" if column in ("section", "key") else "right")
    for row in rows:
        table.add_row(row.name, row.key, str(row.energy), f"{row.key_fit:.2f}",
                      f"{row.chord_fit:.2f}", f"{row.notes_per_bar:.1f}",
                      f"{row.mean_velocity:.0f}", "no" if row.problems else "yes")
    console.print(table)
    broken = [row for row in rows if row.problems]
    for row in broken:
        console.print(f"[bold red]{row.name}[/]: {'; '.join(row.problems)}")
    return len(broken)


def _print_json(song, adherence, audio: Path | None) -> int:
    """Every measure as one JSON object; returns the number of sections that break."""
    import dataclasses

    from songform.render.feel import measured_swing, planned_swing
    from songform.symbolic.metrics import check_plan
    from songform.symbolic.takes import section_scores

    names = song.plan.section_names()
    rows = check_plan(song)
    data = {"notes": adherence.notes, "chord_tones": adherence.chord_tones,
            "repeats": adherence.repeats, "swing": measured_swing(song.score),
            "planned_swing": planned_swing(song.plan),
            "sections": [dataclasses.asdict(row) for row in rows],
            "take_scores": [{"section": names[index], **dataclasses.asdict(score),
                             "total": score.total} for index, score in section_scores(song)]}
    if audio is not None:
        import dataclasses

        from songform.render.levels import audio_levels
        from songform.render.structure import audio_structure

        samples, rate = _read_audio(audio)
        result = audio_structure(samples, rate, song)
        data["audio"] = {"chroma_agreement": result.chroma_agreement,
                         "same_label_similarity": result.same_label_similarity,
                         "other_similarity": result.other_similarity,
                         "contrast": result.contrast,
                         **dataclasses.asdict(audio_levels(samples, rate))}
    print_json(data)
    return sum(bool(row.problems) for row in rows)


def _take_score_table(song) -> None:
    """The score ``--takes`` ranks takes by, section by section (symbolic/takes.py)."""
    from songform.symbolic.takes import (
        CHORD_FIT_TARGET,
        GROOVE_TARGET,
        WEIGHTS,
        section_scores,
    )

    names = song.plan.section_names()
    weights = ", ".join(f"{w:+g} {term.replace('_', ' ')}" for term, w in WEIGHTS.items())
    weights = weights.replace("chord fit", f"chord fit (scored by its distance to "
                                           f"{CHORD_FIT_TARGET:g})")
    weights = weights.replace("groove error", f"groove error (from {GROOVE_TARGET:g})")
    table = Table(title=f"take score per section ({weights}; likelihood unknown here: 0)",
                  header_style="bold")
    for column in ("section", "chord fit", "key fit", "density error", "variation error",
                   "groove error", "score"):
        table.add_column(column, justify="left" if column == "section" else "right")
    for index, score in section_scores(song):
        table.add_row(names[index], f"{score.chord_fit:.2f}", f"{score.key_fit:.2f}",
                      f"{score.density_error:.2f}", f"{score.variation_error:.2f}",
                      f"{score.groove_error:.2f}", f"{score.total:.2f}")
    console.print(table)


def _check_fit(song, midi_name: str, plan_name: str) -> None:
    """Refuse notes that cannot be measured against the plan: none pitched, or lasting past
    the plan's end by more than a bar (another song's plan)."""
    from songform.symbolic.ticks import ticks_to_quarters

    pitched = [n for t in song.score.tracks if not t.is_drum for n in t.notes]
    if not pitched:
        raise fail(f"{midi_name}: no pitched notes to measure against {plan_name}")
    end = ticks_to_quarters(max(n.time for n in pitched), song.tpq)
    last_bar = list(song.plan.bars())[-1]
    if end > song.plan.duration_quarters + last_bar.length:
        raise fail(f"{midi_name}: notes run to quarter {end:,.0f}, past the end of "
                   f"{plan_name} ({song.plan.num_bars} bars, {song.plan.duration_quarters:g} "
                   "quarters): not the song this plan is for")


def _read_audio(audio: Path):
    import soundfile

    try:
        return soundfile.read(str(audio), always_2d=True, dtype="float32")
    except (RuntimeError, soundfile.LibsndfileError) as error:
        raise fail(f"--audio: cannot read {audio} ({error})", 1) from None


def _audio_table(audio: Path, song) -> None:
    from songform.render.levels import audio_levels
    from songform.render.structure import audio_structure

    samples, rate = _read_audio(audio)
    result = audio_structure(samples, rate, song)
    table = Table(title=f"structure in {audio}", header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("chroma agreement with the notes (per bar, 0-1)",
                  f"{result.chroma_agreement:.3f}")
    table.add_row("similarity of bars the plan repeats", f"{result.same_label_similarity:.3f}")
    table.add_row("similarity of other bars", f"{result.other_similarity:.3f}")
    table.add_row("contrast (above 0: the structure is audible)", f"{result.contrast:.3f}")
    levels = audio_levels(samples, rate)
    table.add_row("integrated loudness (LUFS; streaming plays at -14)",
                  f"{levels.loudness_lufs:.1f}")
    table.add_row("true peak (dBTP; at or under -1 survives encoding)",
                  f"{levels.true_peak_dbtp:.2f}")
    table.add_row("loudness range (LU)", f"{levels.loudness_range_lu:.1f}")
    table.add_row("left/right correlation (at or above 0.3: mono-safe)",
                  f"{levels.correlation:.2f}")
    table.add_row("loudness summed to mono (dB; within 3 of 0)",
                  f"{levels.mono_folddown_db:+.1f}")
    console.print(table)


def _evaluate_corpus(folder: Path, checkpoint: Path | None, split: str, limit: int | None,
                     plain: bool, as_json: bool) -> None:
    """``eval --data``: the model's NLL and tonality probe, and the songs' structure."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from songform.corpus_eval import evaluate_corpus

    with Progress(TextColumn("scoring {task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task("songs", total=limit)
        summary = evaluate_corpus(folder, checkpoint, split, limit, plain, lambda name, done:
                                  progress.update(task, completed=done, description=name))
    if as_json:
        print_json(summary)
        return
    print_skipped([(item["file"], item["reason"]) for item in summary["skipped"]])
    _print_corpus_table(summary)


def _print_corpus_table(summary: dict) -> None:
    shapes = summary["melody"] is not None
    checkpoint, folder, layout = summary["checkpoint"], summary["data"], summary["layout"]
    split, per_song = summary["split"], summary["per_song"]
    table = Table(title=f"{checkpoint} on {folder} ({layout}, split {split}, "
                        f"{len(per_song)} songs)", header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [("NLL per token (nats)", f"{summary['nll_per_token']:.4f}"),
            ("bits per note", f"{summary['bits_per_note']:.2f}"),
            ("tokens / notes scored", f"{summary['tokens']:,} / {summary['notes']:,}"),
            ("pitch probability on the key (songs; chance)",
             f"{summary['key_mass']:.3f} ({summary['key_true']:.3f}; "
             f"{summary['key_chance']:.3f})"),
            ("pitch probability on the chord (songs; chance)",
             f"{summary['chord_mass']:.3f} ({summary['chord_true']:.3f}; "
             f"{summary['chord_chance']:.3f})"),
            ("songs' chord tones (share of notes in the sounding chord)",
             f"{summary['chord_tones']:.3f}"),
            ("songs' restated bars matching their source (Jaccard)",
             f"{summary['repeats']:.3f}")]
    if shapes:
        melody = summary["melody"]
        rows += [("melody: steps of 1-2 semitones / leaps of a 4th or more",
                  f"{melody['steps']:.2f} / {melody['leaps']:.2f}"),
                 ("melody: notes a beat or longer / phrases ending long, on the tonic",
                  f"{melody['long_notes']:.2f} / {melody['phrase_long_end']:.2f}, "
                  f"{melody['phrase_tonic_end']:.2f}")]
    for row in rows:
        table.add_row(*row)
    console.print(table)

