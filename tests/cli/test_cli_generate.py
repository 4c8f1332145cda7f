"""``songform generate`` and ``songform render`` end to end."""

from __future__ import annotations

import json

import mido
import pytest
import soundfile
from typer.testing import CliRunner

from songform.cli.app import app
from songform.hierarchy.plan import SongPlan

from ..render.soundfont_check import have_soundfont

runner = CliRunner()


def test_generate_without_audio_writes_every_file(tmp_path):
    result = runner.invoke(app, ["generate", "intro:2 verse:4 chorus:4 outro:2", "--style",
                                 "rock", "--seed", "2", "--no-audio", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["pianoroll.png", "plan.json", "song.json", "song.mid", "song.musicxml"]
    plan = SongPlan.from_json((tmp_path / "plan.json").read_text())
    assert plan.num_bars == 12
    midi = mido.MidiFile(str(tmp_path / "song.mid"))
    assert midi.length == pytest.approx(plan.duration_seconds, abs=1e-3)
    assert "song.musicxml" in result.output
    from songform.symbolic.shipped import DEFAULT_MODEL, shipped_checkpoint

    if shipped_checkpoint() is not None:  # the default writes with the shipped model
        assert f"notes by the model {DEFAULT_MODEL}" in result.output


@pytest.mark.skipif(not have_soundfont(), reason="no GM SoundFont installed")
def test_generate_with_audio_and_render(tmp_path):
    result = runner.invoke(app, ["generate", "--style", "waltz", "--bars", "16", "--seed",
                                 "1", "--out", str(tmp_path), "--format", "flac", "--notes",
                                 "arranger"])
    assert result.exit_code == 0, result.output
    info = soundfile.info(str(tmp_path / "song.flac"))
    plan = SongPlan.from_json((tmp_path / "plan.json").read_text())
    assert info.duration == pytest.approx(plan.duration_seconds + 2.0, abs=0.01)
    result = runner.invoke(app, ["render", str(tmp_path / "song.mid"), "--audio",
                                 str(tmp_path / "again.wav")])
    assert result.exit_code == 0, result.output
    assert soundfile.info(str(tmp_path / "again.wav")).duration == pytest.approx(
        info.duration, abs=0.01)


@pytest.mark.skipif(not have_soundfont(), reason="no GM SoundFont installed")
def test_stems_formats_and_loudness_from_the_cli(tmp_path):
    import json

    import numpy as np
    import pyloudnorm

    result = runner.invoke(app, ["generate", "verse:2 chorus:2", "--style", "rock", "--seed",
                                 "3", "--notes", "arranger", "--stems", "--format", "ogg",
                                 "--out", str(tmp_path / "song")])
    assert result.exit_code == 0, result.output
    song = tmp_path / "song"
    plan = SongPlan.from_json((song / "plan.json").read_text())
    stems = sorted(p.stem for p in (song / "stems").iterdir())
    assert stems == sorted(t.name for t in plan.tracks)
    mix = soundfile.info(str(song / "song.ogg"))
    assert {soundfile.info(str(p)).frames for p in (song / "stems").iterdir()} == {mix.frames}
    result = runner.invoke(app, ["render", str(song / "song.mid"), "--audio",
                                 str(tmp_path / "quiet.mp3"), "--loudness", "-20", "--stems",
                                 str(tmp_path / "stems")])
    assert result.exit_code == 0, result.output
    samples, rate = soundfile.read(str(tmp_path / "quiet.mp3"), always_2d=True)
    assert pyloudnorm.Meter(rate).integrated_loudness(samples) == pytest.approx(-20, abs=0.6)
    assert len(list((tmp_path / "stems").iterdir())) == len(stems)
    result = runner.invoke(app, ["eval", "--audio", str(tmp_path / "quiet.mp3"), "--midi",
                                 str(song / "song.mid"), "--json"])
    assert result.exit_code == 0, result.output
    audio = json.loads(result.output)["audio"]
    assert audio["loudness_lufs"] == pytest.approx(-20, abs=0.6)
    assert audio["true_peak_dbtp"] <= -1.0 + 0.1  # after MP3 encoding
    assert audio["correlation"] >= 0.3 and np.isfinite(audio["loudness_range_lu"])


def test_render_bad_input_is_one_line(tmp_path):
    garbage = tmp_path / "x.mid"
    garbage.write_text("hello")
    for args in (["render", str(garbage)], ["render", str(tmp_path / "missing.mid")]):
        result = runner.invoke(app, [*args, "--audio", str(tmp_path / "o.wav")])
        assert result.exit_code == 2  # bad input
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    result = runner.invoke(app, ["render", str(garbage), "--audio", str(tmp_path / "o.mp3"),
                                 "--soundfont", str(tmp_path / "none.sf2")])
    assert result.exit_code == 2 and "error:" in result.output  # the bad MIDI is named first


def test_render_checks_its_output_before_any_work(tmp_path, monkeypatch):
    from songform.core.fileio import atomic_write_text

    song = tmp_path / "song.mid"
    result = runner.invoke(app, ["generate", "verse:1", "--no-audio", "--notes", "arranger",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    played = []
    for name in ("songform.render.audio.render_midi_to_audio",
                 "songform.render.engines.get_renderer"):
        monkeypatch.setattr(name, lambda *args, **kwargs: played.append(1))
    for target in (tmp_path / "missing" / "x.wav", tmp_path):
        result = runner.invoke(app, ["render", str(song), "--audio", str(target)])
        assert result.exit_code == 2 and str(target) in result.output, result.output
        assert ".x.wav." not in result.output  # never a staging name
    assert not played  # refused before any audio was made
    with pytest.raises(OSError, match=f"cannot write {tmp_path / 'missing' / 'x.txt'}"):
        atomic_write_text(tmp_path / "missing" / "x.txt", "x")


def test_unwritable_output_folder_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["generate", "--no-audio", "--notes", "arranger", "--out",
                                 str(blocker / "sub")])
    assert result.exit_code == 2  # bad input, answered before any work
    assert result.output.strip().startswith("error:") and "Traceback" not in result.output
    assert f"{blocker} is a file" in result.output


def test_bad_format_and_soundfont(tmp_path):
    result = runner.invoke(app, ["generate", "--format", "aiff", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "wav, flac, ogg, mp3" in result.output
    result = runner.invoke(app, ["generate", "--stems", "--no-audio", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--stems" in result.output
    result = runner.invoke(app, ["generate", "--loudness", "5", "--notes", "arranger",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2 and "loudness" in result.output  # checked as it is parsed
    assert not any(tmp_path.iterdir())
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--soundfont",
                                 str(tmp_path / "none.sf2")])
    assert result.exit_code == 1 and "SoundFont not found" in result.output


def test_generate_with_a_checkpoint_and_bad_note_options(tmp_path):
    import torch

    from songform.symbolic.checkpoint import CheckpointInfo, save_checkpoint
    from songform.symbolic.model import ModelConfig, MusicTransformer
    from songform.symbolic.tokenizer import SongTokenizer

    tokenizer = SongTokenizer()
    torch.manual_seed(0)
    model = MusicTransformer(ModelConfig(vocab_size=len(tokenizer), dim=16, depth=1, heads=2,
                                         max_relative=32))
    save_checkpoint(tmp_path / "ckpt", model,
                    CheckpointInfo.for_songs(tokenizer, roles=("harmony", "melody")))
    result = runner.invoke(app, ["generate", "verse:2 chorus:1", "--no-audio", "--seed", "4",
                                 "--out", str(tmp_path / "song"), "--checkpoint",
                                 str(tmp_path / "ckpt")])
    assert result.exit_code == 0, result.output
    assert "notes by the model ckpt" in result.output
    assert "the arranger plays" in result.output  # who plays which track
    plan = SongPlan.from_json((tmp_path / "song" / "plan.json").read_text())
    midi = mido.MidiFile(str(tmp_path / "song" / "song.mid"))
    assert midi.length == pytest.approx(plan.duration_seconds, abs=1e-3)
    result = runner.invoke(app, ["generate", "verse:2", "--no-audio", "--out", str(tmp_path),
                                 "--notes", "robot"])
    assert result.exit_code == 2 and "--notes" in result.output
    result = runner.invoke(app, ["generate", "verse:2", "--no-audio", "--out", str(tmp_path),
                                 "--checkpoint", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "no such folder" in result.output


def test_eval_measures_the_notes_against_the_plan(tmp_path):
    result = runner.invoke(app, ["generate", "verse:4 chorus:4", "--no-audio", "--notes",
                                 "arranger", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["eval", "--midi", str(tmp_path / "song.mid")])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "chord tones" in x)
    assert float(line.split("│")[-2]) > 0.8  # the arranger voices the plan's chords
    assert "take score per section" in result.output  # what --takes ranks by
    chorus = next(x for x in result.output.splitlines() if x.startswith("│ Chorus")
                  and x.count("│") == 8)  # the take score's seven columns
    assert float(chorus.split("│")[2]) > 0.8  # its chord fit
    assert runner.invoke(app, ["eval"]).exit_code == 2


def test_a_terminated_generate_leaves_the_folder_as_it_was(tmp_path):
    """SIGTERM in the middle of writing: exit 130, one line, the earlier song intact."""
    import hashlib
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "song"
    first = runner.invoke(app, ["generate", "--no-audio", "--notes", "arranger", "--out",
                                str(out), "--style", "pop", "--seed", "1"])
    assert first.exit_code == 0, first.output
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}
    child = subprocess.Popen([sys.executable, "-m", "songform", "generate", "--out", str(out),
                              "--style", "pop", "--seed", "2", "--notes", "model"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not any(p.is_dir() for p in out.iterdir()):
        time.sleep(0.05)  # the staging folder appears once the parts are loaded
    time.sleep(0.5)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert [line for line in err.splitlines() if line.strip()] == ["error: interrupted"]
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}
    assert after == before


def _tiny_checkpoint(folder):
    import torch

    from songform.symbolic.checkpoint import CheckpointInfo, save_checkpoint
    from songform.symbolic.model import ModelConfig, MusicTransformer
    from songform.symbolic.tokenizer import SongTokenizer

    tokenizer = SongTokenizer()
    torch.manual_seed(0)
    model = MusicTransformer(ModelConfig(vocab_size=len(tokenizer), dim=16, depth=1, heads=2,
                                         max_relative=32))
    save_checkpoint(folder, model, CheckpointInfo.for_songs(tokenizer,
                                                            roles=("harmony", "melody")))
    return folder


def test_count_writes_different_songs_each_as_written_alone(tmp_path):
    checkpoint = str(_tiny_checkpoint(tmp_path / "ckpt"))
    common = ["verse:2 chorus:2", "--no-audio", "--checkpoint", checkpoint]
    result = runner.invoke(app, ["generate", *common, "--count", "3", "--seed", "5",
                                 "--songs-per-batch", "2", "--out", str(tmp_path / "many")])
    assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in (tmp_path / "many").iterdir())
    assert folders == ["seed-5", "seed-6", "seed-7"]
    songs = [(tmp_path / "many" / f / "song.mid").read_bytes() for f in folders]
    assert len(set(songs)) == 3
    alone = runner.invoke(app, ["generate", *common, "--seed", "6", "--out",
                                str(tmp_path / "six")])
    assert alone.exit_code == 0, alone.output
    assert (tmp_path / "six" / "song.mid").read_bytes() == songs[1]  # batched = alone


def test_takes_one_is_the_song_without_takes_and_bad_values_are_one_line(tmp_path):
    checkpoint = str(_tiny_checkpoint(tmp_path / "ckpt"))
    common = ["verse:2 chorus:2 verse:2 chorus:2", "--no-audio", "--checkpoint", checkpoint,
              "--seed", "4"]  # four sections: with this seed some keep a take but the first
    for name, extra in (("plain", []), ("one", ["--takes", "1"]), ("three", ["--takes", "3"])):
        result = runner.invoke(app, ["generate", *common, *extra, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    midi = {name: (tmp_path / name / "song.mid").read_bytes()
            for name in ("plain", "one", "three")}
    assert midi["one"] == midi["plain"] and midi["three"] != midi["plain"]
    for bad in (["--takes", "0"], ["--takes", "99"], ["--count", "0"], ["--top-p", "0"],
                ["--temperature", "-1"], ["--threads", "0"]):
        result = runner.invoke(app, ["generate", *common, *bad, "--out", str(tmp_path / "x")])
        assert result.exit_code == 2, (bad, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert not (tmp_path / "x").exists()


def test_torchrun_processes_write_disjoint_seeds(tmp_path):
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    torchrun = Path(sys.executable).with_name("torchrun")
    if not torchrun.exists():
        torchrun = shutil.which("torchrun")
    assert torchrun, "torchrun ships with torch"
    out = tmp_path / "many"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [str(torchrun), "--standalone", "--nproc-per-node", "2", "-m", "songform", "generate",
         "verse:2 chorus:2", "--notes", "arranger", "--no-audio", "--count", "5", "--seed",
         "10", "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"seed-{s}" for s in range(10, 15)]
    tables = result.stdout
    assert "rank 0 of 2" in tables and "rank 1 of 2" in tables
    assert "3 songs" in tables and "2 songs" in tables  # seeds 10, 12, 14 and 11, 13



@pytest.mark.parametrize("style", ["chorale", "folk", "jig"])  # jig: the folk plan in 6/8
def test_chorales_and_fiddle_tunes_keep_their_plans(tmp_path, style):
    out = tmp_path / style
    result = runner.invoke(app, ["generate", "--style", style, "--seed", "2", "--no-audio",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    strict = runner.invoke(app, ["eval", "--midi", str(out / "song.mid"), "--strict"])
    assert strict.exit_code == 0, strict.output
    plan = json.loads((out / "plan.json").read_text())
    kinds = {section["kind"] for section in plan["sections"]}
    score = (out / "song.musicxml").read_text()
    if style == "chorale":
        voices_ending = sum(1 for _ in plan["sections"]) * 4
        assert kinds == {"phrase"} and 0.9 * voices_ending <= score.count("<fermata") <= \
            voices_ending  # a voice silent at a phrase's end has none
    else:
        assert kinds == {"strain"} and "<fermata" not in score
        labels = [phrase["label"] for s in plan["sections"] for phrase in s["phrases"]]
        assert labels == ["A", "B", "A", "B", "C", "D", "C", "D"]  # AABB, two phrases a strain
