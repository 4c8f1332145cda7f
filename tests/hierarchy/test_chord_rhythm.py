"""Harmonic rhythm per section kind follows POP909's: the chord model keeps how often chords
change per bar in each kind, and the planner's sampled phrases change as often (sampling at
temperature 0.7 alone gave 0.7 changes a bar against POP909's 1.1-1.3)."""

from __future__ import annotations

import random
import statistics

import pytest

from songform.hierarchy.chord_model import ChordModel, changes_per_bar, load_chord_model
from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Template


def test_changes_per_bar_counts_bar_lines_and_mid_bar_changes():
    assert changes_per_bar(["I", "I", "I", "I"]) == 0
    assert changes_per_bar(["I", "V", "vi", "IV"]) == 0.75
    assert changes_per_bar(["I-V", "vi-IV", "ii-V", "I"]) == 1.5


def test_fit_learns_the_rhythm_of_each_kind():
    model = ChordModel.fit([("verse", ["I", "I", "IV", "IV"]), ("chorus", ["I-V", "vi-IV"])] * 5,
                           chain="bigram")
    assert model.mean_changes("verse") == pytest.approx(0.25)
    assert model.mean_changes("chorus") == pytest.approx(1.5)
    rng = random.Random(0)
    rates = {kind: statistics.mean(changes_per_bar(model.sample_phrase(kind, 4, rng))
                                   for _ in range(40)) for kind in ("verse", "chorus")}
    assert rates["chorus"] > rates["verse"] + 0.5


def test_the_shipped_model_knows_choruses_move_faster_than_bridges():
    model = load_chord_model()
    means = {kind: model.mean_changes(kind) for kind in ("verse", "chorus", "bridge", "intro")}
    assert means["chorus"] > means["verse"] > means["bridge"] > 0.9, means


def _plan_rates(style: str, seeds: range) -> dict[str, float]:
    """Chord changes per bar in the plans' phrases by kind (bar lines and inside bars)."""
    rates: dict[str, list[float]] = {}
    for seed in seeds:
        for section in plan_song(Template(style=style), seed).sections:
            for phrase in section.phrases:
                if phrase.bars < 2 or phrase.repeat_of is not None:
                    continue
                symbols = [e.symbol for bar in phrase.chords for e in bar]
                changes = sum(a != b for a, b in zip(symbols, symbols[1:], strict=False))
                rates.setdefault(section.kind, []).append(changes / phrase.bars)
    return {kind: statistics.mean(values) for kind, values in rates.items()}


def test_planned_phrases_change_chords_as_often_as_pop909s():
    model = load_chord_model()
    rates = _plan_rates("pop", range(150))
    for kind in ("verse", "chorus", "bridge"):
        assert abs(rates[kind] - model.mean_changes(kind)) <= 0.15, (kind, rates[kind])
    assert rates["chorus"] > rates["bridge"]
