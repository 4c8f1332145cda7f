"""``songform train`` on a few JSB steps writes a loadable checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from songform.cli.app import app
from songform.symbolic.checkpoint import load_checkpoint

JSB = Path(__file__).resolve().parents[3] / "shared" / "data" / "jsb-chorales" / \
    "Jsb16thSeparated.json"
runner = CliRunner()


@pytest.mark.skipif(not JSB.exists(), reason=f"JSB chorales not found at {JSB}")
def test_train_writes_a_checkpoint_and_resumes(tmp_path):
    args = ["train", "--out", str(tmp_path / "ckpt"), "--data", str(JSB), "--steps", "3",
            "--batch-size", "2", "--window", "32", "--dim", "32", "--depth", "1",
            "--heads", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    model = load_checkpoint(tmp_path / "ckpt")
    assert model.config.position == "relative" and model.config.dim == 32  # the shipped kind
    logits = model(torch.zeros(1, 4, dtype=torch.long))
    assert logits.shape == (1, 4, model.config.vocab_size)
    curve = (tmp_path / "ckpt" / "curve.csv").read_text().splitlines()
    assert curve[0] == "step,loss,valid_nll,tokens_per_s,cpu_s" and len(curve) == 4
    cpu = [float(line.split(",")[-1]) for line in curve[1:]]
    assert 0 < cpu[0] <= cpu[1] <= cpu[2]
    assert (tmp_path / "ckpt" / "curve.png").read_bytes()[:4] == b"\x89PNG"
    # the run's own options come back: only the new step count is given
    result = runner.invoke(app, ["train", "--resume", str(tmp_path / "ckpt"), "--steps", "5"])
    assert result.exit_code == 0, result.output
    assert "trained 5 steps" in result.output
    curve = (tmp_path / "ckpt" / "curve.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in curve[1:]] == ["1", "2", "3", "4", "5"]
    cpu = [float(line.split(",")[-1]) for line in curve[1:]]
    assert cpu == sorted(cpu)  # the resumed part goes on from the run's CPU seconds
    assert load_checkpoint(tmp_path / "ckpt").config.dim == 32


def test_train_rejects_unknown_corpus(tmp_path):
    result = runner.invoke(app, ["train", "--out", str(tmp_path), "--corpus", "lakh"])
    assert result.exit_code == 2 and 'unknown corpus "lakh"' in result.output
    result = runner.invoke(app, ["train", "--out", str(tmp_path), "--corpus", "pop909:2,jsbb"])
    assert result.exit_code == 2 and '(did you mean "jsb"?)' in result.output
    result = runner.invoke(app, ["train", "--out", str(tmp_path), "--corpus", "pop909,folk",
                                 "--data", str(tmp_path)])
    assert result.exit_code == 2 and "a list reads each corpus from its own place" in result.output
    result = runner.invoke(app, ["train", "--out", str(tmp_path), "--corpus", "pop909",
                                 "--init", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "--init: no checkpoint folder at" in result.output


TINY = ["--steps", "2", "--batch-size", "2", "--window", "48", "--dim", "16", "--depth", "1",
        "--heads", "2"]


def test_train_on_pop909_writes_a_song_model(tmp_path, monkeypatch, pop909_root):
    from songform.symbolic.writers import SongModel

    monkeypatch.setenv("SONGFORM_CACHE", str(tmp_path / "cache"))
    result = runner.invoke(app, ["train", "--corpus", "pop909", "--data", str(pop909_root),
                                 "--limit", "16", "--out", str(tmp_path / "ckpt"), *TINY])
    assert result.exit_code == 0, result.output
    assert "roles counter-melody, harmony, melody" in result.output
    assert any((tmp_path / "cache" / "tokens").iterdir())  # tokenized once, cached
    model = SongModel.load(tmp_path / "ckpt")
    assert model.roles == ("counter-melody", "harmony", "melody")


def test_train_on_a_midi_folder(tmp_path, monkeypatch):
    import songform
    from songform.hierarchy.planner import plan_song
    from songform.song import Song
    from songform.symbolic.arranger import arrange

    monkeypatch.setenv("SONGFORM_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "midi"
    folder.mkdir()
    for seed in range(7):
        plan = plan_song(songform.Template(form="verse:2 chorus:2", style="pop"), seed)
        Song.from_symbolic(arrange(plan, seed)).save_midi(folder / f"song{seed}.mid")
    (folder / "broken.mid").write_bytes(b"MThd not really")
    result = runner.invoke(app, ["train", "--corpus", "midi", "--data", str(folder),
                                 "--out", str(tmp_path / "ckpt"), *TINY])
    assert result.exit_code == 0, result.output
    assert "6 training and 1 validation songs" in result.output
    assert (tmp_path / "ckpt" / "model.safetensors").exists()
    # a cache written by `data prepare` is what `train --cache` reads: nothing is read again
    cache = tmp_path / "prepared"
    result = runner.invoke(app, ["data", "prepare", str(folder), "--plain", "-o", str(cache)])
    assert result.exit_code == 0, result.output

    def no_reading(*args, **kwargs):
        raise AssertionError("the corpus was read again instead of the cache")

    monkeypatch.setattr("songform.data.corpus.read_corpus", no_reading)
    result = runner.invoke(app, ["train", "--corpus", "midi", "--cache", str(cache),
                                 "--out", str(tmp_path / "ckpt2"), *TINY])
    assert result.exit_code == 0, result.output
    assert "6 training and 1 validation songs" in result.output


def _tiny_jsb(path):
    """Six two-bar chorales in the JSB file's layout (three train, two valid, one test)."""
    import json

    chord = [[72, 67, 64, 48], [74, 67, 62, 55], [72, 69, 65, 53], [71, 67, 62, 55]]
    chorale = [voices for voices in chord for _ in range(8)]
    path.write_text(json.dumps({"train": [chorale] * 3, "valid": [chorale] * 2,
                                "test": [chorale]}))
    return path


