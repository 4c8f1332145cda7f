"""Bridges that leave the key: a style field draws the move per seed (pop, ballad, rock), a
template may ask for one, chords keep their degrees in the new key, and the plan says so."""

from __future__ import annotations

import pytest

from songform.hierarchy.planner import plan_song
from songform.hierarchy.styles import STYLES
from songform.hierarchy.template import Section, Template
from songform.hierarchy.template_yaml import template_from_yaml


def _bridges(plan):
    names = plan.section_names()
    return [(names[i], s) for i, s in enumerate(plan.sections) if s.kind == "bridge"]


@pytest.mark.parametrize("style", ["pop", "ballad", "rock"])
def test_the_styles_bridges_modulate_for_some_seeds_and_come_home(style):
    assert any(STYLES[style].bridge_key_change)
    moved = stayed = 0
    for seed in range(12):
        plan = plan_song(Template(style=style, bars=72), seed)
        names = plan.section_names()
        for index, section in enumerate(plan.sections):
            if section.kind != "bridge" or index == 0:
                continue
            around = [s.key for s in plan.sections[:index] if s.kind != "bridge"][-1]
            said = [n for n in plan.notes if n.startswith(f"{names[index]}: modulates to ")]
            if not said:
                stayed += 1
                assert section.key == around
                continue
            moved += 1
            shift = int(said[0].rsplit("(", 1)[1].split()[0])
            assert shift in STYLES[style].bridge_key_change
            assert section.key == around.transpose(shift) != around
            following = [s for s in plan.sections[index + 1:] if s.kind != "bridge"]
            if following and following[0].key != around:  # only a lifted last chorus moves on
                assert following[0].kind == "chorus"
    assert moved >= 3  # the seed decides; a style that lists 0 also stays home
    assert (stayed >= 1) == (0 in STYLES[style].bridge_key_change)


def test_a_modulating_bridge_keeps_its_degrees_in_the_new_key():
    """The same template with the bridge moved a fourth: the same numerals, moved chords."""
    sections = (Section("verse", bars=4, chords="I vi IV V"),
                Section("bridge", bars=4, chords="vi IV I V"),
                Section("chorus", bars=4, chords="IV V I I"))
    home = plan_song(Template(sections=sections, key="C major", style="pop"), 1)
    moved = plan_song(Template(sections=sections, key="C major", style="pop",
                               bridge_key_change=5), 1)
    assert [str(s.key) for s in moved.sections] == ["C major", "F major", "C major"]
    assert [str(s.key) for s in home.sections] == ["C major"] * 3  # written sections stay home
    roots = [[e.symbol for bar in p.chords for e in bar] for p in moved.sections[1].phrases]
    assert roots == [["Dm", "Bb", "F", "C"]]
    assert moved.notes == ("Bridge: modulates to F major (+5 semitones)",)
    assert home.notes == ()


def test_chord_symbols_in_a_modulating_bridge_move_and_the_plan_says_so():
    text = """
key: G major
bridge_key_change: 2
sections:
  - {kind: verse, bars: 4, chords: "G Em C D"}
  - {kind: bridge, bars: 4, chords: "Em C G D"}
"""
    plan = plan_song(template_from_yaml(text), 0)
    bridge = plan.sections[1]
    assert str(bridge.key) == "A major"
    assert [e.symbol for bar in bridge.phrases[0].chords for e in bar] == ["F#m", "D", "A", "E"]
    assert plan.notes == ("Bridge: modulates to A major (+2 semitones)",
                          "Bridge: chord symbols written in G major read as degrees and moved "
                          "to A major")
    assert plan_song(template_from_yaml(text), 0).to_json() == plan.to_json()
    assert '"notes"' in plan.to_json()


def test_a_bad_bridge_key_change_names_the_field():
    from songform.hierarchy.errors import TemplateError

    with pytest.raises(TemplateError, match="bridge_key_change"):
        template_from_yaml("bridge_key_change: 12\n")
