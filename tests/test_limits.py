"""Every limit of core/limits.py: accepted at the limit, refused one past it, with one line."""

from __future__ import annotations

import pytest

from songform.core import limits
from songform.core.errors import SongformError
from songform.hierarchy.plan import TrackSpec
from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Section, Template
from songform.hierarchy.template_yaml import template_from_yaml
from songform.symbolic.model import ModelConfig


def _refused(call, match: str) -> None:
    with pytest.raises(SongformError, match=match):
        call()


def test_bars_counted_after_phrases_expand():
    at = "A1024"
    assert plan_song(Template(form=at), 0).num_bars == limits.MAX_BARS
    _refused(lambda: Template(form="A1024B1"), "1025 bars, more than 1024")
    _refused(lambda: Template(form="verse:1025"), "at most 1024")
    _refused(lambda: Template(sections=[Section("verse", phrases="A512 A512"),
                                        Section("chorus", bars=1)]), "1025 bars")


def test_sections_and_counts():
    assert len(Template(form=" ".join(["verse:1"] * 256)).sections) == limits.MAX_SECTIONS
    _refused(lambda: Template(form=" ".join(["verse:1"] * 257)), "at most 256")
    assert Template(form="verse:1024").sections[0].bars == 1024  # four digits
    _refused(lambda: Template(form="verse:01024"), "at most 1024")  # five digits
    _refused(lambda: Template(form="verse:²"), "positive number of bars")


def test_instruments():
    tracks = [TrackSpec(f"T{i}", 0, "harmony") for i in range(limits.MAX_TRACKS)]
    assert len(Template(instruments=tracks).instruments) == 16
    _refused(lambda: Template(instruments=[*tracks, TrackSpec("T16", 0, "bass")]),
             "17 instruments: at most 16")


def test_tempo():
    assert Template(tempo=320).tempo == 320 and Template(tempo=20).tempo == 20
    _refused(lambda: Template(tempo=320.5), "between 20 and 320")
    _refused(lambda: Template(tempo=19.9), "between 20 and 320")


def test_yaml_size_depth_and_aliases():
    padding = "# " + "x" * 60 + "\n"
    body = "style: pop\n"
    at = body + padding * ((limits.MAX_TEMPLATE_BYTES - len(body)) // len(padding))
    assert template_from_yaml(at).style == "pop"
    _refused(lambda: template_from_yaml(at + padding), "a template holds at most")
    depth = limits.MAX_YAML_DEPTH - 1  # lists inside the top mapping: 32 levels in all
    deep = "title: x\nextra: " + "[" * depth + "]" * depth
    _refused(lambda: template_from_yaml(deep), "unknown field")  # read, then the field
    deeper = "title: x\nextra: " + "[" * (depth + 1) + "]" * (depth + 1)
    _refused(lambda: template_from_yaml(deeper), "nested more than 32")
    aliases = "a: &a x\nb: [" + ", ".join(["*a"] * limits.MAX_YAML_ALIASES) + "]\n"
    _refused(lambda: template_from_yaml(aliases), "unknown field")  # 100 aliases: parsed
    _refused(lambda: template_from_yaml(aliases.replace("]", ", *a]")), "more than 100 alias")


def test_yaml_alias_bombs_under_the_alias_limit_are_refused_before_they_expand():
    """Nine anchors, each nine aliases of the one before: 72 aliases, 9^9 nodes expanded."""
    import resource
    import time

    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
    assert bomb.count("*") < limits.MAX_YAML_ALIASES and len(bomb) < 500
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    _refused(lambda: template_from_yaml(bomb), "expands to more than 100,000 nodes")
    assert time.perf_counter() - started < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB
    _refused(lambda: template_from_yaml("a: &a [*a]\n"), "an anchor contains itself")
    _refused(lambda: template_from_yaml("a: &a {b: [1, *a]}\n"), "an anchor contains itself")
    fine = "a: &a [1, 2]\nb: [*a, *a]\ntitle: shared\n"  # shared, not recursive: read
    _refused(lambda: template_from_yaml(fine), "unknown field")


def test_checkpoint_sizes_without_building_anything():
    at = ModelConfig(vocab_size=limits.MAX_VOCAB, dim=64, depth=limits.MAX_MODEL_DEPTH,
                     heads=limits.MAX_MODEL_HEADS // 2, max_positions=limits.MAX_MODEL_POSITIONS,
                     max_relative=512)
    assert at.depth == 64 and at.parameter_estimate() < limits.MAX_MODEL_PARAMETERS
    assert ModelConfig(vocab_size=8, dim=limits.MAX_MODEL_DIM, depth=1, heads=64).dim == 4096
    for field, value in (("dim", limits.MAX_MODEL_DIM + 2), ("depth", limits.MAX_MODEL_DEPTH + 1),
                         ("heads", limits.MAX_MODEL_HEADS + 1),
                         ("vocab_size", limits.MAX_VOCAB + 1),
                         ("max_positions", limits.MAX_MODEL_POSITIONS + 1)):
        _refused(lambda f=field, v=value: ModelConfig(**{"vocab_size": 8, f: v}), field)
    _refused(lambda: ModelConfig(vocab_size=limits.MAX_VOCAB, dim=4096, depth=64, heads=64),
             "parameters: at most")
