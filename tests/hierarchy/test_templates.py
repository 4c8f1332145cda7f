"""Templates from Python, form strings and YAML, and their error messages."""

from __future__ import annotations

import pytest

from songform.hierarchy.errors import TemplateError
from songform.hierarchy.form import parse_form
from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter
from songform.hierarchy.planner import plan_song
from songform.hierarchy.sources import load_template
from songform.hierarchy.template import Section, Template
from songform.hierarchy.template_yaml import template_from_yaml


def test_python_api_template():
    template = Template(
        sections=[Section("verse", bars=8, chords="I V vi IV"), Section("Chorus", bars=8),
                  Section("prechorus", bars=4), Section(repeat="chorus 1")],
        key="D", tempo=96, style="pop")
    assert template.key == Key(2, "major")
    assert [s.kind for s in template.sections] == ["verse", "chorus", "pre-chorus", "chorus"]
    assert template.sections[3].repeat == ("chorus", 1)
    assert template.sections[0].grid == (("I",), ("V",), ("vi",), ("IV",))


def test_form_strings():
    sections = parse_form("intro:4 verse:8 chorus:8 verse:8 chorus:8 bridge:8 chorus:8 outro:4")
    assert [(s.kind, s.bars) for s in sections][:3] == [("intro", 4), ("verse", 8),
                                                         ("chorus", 8)]
    labelled = parse_form("i4A8B8A8B8x4B8o4")
    assert [s.kind for s in labelled] == ["intro", "verse", "chorus", "verse", "chorus",
                                          "interlude", "chorus", "outro"]
    assert labelled[1].phrases == (("A", 8),)
    assert [s.bars for s in parse_form("intro verse chorus")] == [None, None, None]


@pytest.mark.parametrize("form,message", [
    ("", "empty form"),
    ("   ", "empty form"),
    ("intro:4 chrous:8", 'did you mean "chorus"'),
    ("verse:0", "positive number of bars"),
    ("verse:-4", "positive number of bars"),
    ("verse:eight", "positive number of bars"),
    ("i4A0", "positive"),
])
def test_bad_forms(form, message):
    with pytest.raises(TemplateError, match=message):
        Template(form=form)


def test_form_error_points_at_the_token():
    with pytest.raises(TemplateError) as info:
        load_template("intro:4 verse:8 chrous:8")
    assert str(info.value).startswith("<form>:1:17: form: unknown section kind")


@pytest.mark.parametrize("kwargs,message", [
    ({"style": "polka"}, 'unknown style "polka"'),
    ({"style": "rok"}, 'did you mean "rock"'),
    ({"sections": []}, "non-empty list of sections"),
    ({"sections": [Section(repeat="bridge 1")]}, 'repeats "bridge 1"'),
    ({"sections": [Section("verse"), Section(repeat="verse 2")]}, 'repeats "verse 2"'),
    ({"meter": "4/5"}, "denominator"),
    ({"meter": "1/32"}, None),
    ({"tempo": 0}, "tempo"),
    ({"key": "H major"}, "key"),
    ({"bars": -8}, "positive integer"),
    ({"key_change": 13}, "key change"),
])
def test_bad_python_templates(kwargs, message):
    if message is None:  # valid template, but a meter the planner cannot handle
        with pytest.raises(TemplateError, match="planner handles bars"):
            plan_song(Template(**kwargs))
        return
    with pytest.raises(TemplateError, match=message):
        Template(**kwargs)


@pytest.mark.parametrize("kwargs,message", [
    ({"bars": 0}, "positive integer"),
    ({"bars": "eight"}, 'got "eight"'),
    ({"energy": 9}, "0-7"),
    ({"chords": "| C | | G |"}, "bar 2 is empty"),
    ({"chords": "% C"}, "no previous bar"),
    ({"phrases": "A4 A4", "bars": 6}, "add up to 8"),
    ({"phrases": "Q4"}, "phrase label"),
    ({"kind": None}, "section kind"),
    ({"chords": "I V Zm9 IV"}, 'unknown chord "Zm9"'),
    ({"chords": "I V vi IV", "bars": 2}, "4 bars of chords do not fit in 2 bars"),
])
def test_bad_sections(kwargs, message):
    kwargs = {"kind": "verse", **kwargs}
    with pytest.raises(TemplateError, match=message):
        Section(**kwargs)


GOOD_YAML = """\
title: Harbour Lights
style: ballad
key: Eb major
tempo: 72
seed: 5
key_change: 2
instruments:
  - {name: Flute, program: 73, role: melody}
  - {name: Piano, program: 0, role: harmony}
  - {name: Bass, program: 32, role: bass}
sections:
  - kind: intro
    bars: 4
    chords: "| I | V/3 | vi | IV |"
  - kind: verse
    bars: 8
    chords: [I, V, vi, IV IV/3]
    instruments: [Flute, Piano]
  - kind: chorus
    bars: 8
    energy: 6
    meter: 3/4
  - repeat: verse 1
  - repeat: chorus
"""


