"""``songform eval --data``: a model scored on a corpus folder (POP909 layout or plain MIDI)."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from songform.cli.app import app
from songform.symbolic.scoring import windows
from songform.symbolic.shipped import shipped_checkpoint

runner = CliRunner()
needs_model = pytest.mark.skipif(shipped_checkpoint() is None, reason="no shipped checkpoint")


@needs_model
def test_eval_data_on_a_pop909_slice(pop909_root):
    result = runner.invoke(app, ["eval", "--data", str(pop909_root), "--split", "test",
                                 "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["layout"] == "pop909" and data["songs"] == 2
    assert [s["song"] for s in data["per_song"]] == ["010", "020"]  # id % 10 == 0: test
    assert 0.3 < data["nll_per_token"] < 4.0 and data["bits_per_note"] > 0
    # a trained model puts more pitch probability on the key and chord than chance does
    assert data["key_mass"] > data["key_chance"] and data["chord_mass"] > data["chord_chance"]
    assert 0 < data["melody"]["steps"] < 1 and data["chord_tones"] > 0.5
    table = runner.invoke(app, ["eval", "--data", str(pop909_root), "--split", "test",
                                "--limit", "1"])
    assert table.exit_code == 0 and "NLL per token" in table.output


@needs_model
def test_eval_data_on_a_plain_midi_folder(tmp_path):
    import songform
    from songform.hierarchy.planner import plan_song
    from songform.song import Song
    from songform.symbolic.arranger import arrange

    for seed in range(2):
        plan = plan_song(songform.Template(form="verse:2 chorus:2", style="pop"), seed)
        Song.from_symbolic(arrange(plan, seed)).save_midi(tmp_path / f"song{seed}.mid")
    (tmp_path / "broken.mid").write_bytes(b"MThd not really")
    result = runner.invoke(app, ["eval", "--data", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["layout"] == "midi" and data["songs"] == 2
    assert [s["file"] for s in data["skipped"]] == ["broken.mid"]
    assert math.isfinite(data["nll_per_token"]) and data["tokens"] > 100
    table = runner.invoke(app, ["eval", "--data", str(tmp_path)])
    assert table.exit_code == 0 and "NLL per token" in table.output and "broken.mid" in \
        table.output


def test_eval_data_without_a_readable_song_exits_2_with_one_line(tmp_path):
    (tmp_path / "broken.mid").write_bytes(b"MThd not really")
    result = runner.invoke(app, ["eval", "--data", str(tmp_path)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "no readable song" in lines[0], result.output


def test_windows_start_at_bar_lines_and_score_every_token_once():
    tokens = ["Bar_None", "a", "b", "Bar_None", "c", "d", "e", "Bar_None", "f", "Bar_None",
              "g"]
    spans = windows(tokens, 5)
    assert spans[0][0] == 0 and all(tokens[s] == "Bar_None" for s, _ in spans)
    predicted = [i for s, e in spans for i in range(s + 1, e + 1)]
    assert predicted == list(range(1, len(tokens)))
    assert all(e - s <= 5 for s, e in spans)
    long_bar = ["Bar_None"] + ["x"] * 12
    spans = windows(long_bar, 5)  # a bar longer than the window is cut
    assert [i for s, e in spans for i in range(s + 1, e + 1)] == list(range(1, 13))


def test_eval_data_on_each_new_corpus_scores_its_test_split(tmp_path):
    """The JSB chorales file and a folder of ABC tunes, each by its own split rule, scored
    by a model of several idioms."""
    from ..cli.test_cli_train import _tiny_jsb
    from ..data.test_folk import REEL
    from ..symbolic.test_chorale_style import _idiom_checkpoint

    checkpoint = str(_idiom_checkpoint(tmp_path / "ckpt"))
    chorales = _tiny_jsb(tmp_path / "jsb.json")
    result = runner.invoke(app, ["eval", "--data", str(chorales), "--checkpoint", checkpoint,
                                 "--split", "test", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["layout"] == "jsb" and [s["song"] for s in data["per_song"]] == ["test-000"]
    assert math.isfinite(data["nll_per_token"]) and data["notes"] > 0
    tunes = tmp_path / "tunes"
    tunes.mkdir()
    for index in range(11):
        (tunes / f"Tune{index:02d}.abc").write_text(REEL.replace("Test Reel", f"T{index}"))
    result = runner.invoke(app, ["eval", "--data", str(tunes), "--checkpoint", checkpoint,
                                 "--split", "test", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["layout"] == "abc"
    assert [s["song"] for s in data["per_song"]] == ["Tune00.abc", "Tune10.abc"]
