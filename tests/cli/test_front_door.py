"""The one exit path: every failure is one line with the right exit code; --debug shows the
traceback instead; names in any script survive."""

from __future__ import annotations

import json
import subprocess
import sys

import mido
import pytest
from typer.testing import CliRunner

from songform.cli.app import app
from songform.cli.common import describe

runner = CliRunner()


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def test_unexpected_errors_are_one_line_and_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setenv("SONGFORM_DEBUG", "0")  # restored after the test: --debug sets it
    import songform.hierarchy.planner as planner

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("songform.cli.plan_cmd.plan_song", broken)
    result = runner.invoke(app, ["plan", "--style", "pop"])
    assert result.exit_code == 1
    assert _lines(result.output) == ["error: internal error (ZeroDivisionError: a bug); rerun "
                                     "with --debug for the traceback"]
    debug = runner.invoke(app, ["--debug", "plan", "--style", "pop"])
    assert isinstance(debug.exception, ZeroDivisionError)
    assert planner.plan_song is not broken


def test_exit_codes_by_kind_of_failure(tmp_path):
    from songform.core.errors import InputError, MachineError
    from songform.render.errors import RenderError

    assert describe(InputError("bad"))[1] == 2
    assert describe(MachineError("no gpu"))[1] == 1
    assert describe(RenderError("no soundfont"))[1] == 1
    assert describe(OSError(28, "No space left on device", "/x"))[1] == 1
    garbage = tmp_path / "t.yaml"
    garbage.write_text("sections: [")
    result = runner.invoke(app, ["plan", str(garbage)])
    assert result.exit_code == 2 and _lines(result.output)[-1].startswith(f"error: {garbage}")


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("songform.cli.plan_cmd.plan_song", interrupted)
    result = runner.invoke(app, ["plan", "--style", "pop"])
    assert result.exit_code == 130 and _lines(result.output) == ["error: interrupted"]


