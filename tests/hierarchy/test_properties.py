"""Property-based tests: whatever a user types, the only error is ``TemplateError``."""

from __future__ import annotations

import contextlib

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from songform.hierarchy.chord import Chord
from songform.hierarchy.chordgrid import parse_chord_grid
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter
from songform.hierarchy.planner import plan_song
from songform.hierarchy.roman import roman_to_chord
from songform.hierarchy.template import Template
from songform.hierarchy.template_yaml import (
    SECTION_FIELDS,
    TEMPLATE_FIELDS,
    TRACK_FIELDS,
    template_from_yaml,
)

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Values of the right shape, of the wrong shape, and in between.
plausible_text = st.sampled_from([
    "verse", "chorus", "chrous", "pop", "polka", "C", "Am", "H major", "4/4", "7/8:2+2+3",
    "4/5", "I V vi IV", "| C G | Am F |", "| C | | G |", "Zm9", "% C", "A4 A4", "Q4",
    "chorus 1", "bridge 3", "intro:4 verse:8", "i4A8B8o4", "Piano", "melody", "drums", "",
    "eight", "-3", "1e9", "∞", "N",
])
scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 40), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), plausible_text, st.text(max_size=12),
)
value = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)
track = st.dictionaries(st.sampled_from(TRACK_FIELDS + ("volume",)), value, max_size=4)
section = st.dictionaries(st.sampled_from(SECTION_FIELDS + ("lenght",)), value, max_size=5)
template_shape = st.fixed_dictionaries({}, optional={
    **{name: value for name in TEMPLATE_FIELDS if name not in ("sections", "instruments")},
    "sections": st.one_of(value, st.lists(section, min_size=1, max_size=4)),
    "instruments": st.one_of(value, st.lists(track, min_size=1, max_size=3)),
})


def _plan_or_template_error(template: Template) -> None:
    with contextlib.suppress(TemplateError):
        plan_song(template, seed=0)


@SETTINGS
@given(st.text(max_size=200))
def test_random_text_as_yaml_raises_only_template_errors(text):
    try:
        template = template_from_yaml(text, "random.yaml")
    except TemplateError as error:
        assert str(error).startswith("random.yaml")
        return
    _plan_or_template_error(template)


@SETTINGS
@given(template_shape)
def test_schema_shaped_yaml_with_wrong_values_raises_only_template_errors(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        template = template_from_yaml(text, "shaped.yaml")
    except TemplateError as error:
        message = str(error)
        assert message.startswith("shaped.yaml") and "\n" not in message
        return
    _plan_or_template_error(template)


@SETTINGS
@given(st.one_of(st.text(max_size=60), st.lists(plausible_text, max_size=6).map(" ".join)))
def test_random_forms_raise_only_template_errors(text):
    try:
        template = Template(form=text)
    except TemplateError:
        return
    _plan_or_template_error(template)


@SETTINGS
@given(st.text(max_size=16))
def test_random_symbols_raise_only_template_errors(text):
    for parse in (Chord.parse, Key.parse, Meter.parse, lambda t: roman_to_chord(t, Key(0))):
        with contextlib.suppress(TemplateError):
            parse(text)


valid_section = st.fixed_dictionaries(
    {"kind": st.sampled_from(["intro", "verse", "pre-chorus", "chorus", "bridge", "solo",
                              "interlude", "outro"]),
     "bars": st.integers(1, 12)},
    optional={
        "chords": st.sampled_from(["I V vi IV", "| ii7 V7 | Imaj7 |", "i VII VI V7",
                                   "| C G/B | Am7 F | % |", "N I"]),
        "key": st.sampled_from(["C", "Ebm", "F# major", "Bb:min"]),
        "meter": st.sampled_from(["4/4", "3/4", "6/8", "7/8", "5/4", "12/8", "2/4"]),
        "tempo": st.integers(40, 200),
        "energy": st.integers(0, 7),
        "phrase_bars": st.integers(1, 8),
        "variation": st.floats(0, 1),
    })


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(valid_section, min_size=1, max_size=6), st.sampled_from(
    ["pop", "rock", "jazz", "waltz", "house", "chorale", "blues", "ballad"]),
    st.integers(0, 2**31))
def test_valid_templates_always_plan(sections, style, seed):
    assume(all(len(parse_chord_grid(s["chords"])) <= s["bars"] for s in sections
               if "chords" in s))
    text = yaml.safe_dump({"style": style, "sections": sections})
    plan = plan_song(template_from_yaml(text, "ok.yaml"), seed=seed)
    assert plan.num_bars == sum(s["bars"] for s in sections)
    assert len(list(plan.bars())) == plan.num_bars
    for bar, (kind, number) in zip(plan.bars(), [(s["kind"], None) for s in sections for _ in
                                                 range(s["bars"])], strict=True):
        assert bar.section_kind == kind and number is None
        assert all(0 <= e.offset < bar.length for e in bar.chords)