def test_yaml_template():
    template = template_from_yaml(GOOD_YAML, "song.yaml")
    assert template.title == "Harbour Lights" and template.seed == 5
    assert template.sections[1].grid == (("I",), ("V",), ("vi",), ("IV", "IV/3"))
    assert template.sections[2].meter == Meter.parse("3/4")
    assert template.sections[4].kind == "chorus"
    plan = plan_song(template, seed=template.seed)
    assert [t.name for t in plan.tracks] == ["Flute", "Piano", "Bass"]
    assert plan.sections[1].tracks == ("Flute", "Piano")
    assert plan.sections[2].meter == Meter.parse("3/4")
    last_chorus = plan.sections[4]
    assert last_chorus.key == Key.parse("F major")  # key_change 2 on the last chorus
    verse_chords = [e.symbol for bar in plan.sections[1].phrases[0].chords for e in bar]
    assert verse_chords == ["Eb", "Bb", "Cm", "Ab", "Ab/C"]
    assert plan.sections[1].phrases[1].chords[-1][1].symbol == "Ab/C"


@pytest.mark.parametrize("text,expected", [
    (GOOD_YAML.replace("    bars: 8\n    energy: 6", "    bars: eight\n    energy: 6"),
     'song.yaml:20:11: sections[2].bars: expected a positive integer (at most 1024), '
     'got "eight"'),
    (GOOD_YAML.replace("tempo: 72", "tempoo: 72"),
     'song.yaml:4:1: tempoo: unknown field (did you mean "tempo"?)'),
    (GOOD_YAML.replace("energy: 6", "energy: high"),
     'song.yaml:21:13: sections[2].energy: expected an integer 0-7, got "high"'),
    (GOOD_YAML.replace("role: bass", "role: singer"),
     "song.yaml:10:37: instruments[2].role: expected a role"),
    (GOOD_YAML.replace("repeat: verse 1", "repeat: bridge 1"),
     'song.yaml:23:13: sections[3].repeat: repeats "bridge 1", but only 0 bridge sections'),
    (GOOD_YAML.replace("[Flute, Piano]", "[Flute, Tuba]"),
     "song.yaml:18:18: sections[1].instruments: unknown instruments ['Tuba']"),
    (GOOD_YAML.replace('"| I | V/3 | vi | IV |"', '"| I | V/3 | vi | Q7 |"'),
     'song.yaml:14:13: sections[0].chords: unknown chord "Q7"'),
    ("sections: [\n  {kind: verse, bars: 4}\n", "song.yaml:3:1: invalid YAML"),
    ("- just\n- a list\n", "song.yaml:1:1: expected a mapping of template fields"),
    ("", "song.yaml:1:1: expected a template, got an empty document"),
    ("key: C\nkey: D\n", 'song.yaml:2:1: key: field "key" is given twice'),
    ("style: pop\nsections: []\n", "song.yaml:2:11: sections: expected a non-empty list"),
    ("style: pop\nsections:\n  - kind: verse\n    bogus: 1\n",
     'song.yaml:4:5: sections[0].bogus: unknown field: expected one of kind'),
])
def test_yaml_errors_name_file_line_column_and_field(text, expected):
    with pytest.raises(TemplateError) as info:
        template_from_yaml(text, "song.yaml")
    assert str(info.value).startswith(expected), str(info.value)


def test_load_template_from_file(tmp_path):
    path = tmp_path / "song.yaml"
    path.write_text(GOOD_YAML)
    assert load_template(path).title == "Harbour Lights"
    assert load_template(str(path), tempo=90).tempo == 90.0
    with pytest.raises(TemplateError, match="no such file"):
        load_template(tmp_path / "missing.yaml")
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(TemplateError, match="cannot read template"):
        load_template(path)


def test_examples_folder_templates_plan(tmp_path):
    from pathlib import Path

    examples = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
    assert len(examples) >= 3
    for path in examples:
        plan = plan_song(load_template(path), seed=1)
        assert plan.num_bars > 0


def test_a_form_may_spell_a_sections_phrases():
    from songform.hierarchy.form import parse_form

    sections = parse_form("strain:A4B4 strain:A4B4 phrase:C2")
    assert [(s.kind, s.phrases) for s in sections] == [
        ("strain", (("A", 4), ("B", 4))), ("strain", (("A", 4), ("B", 4))),
        ("phrase", (("C", 2),))]
    with pytest.raises(TemplateError, match="phrase label"):
        parse_form("strain:A4Q4")