def test_names_in_any_script_reach_the_midi(tmp_path):
    template = tmp_path / "song.yaml"
    template.write_text('title: "Café 東京"\nstyle: pop\nsections: [{kind: verse, bars: 2}]\n'
                        'instruments: [{name: "Гитара", program: 25, role: melody}]\n',
                        encoding="utf-8")
    result = runner.invoke(app, ["generate", str(template), "--no-audio", "--notes",
                                 "arranger", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    midi = mido.MidiFile(tmp_path / "out" / "song.mid", charset="utf-8")
    names = [m.name for t in midi.tracks for m in t if m.type == "track_name"]
    assert names[:2] == ["Café 東京", "Гитара"]


def test_the_installed_command_has_the_same_front_door(tmp_path):
    result = subprocess.run([sys.executable, "-m", "songform", "plan", "i4A99999999"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert _lines(result.stderr) == ['error: <form>: form: phrase label "A99999999": expected '
                                     'a positive bar count (at most 1024), got "99999999"']


def test_eval_refuses_notes_that_do_not_fit_the_plan(tmp_path):
    import songform
    from songform.pipeline import SongPipeline
    from songform.symbolic.writers import ArrangerWriter

    long = SongPipeline(ArrangerWriter())(songform.Template(form="verse:8 chorus:8"),
                                          seed=1, out=tmp_path / "long", outputs=("midi",))
    SongPipeline(ArrangerWriter())(songform.Template(form="verse:2"), seed=1,
                                   out=tmp_path / "short", outputs=("plan",))
    result = runner.invoke(app, ["eval", "--midi", str(long.written[0].path), "--plan",
                                 str(tmp_path / "short" / "plan.json")])
    assert result.exit_code == 2 and "past the end of plan.json" in _lines(result.output)[-1]
    drums = mido.MidiFile(type=1)
    track = mido.MidiTrack([mido.Message("note_on", channel=9, note=36, velocity=90),
                            mido.Message("note_off", channel=9, note=36, time=240)])
    drums.tracks.append(track)
    drums.save(str(tmp_path / "drums.mid"))
    result = runner.invoke(app, ["eval", "--midi", str(tmp_path / "drums.mid"), "--plan",
                                 str(tmp_path / "short" / "plan.json")])
    assert result.exit_code == 2 and "no pitched notes" in _lines(result.output)[-1]


def test_eval_strict_passes_the_models_songs_and_fails_a_chorus_moved_off_its_plan(tmp_path):
    from symusic import Score

    from songform.symbolic.shipped import shipped_checkpoint

    notes = "model" if shipped_checkpoint() is not None else "arranger"
    out = tmp_path / "song"
    made = runner.invoke(app, ["generate", "verse:4 chorus:4 verse:4 chorus:4", "--style",
                               "pop", "--seed", "2", "--notes", notes, "--no-audio", "-o",
                               str(out)])
    assert made.exit_code == 0, made.output
    kept = runner.invoke(app, ["eval", "--midi", str(out / "song.mid"), "--strict"])
    assert kept.exit_code == 0, kept.output
    score = Score(str(out / "song.mid"))
    tpq = score.ticks_per_quarter
    for track in score.tracks:  # the first chorus (bars 5-8) a tritone away from its plan
        if not track.is_drum:
            for note in track.notes:
                if 16 * tpq <= note.time < 32 * tpq:
                    note.pitch += 6
    score.dump_midi(str(out / "moved.mid"))
    moved = runner.invoke(app, ["eval", "--midi", str(out / "moved.mid"), "--plan",
                                str(out / "plan.json"), "--strict"])
    assert moved.exit_code == 1
    assert "Chorus 1: key fit" in moved.output and "Verse 1:" not in moved.output


@pytest.mark.parametrize("argv", [
    ["generate", "verse:x", "--no-audio"],
    ["edit", "missing/song.json", "--regenerate", "verse"],
    ["arrange", "missing.mid"],
    ["continue", "missing.mid"],
    ["render", "missing.mid", "--audio", "x.xyz"],
    ["generate", "verse:2", "--threads", "999", "--no-audio"],
])
def test_with_json_an_error_is_one_json_object_too(argv, tmp_path):
    """Scripts and agents read one format: with --json, an error is a JSON object on stdout
    (its message and exit code) and the exit code is the same as without."""
    plain = runner.invoke(app, [*argv, "-o" if argv[0] != "render" else "--stems",
                                str(tmp_path / "out")])
    result = runner.invoke(app, [*argv, "--json", "-o" if argv[0] != "render" else "--stems",
                                 str(tmp_path / "out")])
    assert result.exit_code == plain.exit_code and result.exit_code in (1, 2), result.output
    error = json.loads(result.stdout)
    assert set(error) == {"error", "exit_code"} and error["exit_code"] == result.exit_code
    assert error["error"] and error["error"][:30] in plain.output


def test_every_command_that_writes_takes_the_same_options():
    """--json and --quiet on every command that writes; --seed and --threads on every one
    that runs a model or a seeded renderer (data prepare runs neither)."""
    import typer.main

    group = typer.main.get_command(app)
    commands = {"generate": group.commands["generate"], "edit": group.commands["edit"],
                "arrange": group.commands["arrange"], "continue": group.commands["continue"],
                "render": group.commands["render"], "train": group.commands["train"],
                "data prepare": group.commands["data"].commands["prepare"]}
    for name, command in commands.items():
        options = {option for param in command.params for option in param.opts}
        wanted = {"--json", "--quiet"} | ({"--seed", "--threads"} if name != "data prepare"
                                           else set())
        assert wanted <= options, (name, wanted - options)


def test_train_and_prepare_speak_json(tmp_path):
    """A small MIDI corpus (the arranger's songs) prepared and trained on with --json: one
    JSON object on stdout each."""
    import songform
    from songform.pipeline import SongPipeline
    from songform.symbolic.writers import ArrangerWriter

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in range(6):
        song = SongPipeline(ArrangerWriter()).compose(songform.Template(form="verse:2"), seed)
        song.save_midi(corpus / f"song{seed}.mid")
    result = runner.invoke(app, ["data", "prepare", str(corpus), "-o", str(tmp_path / "cache"),
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["songs"] == 6
    result = runner.invoke(app, ["train", "--corpus", "midi", "--data", str(corpus),
                                 "--out", str(tmp_path / "ck"), "--steps", "2", "--dim", "16",
                                 "--depth", "1", "--heads", "2", "--window", "32",
                                 "--batch-size", "2", "--json", "--threads", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["steps"] == 2 and summary["checkpoint"] == str(tmp_path / "ck")


def test_help_shows_the_defaults_written_in_brackets():
    from typer.testing import CliRunner

    from songform.cli.app import app

    shown = CliRunner().invoke(app, ["train", "--help"], env={"COLUMNS": "200"}).output
    assert "Width [default: 128]." in shown and "[default: jsb]" in shown
    shown = CliRunner().invoke(app, ["generate", "--help"], env={"COLUMNS": "200"}).output
    assert "[default: the library's choice" in shown
