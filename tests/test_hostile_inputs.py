"""Hostile song projects, options, sketches and outputs: each refused in one clear line (exit 2
at the front door) before any work, never an "internal error"; outputs checked before the
work, interrupted runs leave no folder they made, and two runs on one folder never mix."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import mido
import pytest
from typer.testing import CliRunner

import songform
from songform.cli.app import app
from songform.core.errors import InputError
from songform.pipeline import SongPipeline
from songform.project import Project
from songform.symbolic.writers import ArrangerWriter

runner = CliRunner()
TEMPLATE = songform.Template(form="verse:2 chorus:2", style="pop")


@pytest.fixture(scope="module")
def project_file(tmp_path_factory):
    """A song written by the shipped model (its project holds note tokens)."""
    from songform.symbolic.writers import note_writer

    out = tmp_path_factory.mktemp("song")
    SongPipeline(note_writer("model", None, "cpu"))(TEMPLATE, seed=1, out=out,
                                                   outputs=("plan", "midi", "project"))
    return out / "song.json"


def _tampered(source, tmp_path, tamper):
    data = json.loads(source.read_text())
    tamper(data)
    (tmp_path / "song.mid").write_bytes(source.with_name("song.mid").read_bytes())
    path = tmp_path / "song.json"
    path.write_text(json.dumps(data))
    return path


TAMPERS = {
    "bars an int": (lambda d: d.update(bars=7), "field bars: expected a list"),
    "a token not a string": (lambda d: d["bars"][0].insert(1, 12), "12 is not a note token"),
    "NaN chord_bias": (lambda d: d["writer"]["generation"].update(chord_bias=math.nan),
                       "NaN is not a number"),
    "infinite seed": (lambda d: d.update(seed=math.inf), "Infinity is not a number"),
    "seed 2^64+1": (lambda d: d.update(seed=2 ** 64 + 1), "integer seed from 0"),
    "a string top_p": (lambda d: d["writer"]["generation"].update(top_p="high"),
                       "writer.generation: top_p"),
    "context 10^7": (lambda d: d["writer"]["generation"].update(context=10 ** 7),
                     "context: expected an integer from 16 to 8192"),
    "generation a list": (lambda d: d["writer"].update(generation=[1]),
                          "sampling settings: expected an object"),
    "writer a string": (lambda d: d.update(writer="model"), "field writer: expected an object"),
    "a section kind that is an int": (lambda d: d["plan"]["sections"][0].update(kind=5),
                                      "expected a section kind"),
    "a chord offset as a string": (
        lambda d: d["plan"]["sections"][0]["phrases"][0]["chords"][0][0].__setitem__(0, "x"),
        "chords: expected a number"),
    "a label that is a list": (
        lambda d: d["plan"]["sections"][0]["phrases"][0].update(label=[1]), "phrase label"),
    "repeat_of true": (lambda d: d["plan"]["sections"][1]["phrases"][0].update(repeat_of=True),
                       "earlier phrase"),
    "energy 2.5": (lambda d: d["plan"]["sections"][0].update(energy=2.5), "energy level"),
    "midi outside the folder": (lambda d: d.update(midi="../../etc/passwd"),
                                "file name beside the project"),
    "a bad hash": (lambda d: d.update(midi_sha256="zz"), "64 hexadecimal digits"),
    "edits a string": (lambda d: d.update(edits="all"), "field edits"),
    "a bar of 10^5 tokens": (lambda d: d["bars"].__setitem__(0, ["Position_0"] * 100_000),
                             "at most 4096 tokens"),
    "seventeen tracks": (lambda d: d["plan"]["tracks"].extend(
        {"name": f"T{i}", "program": 0, "role": "harmony", "is_drum": False}
        for i in range(12)), "at most 16 tracks"),
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_every_tampered_project_field_is_named(project_file, tmp_path, name):
    tamper, message = TAMPERS[name]
    path = _tampered(project_file, tmp_path, tamper)
    with pytest.raises(InputError, match=message.replace("^", r"\^")) as error:
        Project.load(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_a_project_nested_100000_deep_or_too_large_is_refused(tmp_path):
    deep = tmp_path / "song.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deep"):
        Project.load(deep)
    import songform.project as project

    deep.write_text(json.dumps({"format": "songform-project", "pad": "x" * 1000}))
    project.MAX_PROJECT_BYTES, saved = 100, project.MAX_PROJECT_BYTES
    try:
        with pytest.raises(InputError, match="over the 100 a project may hold"):
            Project.load(deep)
    finally:
        project.MAX_PROJECT_BYTES = saved


@pytest.mark.parametrize("token, message", [
    ("Pitch_999", '"Pitch_999" is not in the vocabulary'),
    ("Duration_1.0.4", 'the bar opens on "Duration_1.0.4"'),
])
def test_stored_tokens_the_model_cannot_read_are_refused_by_bar(project_file, tmp_path, token,
                                                                message):
    path = _tampered(project_file, tmp_path, lambda d: d["bars"][-1].insert(0, token))
    result = runner.invoke(app, ["edit", str(path), "--regenerate", "verse", "--no-audio",
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert f"bar 4: {message}" in result.output and "internal error" not in result.output


@pytest.mark.parametrize("settings, field", [
    ({"temperature": math.nan}, "temperature"), ({"temperature": 0}, "temperature"),
    ({"top_p": math.inf}, "top_p"), ({"chord_bias": -1e9}, "chord_bias"),
    ({"context": 10 ** 12}, "context"), ({"max_tokens_per_bar": 2.5}, "max_tokens_per_bar"),
    ({"takes": True}, "takes"), ({"copy_repeats": "yes"}, "copy_repeats"),
])
def test_sampling_settings_are_checked_for_type_range_and_finiteness(settings, field):
    from songform.symbolic.generate_config import GenerateConfig

    with pytest.raises(InputError, match=f"^{field}: expected"):
        GenerateConfig(**settings)


@pytest.mark.parametrize("argv, message", [
    (["generate", "verse:2", "--seed", "18446744073709551617"], "integer seed from 0"),
    (["generate", "verse:2", "--loudness", "nan"], "loudness: expected -70 to 0 LUFS"),
    (["generate", "verse:2", "--threads", "100000"], "--threads: expected 1 to"),
    (["generate", "verse:2", "--count", "100000000"], "--count: expected 1 to 10000"),
    (["generate", "verse:2", "--chord-bias", "inf"], "chord_bias: expected a number"),
])
def test_numeric_options_are_checked_where_they_are_parsed(tmp_path, argv, message):
    result = runner.invoke(app, [*argv, "--notes", "arranger", "--no-audio",
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_edit_refuses_a_seed_past_the_range(project_file, tmp_path):
    result = runner.invoke(app, ["edit", str(project_file), "--regenerate", "verse",
                                 "--seed", "18446744073709551617", "--no-audio",
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "integer seed from 0" in result.output, result.output


# -- outputs ---------------------------------------------------------------------------------
def _melody(path, bars=4, meter=(4, 4), seconds_long=0.0):
    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("time_signature", numerator=meter[0], denominator=meter[1]))
    beat = 480 * 4 // meter[1]
    if seconds_long:
        track.append(mido.Message("note_on", note=60, velocity=80, time=0))
        track.append(mido.Message("note_off", note=60, time=int(seconds_long * 960)))
    for index in range(bars * meter[0] if not seconds_long else 0):
        track.append(mido.Message("note_on", note=60 + index % 8, velocity=80, time=0))
        track.append(mido.Message("note_off", note=60 + index % 8, time=beat))
    midi.save(path)
    return path


@pytest.mark.parametrize("command", ["generate", "edit", "arrange", "continue", "train",
                                     "data prepare"])
def test_every_writing_command_checks_its_output_before_any_work(project_file, tmp_path,
                                                                 monkeypatch, command):
    melody = _melody(tmp_path / "tune.mid")
    argv = {"generate": ["generate", "verse:2"],
            "edit": ["edit", str(project_file), "--regenerate", "verse"],
            "arrange": ["arrange", str(melody)], "continue": ["continue", str(melody)],
            "train": ["train", "--corpus", "jsb", "--steps", "1"],
            "data prepare": ["data", "prepare", str(tmp_path)]}[command]
    loaded = []
    monkeypatch.setattr(SongPipeline, "from_options",
                        classmethod(lambda cls, *a, **k: loaded.append(1)))
    a_file = tmp_path / "taken.txt"
    a_file.write_text("keep me\n")
    for out, message in ((a_file, "is a file, not a folder"),
                         (a_file / "sub", "is a file")):
        result = runner.invoke(app, [*argv, "--no-audio", "-o", str(out)]
                               if command in ("generate", "edit", "arrange", "continue")
                               else [*argv, "-o", str(out)])
        assert result.exit_code == 2, result.output
        assert message in result.output and str(out) in result.output
        assert not loaded  # refused before any model was asked for
    assert a_file.read_text() == "keep me\n"


def test_an_interrupted_run_leaves_no_folder_it_made(tmp_path, monkeypatch):
    class Interrupted(ArrangerWriter):
        def write(self, plan, seed=0, progress=None):
            raise KeyboardInterrupt

    out = tmp_path / "new" / "song"
    with pytest.raises(KeyboardInterrupt):
        SongPipeline(Interrupted())(TEMPLATE, seed=1, out=out)
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "kept"
    existing.mkdir()
    with pytest.raises(KeyboardInterrupt):
        SongPipeline(Interrupted())(TEMPLATE, seed=1, out=existing / "a" / "b")
    assert [p.name for p in tmp_path.rglob("*")] == ["kept"]


HOLDER = """
import sys, time
from songform.core.fileio import reserved_folder
with reserved_folder(sys.argv[1]):
    print("held", flush=True)
    time.sleep(30)