def test_train_on_a_list_of_corpora_writes_a_model_of_several_idioms(tmp_path, monkeypatch):
    from songform.data import training_sets
    from songform.hierarchy.planner import plan_song
    from songform.hierarchy.template import Template
    from songform.symbolic.checkpoint_info import read_info
    from songform.symbolic.writers import SongModel

    from ..data.test_folk import REEL

    tunes = tmp_path / "tunes"
    tunes.mkdir()
    for index in range(6):
        (tunes / f"Tune{index}.abc").write_text(REEL.replace("Test Reel", f"Tune {index}"))
    places = {"jsb": _tiny_jsb(tmp_path / "jsb.json"), "folk": tunes}
    monkeypatch.setattr(training_sets, "default_corpus_path", places.get)
    monkeypatch.setenv("SONGFORM_CACHE", str(tmp_path / "cache"))
    result = runner.invoke(app, ["train", "--corpus", "jsb:1,folk:2", "--out",
                                 str(tmp_path / "ckpt"), *TINY])
    assert result.exit_code == 0, result.output
    assert "jsb (weight 1): 3 training and 2 validation songs" in result.output
    assert "folk (weight 2): 4 training and 1 validation songs" in result.output
    info = read_info(tmp_path / "ckpt")
    assert info.corpus == "jsb:1,folk:2" and info.idiom_corpora == {"chorale": "jsb",
                                                                     "folk": "folk"}
    assert info.idiom_roles == {"chorale": ("bass", "counter-melody", "harmony", "melody"),
                                "folk": ("melody",)}
    model = SongModel.load(tmp_path / "ckpt")
    chorale = plan_song(Template(style="chorale"), seed=1)
    assert model.roles_for(chorale) == ("bass", "counter-melody", "harmony", "melody")
    assert model.roles_for(plan_song(Template(style="jig"), seed=1)) == ("melody",)
