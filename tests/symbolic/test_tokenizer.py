"""The tokenizer: round trips note for note, plan tokens match the plan, attributes are
causal and right, every sequence obeys the grammar's type graph."""

from __future__ import annotations

import numpy as np
import pytest

from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Template
from songform.symbolic.arranger import arrange
from songform.symbolic.grammar import follows
from songform.symbolic.tokenizer import SongTokenizer, token_type


@pytest.fixture(scope="module")
def tokenizer():
    return SongTokenizer()


def _notes(score):
    tpq = score.ticks_per_quarter
    return sorted((t.program, t.is_drum, n.time / tpq, n.duration / tpq, n.pitch, n.velocity)
                  for t in score.tracks for n in t.notes)


def _songs(pop909_root=None):
    songs = [arrange(plan_song(Template(style=s), seed=2)) for s in ("pop", "waltz")]
    songs.append(arrange(plan_song(Template(form="verse:4 chorus:4", meter="7/8",
                                            style="rock"), seed=1)))
    return songs


def _check(tokenizer, song):
    sequence = tokenizer.encode(song)
    assert _notes(tokenizer.decode(sequence.ids)) == _notes(tokenizer.preprocess(song))
    for a, b in zip(sequence.tokens, sequence.tokens[1:], strict=False):
        assert follows(a, b), (a, b)
    bars = list(song.plan.bars())
    bar_positions = [i for i, t in enumerate(sequence.tokens) if t == "Bar_None"]
    assert len(bar_positions) == len(bars)
    for bar, position in zip(bars, bar_positions, strict=True):
        expected = tokenizer.plan_tokens(bar, song.plan)
        tokens = [t for t in sequence.tokens[position + 1:position + 2 + len(expected)]
                  if not t.startswith("TimeSig")][:len(expected)]
        assert tokens == expected
        assert sequence.onsets[position] == pytest.approx(bar.start)
    return sequence


def test_round_trip_and_plan_tokens_on_arranged_songs(tokenizer):
    for song in _songs():
        _check(tokenizer, song)


def test_round_trip_on_pop909(tokenizer, pop909_root):
    from songform.data.pop909 import read_pop909_song

    for sid in ("001", "100", "333"):
        _check(tokenizer, read_pop909_song(pop909_root / sid).song)


def test_attributes_are_the_notes(tokenizer):
    song = _songs()[0]
    sequence = tokenizer.encode(song)
    decoded = _notes(tokenizer.decode(sequence.ids))
    pitched = [(sequence.onsets[i], sequence.pitches[i], sequence.durations[i])
               for i, t in enumerate(sequence.tokens)
               if t.startswith("Duration") and sequence.pitches[i] >= 0]
    expected = sorted((on, p, d) for _, drum, on, d, p, _ in decoded if not drum)
    assert sorted((float(o), int(p), float(d)) for o, p, d in pitched) == [
        (float(o), int(p), float(d)) for o, p, d in expected]
    for i, token in enumerate(sequence.tokens):
        if token_type(token) == "Pitch":
            assert np.isnan(sequence.durations[i])  # causal: not known before Duration
            assert sequence.pitches[i] == int(token.split("_")[1])