"""


def test_a_second_run_on_a_held_folder_is_refused_and_the_first_song_is_whole(tmp_path):
    out = tmp_path / "song"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(InputError, match="another songform run is writing into"):
            SongPipeline(ArrangerWriter())(TEMPLATE, seed=1, out=out)
        assert [p.name for p in out.iterdir()] == [".songform.lock"]
    finally:
        holder.kill()
        holder.wait()
    result = SongPipeline(ArrangerWriter())(TEMPLATE, seed=1, out=out)  # the lock is free
    assert sorted(p.name for p in out.iterdir()) == sorted(w.path.name for w in result.written)


def test_a_folder_holds_one_song_never_a_mix_of_two(tmp_path):
    pipeline = SongPipeline(ArrangerWriter())
    pipeline(TEMPLATE, seed=1, out=tmp_path, outputs=("plan", "midi", "project", "pianoroll"))
    second = pipeline(TEMPLATE, seed=2, out=tmp_path, outputs=("plan", "midi", "project"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "song.json",
                                                          "song.mid"]
    assert Project.load(tmp_path / "song.json").seed == 2 == second.seed
    mine = tmp_path / "notes.txt"
    mine.write_text("mine")
    pipeline(TEMPLATE, seed=3, out=tmp_path, outputs=("midi",))
    assert mine.read_text() == "mine"  # only a song's own file names are ever removed


# -- sketches --------------------------------------------------------------------------------
@pytest.mark.parametrize("options, command, message", [
    ({"meter": (1, 32)}, "arrange", "the planner handles bars of 1 to 12 quarter notes"),
    ({"meter": (13, 16)}, "continue", "the model has no token for Meter_13/16"),
    ({"seconds_long": 3600.0}, "arrange", "songform plans songs of at most 1,024 bars"),
    ({"seconds_long": 3600.0}, "continue", "songform plans songs of at most 1,024 bars"),
    ({"bars": 0}, "arrange", "no pitched notes"),
])
def test_hostile_sketches_are_one_clear_line(tmp_path, options, command, message):
    melody = _melody(tmp_path / "tune.mid", **options)
    argv = (["arrange", str(melody), "--notes", "arranger"] if command == "arrange"
            else ["continue", str(melody), "--bars", "16"])
    result = runner.invoke(app, [*argv, "--no-audio", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.output, result.output
