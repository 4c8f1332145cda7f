"""Fuzzing the front doors (seeded, a few hundred cases; bench/robustness.py runs thousands
through the CLI): every parser and command ends in a result or the project's own error, never
another exception; the CLI always ends in one line."""

from __future__ import annotations

import contextlib

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from songform.cli.app import app
from songform.core.errors import SongformError
from songform.hierarchy.chord import Chord
from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter
from songform.hierarchy.planner import plan_song
from songform.hierarchy.roman import roman_to_chord
from songform.hierarchy.template import Template
from songform.hierarchy.template_yaml import template_from_yaml

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
KINDS = ["intro", "verse", "chorus", "bridge", "outro", "pre-chorus", "solo", "chrous", "x"]
counts = st.one_of(st.integers(-3, 2000).map(str), st.sampled_from(
    ["", "0", "²", "٣", "1e3", "99999999999", "4.5", "-", "9" * 60]))
form_tokens = st.one_of(
    st.builds(lambda k, n: f"{k}:{n}", st.sampled_from(KINDS), counts),
    st.builds(lambda k, n: f"{k}{n}", st.sampled_from(list("iABCXxbo")), counts),
    st.sampled_from(KINDS), st.text(max_size=6))
forms = st.lists(form_tokens, max_size=12).map(" ".join)
chord_text = st.text(alphabet="ABCDEFGabcdefgmj#b♯♭/()+-o°ø:,0123456789susaddmiNX ",
                     max_size=12)


def _result_or_own_error(call) -> None:
    with contextlib.suppress(SongformError):  # any other exception fails the test
        call()


@FUZZ
@given(forms)
def test_form_strings(form):
    def plan():
        plan_song(Template(form=form), 0)

    _result_or_own_error(plan)


@FUZZ
@given(st.text(max_size=40), st.sampled_from(["C major", "A minor", "Eb major"]))
def test_chords_numerals_keys_and_meters(text, key):
    _result_or_own_error(lambda: Chord.parse(text).symbol())
    _result_or_own_error(lambda: roman_to_chord(text, Key.parse(key)).symbol())
    _result_or_own_error(lambda: Key.parse(text))
    _result_or_own_error(lambda: Meter.parse(text))


@FUZZ
@given(chord_text)
def test_chord_symbols_round_trip_or_refuse(text):
    try:
        chord = Chord.parse(text)
    except SongformError:
        return
    assert Chord.parse(chord.symbol()) == chord


scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 3000), st.floats(allow_nan=True),
                    st.text(max_size=10), st.sampled_from(KINDS + ["I V vi IV", "| C G |",
                                                                    "verse 1", "A4 A4"]))
section = st.dictionaries(st.sampled_from(["kind", "bars", "chords", "key", "meter", "tempo",
                                           "energy", "repeat", "phrases", "instruments",
                                           "variation", "colour"]), scalars, max_size=5)
template = st.fixed_dictionaries({}, optional={
    "sections": st.lists(section, max_size=6), "key": scalars, "meter": scalars,
    "tempo": scalars, "style": st.sampled_from(["pop", "waltz", "polka", 3]),
    "bars": scalars, "key_change": scalars, "title": scalars, "form": st.one_of(forms, scalars),
    "instruments": st.lists(st.dictionaries(st.sampled_from(["name", "program", "role",
                                                             "is_drum"]), scalars),
                            max_size=3)})


@FUZZ
@given(st.one_of(template.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
                 st.text(max_size=200)))
def test_yaml_templates(text):
    def plan():
        plan_song(template_from_yaml(text, source="fuzz.yaml"), 0)

    _result_or_own_error(plan)


option_values = {
    "--key": st.one_of(st.text(max_size=8), st.sampled_from(["D major", "Am", "H", "C##"])),
    "--meter": st.one_of(st.text(max_size=6), st.sampled_from(["7/8", "1/1", "0/4", "4/0",
                                                                "99/64"])),
    "--tempo": st.sampled_from(["0", "-5", "nan", "inf", "1e308", "120", "x"]),
    "--bars": st.sampled_from(["0", "-1", "1024", "1025", "8", "x", "99999999999999999999"]),
    "--style": st.sampled_from(["pop", "rock", "polka", ""]),
    "--seed": st.sampled_from(["-1", "0", "2", "x", "99999999999999999999999"]),
}


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(option_values)), st.none(), max_size=3)
       .flatmap(lambda chosen: st.fixed_dictionaries(
           {name: option_values[name] for name in chosen})), st.one_of(st.none(), forms))
def test_plan_options_end_in_a_plan_or_one_line(options, form):
    args = ["plan", *([form] if form else []), *[x for kv in options.items() for x in kv]]
    result = CliRunner().invoke(app, args)
    lines = [line for line in result.output.splitlines() if line.strip()]
    if result.exit_code != 0:
        assert result.exit_code == 2, (args, result.output)
        assert "internal error" not in result.output and "Traceback" not in result.output
        assert lines and (lines[-1].startswith("error:") or "Usage" in result.output
                          or "Error" in result.output), (args, result.output)


@pytest.mark.parametrize("command", [["render", "{midi}", "--audio", "{out}"],
                                     ["eval", "--midi", "{midi}", "--plan", "{plan}"],
                                     ["data", "inspect", "{folder}"]])
def test_mutated_midi_through_the_commands(tmp_path, command):
    """Each mutation kind through the commands that read a user's MIDI: exit 0 or one clean
    line (2 for the bad file), never an internal error."""
    from songform.data.mutations import mutants
    from songform.pipeline import SongPipeline
    from songform.symbolic.writers import ArrangerWriter

    SongPipeline(ArrangerWriter())(Template(form="verse:2 chorus:2", style="pop"), seed=1,
                                   out=tmp_path / "seed", outputs=("plan", "midi"))
    source = (tmp_path / "seed" / "song.mid").read_bytes()
    runner = CliRunner()
    for index, (kind, _, data) in enumerate(mutants({"seed": source}, 1, seed=2)):
        folder = tmp_path / f"case{index}"
        folder.mkdir()
        (folder / "song.mid").write_bytes(data)
        args = [a.format(midi=folder / "song.mid", out=folder / "o.wav",
                         plan=tmp_path / "seed" / "plan.json", folder=folder)
                for a in command]
        result = runner.invoke(app, args)
        lines = [line for line in result.output.splitlines() if line.strip()]
        if result.exit_code != 0:
            assert result.exit_code in (1, 2) and lines[-1].startswith("error:"), (kind, lines)
            assert "internal error" not in result.output, (kind, result.output)
