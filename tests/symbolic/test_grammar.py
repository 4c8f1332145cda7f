"""The one grammar: the type graph every encoding obeys, the bar-state masks that generation
samples under accept every bar the tokenizer writes, and plan tokens built from a BarPlan match
what encoding writes."""

from __future__ import annotations

import pytest
import torch

from songform.hierarchy.plan import TRACK_ROLES
from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Section, Template
from songform.symbolic.arranger import arrange
from songform.symbolic.grammar import NOTE_TYPES, TYPE_GRAPH, BarState, Grammar, follows
from songform.symbolic.skeleton import plan_skeleton
from songform.symbolic.song import PlannedScore, conductor_score
from songform.symbolic.tokenizer import ROLE_PROGRAMS, SongTokenizer, token_type


@pytest.fixture(scope="module")
def tokenizer():
    return SongTokenizer()


@pytest.fixture(scope="module")
def grammar(tokenizer):
    return Grammar(tokenizer)


def _songs():
    changing = Template(sections=(Section("verse", bars=4), Section("chorus", bars=4,
                                                                       meter="7/8"),
                                  Section("bridge", bars=2, meter="6/8"),
                                  Section("chorus", bars=2)), style="rock")
    return [arrange(plan_song(Template(style=style), seed=3)) for style in ("pop", "waltz")] \
        + [arrange(plan_song(changing, seed=1))]


def test_the_type_graph_covers_every_token_type(tokenizer):
    types = {token_type(t) for t in tokenizer.vocab} - {"PAD"}
    assert types <= set(TYPE_GRAPH) | {"EOS"}
    assert follows("Pitch_60", "Velocity_100") and not follows("Pitch_60", "Duration_1.0.4")
    assert set(TYPE_GRAPH["Tracks"]) == {"ChordAt", "Position", "Bar", "EOS"}


def test_bar_openings_from_the_plan_equal_the_encoding(tokenizer):
    """Bar line, time signature, plan tokens: as encode() writes every bar with notes."""
    for song in _songs():
        tokens = tokenizer.encode(song).tokens
        starts = [i for i, t in enumerate(tokens) if t == "Bar_None"]
        for bar, start in zip(song.plan.bars(), starts, strict=True):
            opening = tokenizer.bar_opening(bar, song.plan)
            assert tokens[start:start + len(opening)] == opening


def test_the_skeleton_equals_the_empty_scores_encoding(tokenizer):
    """Generation's forced tokens are what encoding the plan's empty score gave (the
    behaviour the shipped model's songs were written with)."""
    for song in _songs():
        plan = song.plan
        tokens = tokenizer.encode(PlannedScore(plan, conductor_score(plan))).tokens
        bars: list[list[str]] = []
        for token in tokens:
            if token == "Bar_None":
                bars.append([])
            bars[-1].append(token)
        assert plan_skeleton(tokenizer, plan, TRACK_ROLES) == bars


def test_every_encoded_bar_is_accepted_by_the_masks(tokenizer, grammar):
    """Walk each bar's note tokens through BarState: the mask allows each one, and Bar after
    the last; so what generation may sample includes everything real songs contain."""
    for song in _songs():
        tokens = tokenizer.encode(song).tokens
        bars = list(song.plan.bars())
        starts = [i for i, t in enumerate(tokens) if t == "Bar_None"] + [len(tokens)]
        roles = {t.name: t.role for t in song.plan.tracks}
        checked = 0
        for bar, start, end in zip(bars, starts, starts[1:], strict=False):
            notes = [t for t in tokens[start:end] if token_type(t) in NOTE_TYPES - {"Bar"}]
            state = BarState("Tracks", -1, bar.meter.numerator * 4,
                             tuple(sorted({ROLE_PROGRAMS[roles[n]] for n in bar.tracks})))
            for token in notes:
                assert grammar.allows(state, tokenizer.vocab[token]), (bar.index, token)
                state = state.advance(token)
                checked += 1
            assert grammar.allows(state, grammar.bar)
        assert checked > 100


def test_masks_narrow_positions_programs_and_drums(tokenizer, grammar):
    inverse = tokenizer.inverse
    start = BarState("Tracks", position=5, steps=16, programs=(73,))
    allowed = {inverse[i] for i in torch.nonzero(grammar.mask(start)).flatten().tolist()}
    assert allowed == {f"Position_{p}" for p in range(6, 16)} | {"Bar_None"}
    after_position = start.advance("Position_8")
    allowed = {inverse[i] for i in torch.nonzero(grammar.mask(after_position)).flatten().tolist()}
    assert allowed == {"Program_73"}
    drum = after_position.advance("Program_-1")
    types = {token_type(inverse[i]) for i in torch.nonzero(grammar.mask(drum)).flatten().tolist()}
    assert types == {"PitchDrum"}
    done = drum.advance("PitchDrum_36").advance("Velocity_95").advance("Duration_0.1.4")
    types = {token_type(inverse[i]) for i in torch.nonzero(grammar.mask(done)).flatten().tolist()}
    assert types == {"Program", "Position", "Bar"}
    last = BarState("Duration", position=15, steps=16, programs=(0,))
    assert not any(token_type(inverse[i]) == "Position"
                   for i in torch.nonzero(grammar.mask(last)).flatten().tolist())


def test_forced_bars_are_checked_before_they_are_fed(tokenizer, grammar):
    """A copied bar (or a user's notes) must be a complete bar the plan allows there."""
    vocab = tokenizer.vocab
    state = BarState("Tracks", -1, 16, programs=(73,))
    note = ["Position_0", "Program_73", "Pitch_67", "Velocity_95", "Duration_1.0.4"]
    assert grammar.accepts(state, note, vocab)
    assert grammar.accepts(state, [], vocab)
    assert not grammar.accepts(state, note[:-1], vocab)  # an unfinished note
    assert not grammar.accepts(BarState("Tracks", -1, 16, programs=(0,)), note, vocab)
    assert not grammar.accepts(state, ["Position_20", *note[1:]], vocab)  # past the bar
