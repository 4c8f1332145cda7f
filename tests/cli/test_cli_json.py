"""``--json`` prints one object a script can read; ``--quiet`` prints nothing; every
``--help`` ends with examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from songform.cli.app import app
from songform.hierarchy.styles import STYLES

runner = CliRunner()


def _json(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_styles_generate_edit_and_eval_print_one_json_object(tmp_path):
    plan = _json(["plan", "verse:4 chorus:4", "--seed", "2", "--json", "--save",
                  str(tmp_path / "p.json")])
    assert plan["summary"]["bars"] == 8 and plan["saved"] == str(tmp_path / "p.json")
    assert [s["name"] for s in plan["summary"]["sections"]] == ["Verse", "Chorus"]
    assert len(plan["plan"]["sections"]) == 2 and (tmp_path / "p.json").exists()
    styles = _json(["styles", "--json"])
    assert len(styles) == len(STYLES) and {"name", "meter", "form", "notes_from"} <= set(
        styles[0])
    assert styles[0]["notes_from"] == "pop909 (counter-melody, harmony, melody)"
    song = _json(["generate", "verse:4 chorus:4", "--notes", "arranger", "--no-audio",
                  "--seed", "2", "--out", str(tmp_path / "song"), "--json"])
    assert song["bars"] == 8 and song["writer"] == "baseline arranger"
    assert Path(song["files"]["midi"]).is_file() and Path(song["files"]["project"]).is_file()
    measures = _json(["eval", "--midi", song["files"]["midi"], "--json"])
    assert measures["chord_tones"] > 0.8 and len(measures["sections"]) == 2
    assert [t["section"] for t in measures["take_scores"]] == ["Verse", "Chorus"]
    edited = _json(["edit", song["files"]["project"], "--regenerate", "chorus", "--seed", "3",
                    "--notes", "arranger", "--no-audio", "--out", str(tmp_path / "v2"),
                    "--json"])
    assert edited["edit"]["bars"] == [5, 6, 7, 8] and Path(edited["files"]["midi"]).is_file()
    many = _json(["generate", "verse:2", "--notes", "arranger", "--no-audio", "--count", "2",
                  "--out", str(tmp_path / "many"), "--json"])
    assert [s["seed"] for s in many["songs"]] == [0, 1]


def test_quiet_prints_nothing(tmp_path):
    result = runner.invoke(app, ["generate", "verse:2", "--notes", "arranger", "--no-audio",
                                 "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0 and result.output.strip() == ""
    assert (tmp_path / "song.mid").is_file()


@pytest.mark.parametrize("command", ["plan", "styles", "generate", "render", "edit", "train",
                                     "eval", "data inspect", "data prepare"])
def test_every_help_ends_with_examples(command):
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    examples = lines[lines.index("Examples:") + 1:]
    assert 2 <= len(examples) <= 4 and all(x.startswith(("songform", "torchrun"))
                                           for x in examples), examples
