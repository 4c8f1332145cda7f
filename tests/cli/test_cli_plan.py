"""The CLI through Typer's runner: plan, styles, --version, and one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from songform import __version__
from songform.cli.app import app
from songform.hierarchy.plan import SongPlan

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"songform {__version__}"


def test_styles_lists_every_style():
    result = runner.invoke(app, ["styles"])
    assert result.exit_code == 0
    for name in ("pop", "ballad", "rock", "blues", "jazz", "chorale", "house", "waltz"):
        assert name in result.output


def test_plan_a_form_string_writes_json(tmp_path):
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", "intro:4 verse:8 chorus:8 outro:4", "--key", "D",
                                 "--tempo", "100", "--seed", "3", "--save", str(out)])
    assert result.exit_code == 0, result.output
    assert "Verse" in result.output and "Chorus" in result.output
    plan = SongPlan.from_json(out.read_text())
    assert plan.num_bars == 24 and plan.sections[0].tempo == 100.0
    assert str(plan.sections[1].key) == "D major" and plan.seed == 3


def test_plan_a_style_alone_and_a_label_form(tmp_path):
    result = runner.invoke(app, ["plan", "--style", "waltz", "--seed", "1"])
    assert result.exit_code == 0 and "3/4" in result.output
    out = tmp_path / "p.json"
    result = runner.invoke(app, ["plan", "i4A8B8x4A8B8o4", "--save", str(out)])
    assert result.exit_code == 0
    kinds = [s["kind"] for s in json.loads(out.read_text())["sections"]]
    assert kinds == ["intro", "verse", "chorus", "interlude", "verse", "chorus", "outro"]


def test_plan_yaml_file(tmp_path):
    path = tmp_path / "song.yaml"
    path.write_text("style: jazz\nkey: F\nsections:\n  - kind: verse\n    bars: 8\n")
    result = runner.invoke(app, ["plan", str(path)])
    assert result.exit_code == 0 and "F" in result.output


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "song.yaml"
    path.write_text("style: pop\nsections:\n  - kind: verse\n    bars: eight\n")
    cases = [
        ["plan", str(path)],
        ["plan", "intro:4 chrous:8"],
        ["plan", "--style", "polka"],
        ["plan", "--key", "H major"],
        ["plan", str(tmp_path / "missing.yaml")],
        ["plan", ""],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), (args, result.output)
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["plan", str(path)])
    assert f"{path}:4:11: sections[0].bars: expected a positive integer" in result.output


def test_unwritable_json_output_is_one_line_exit_1(tmp_path):
    result = runner.invoke(app, ["plan", "--save", str(tmp_path / "no" / "such" / "p.json")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("error:")


def test_plan_says_what_it_chose_and_who_plays_what(tmp_path):
    """A modulating bridge is named in one line, and so are the writers of the tracks."""
    from songform.symbolic.shipped import shipped_checkpoint

    template = tmp_path / "song.yaml"
    template.write_text("key: C major\nbridge_key_change: 5\nsections:\n"
                        "  - {kind: verse, bars: 4}\n  - {kind: bridge, bars: 4}\n")
    result = runner.invoke(app, ["plan", str(template), "--save", str(tmp_path / "p.json")],
                           terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "plan: Bridge: modulates to F major (+5 semitones)" in result.output
    writers = next(line for line in result.output.splitlines() if line.startswith("writers:"))
    if shipped_checkpoint() is not None:
        assert "the shipped model writes" in writers and "Drums" in writers
        by_arranger = writers.split("the arranger plays")[1]
        assert "Bass" in by_arranger  # pop's bass is the band's, whatever else the model learned
        chorale = runner.invoke(app, ["plan", "--style", "chorale"], terminal_width=200)
        line = next(x for x in chorale.output.splitlines() if x.startswith("writers:"))
        assert line.endswith("Soprano, Alto, Tenor, Bass; the arranger none")
    else:
        assert "the arranger plays every track" in writers
    saved = json.loads((tmp_path / "p.json").read_text())
    assert saved["notes"] == ["Bridge: modulates to F major (+5 semitones)"]


def test_styles_say_how_each_band_plays():
    result = runner.invoke(app, ["styles", "--json"])
    assert result.exit_code == 0, result.output
    by_name = {s["name"]: s for s in json.loads(result.output)}
    assert by_name["blues"]["feel"].startswith("shuffle 0.66")
    assert "walking" in by_name["jazz"]["bass"] and "swing" in by_name["jazz"]["feel"]
    assert by_name["pop"]["feel"] == "straight" and "chorus" in by_name["pop"]["returns"]
    assert all(s["drums"] and s["comping"] for s in by_name.values())


def test_a_saved_plan_is_a_source_that_writes_the_same_song_as_its_template(tmp_path):
    from songform.hierarchy.plan import SongPlan
    from songform.hierarchy.sources import load_source

    saved = tmp_path / "my plan.json"
    form = "verse:2 chorus:2"
    assert runner.invoke(app, ["plan", form, "--seed", "3", "--save", str(saved)]
                         ).exit_code == 0
    shown = runner.invoke(app, ["plan", str(saved), "--json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["summary"]["bars"] == 4
    assert isinstance(load_source(saved), SongPlan)
    for out, source in (("a", [form, "--seed", "3"]), ("b", [str(saved)])):
        result = runner.invoke(app, ["generate", *source, "--notes", "arranger", "--no-audio",
                                     "-o", str(tmp_path / out), "--quiet"])
        assert result.exit_code == 0, result.output
    for name in ("plan.json", "song.mid"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    written_plan = tmp_path / "a" / "plan.json"  # the plan beside a song is a source too
    assert load_source(written_plan) == load_source(saved)


@pytest.mark.parametrize("argv, message", [
    (["plan", "nothere.json"], "no such file: nothere.json"),
    (["generate", "missing/plan.json", "--no-audio"], "no such file: missing/plan.json"),
    (["plan", "{saved}", "--key", "D major"], "is a saved plan: it fixes key already"),
    (["plan", "{saved}", "--seed", "4"], "is a saved plan (seed 3)"),
    (["plan", "{other}"], "not a songform plan (a plan holds tracks and sections)"),
    (["plan", "{old}"], "plan format 99; this songform reads format 1"),
])
def test_plan_sources_fail_with_one_clear_line(tmp_path, argv, message):
    saved = tmp_path / "plan.json"
    runner.invoke(app, ["plan", "verse:2", "--seed", "3", "--save", str(saved)])
    other = tmp_path / "other.json"
    other.write_text('{"name": "not a plan"}')
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**json.loads(saved.read_text()), "format": 99}))
    argv = [a.format(saved=saved, other=other, old=old) for a in argv]
    result = runner.invoke(app, argv, catch_exceptions=False)
    assert result.exit_code == 2 and message in result.output, result.output


def test_plan_and_styles_start_without_torch():
    import subprocess
    import sys

    code = ("import sys\nfrom typer.testing import CliRunner\nfrom songform.cli.app import app\n"
            "for argv in (['plan', '--style', 'pop'], ['styles']):\n"
            "    assert CliRunner().invoke(app, argv).exit_code == 0\n"
            "print(sorted(m for m in ('torch', 'miditok', 'music21') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
