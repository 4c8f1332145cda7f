"""The take score: each term measured on hand-made notes against a plan."""

from __future__ import annotations

import dataclasses
import math

import pytest

import songform
from songform.hierarchy.planner import plan_song
from songform.symbolic.takes import (
    CHORD_FIT_TARGET,
    DENSITY_PER_LEVEL,
    WEIGHTS,
    TakeNote,
    density_target,
    notes_by_bar,
    notes_from_tokens,
    score_take,
)


@pytest.fixture(scope="module")
def bars():
    template = songform.Template(form="verse:4 chorus:4 verse:4 chorus:4", style="pop",
                                 tempo=100, key="C")
    return list(plan_song(template, 0).bars())


def test_chord_and_key_fit_count_the_planned_chord_and_key(bars):
    verse = [b for b in bars if b.section_kind == "verse"]
    chord = verse[0].chord_at(0)
    inside = sorted(chord.pitch_classes)[0]
    outside = next(pc for pc in range(12) if pc not in chord.pitch_classes
                   and pc in verse[0].key.scale)
    foreign = next(pc for pc in range(12) if pc not in verse[0].key.scale)
    notes = [TakeNote(verse[0].index, 0.0, 60 + inside, "melody"),
             TakeNote(verse[0].index, 0.0, 60 + outside, "melody"),
             TakeNote(verse[0].index, 0.0, 60 + foreign, "harmony"),
             TakeNote(verse[0].index, 0.0, 48 + inside, "drums")]  # drums do not count
    score = score_take(notes, verse[:1], {}, all_bars=bars)
    assert score.chord_fit == pytest.approx(1 / 3)
    assert score.key_fit == pytest.approx(2 / 3)
    assert score.density_error == 0 and score.variation_error == 0
    assert score.total == pytest.approx(sum(w * getattr(score, t) for t, w in WEIGHTS.items()))
    target = dataclasses.replace(score, chord_fit=CHORD_FIT_TARGET).total
    plain = dataclasses.replace(score, chord_fit=1.0)  # past POP909's share: it costs
    assert plain.total < target and score.total < target
    assert plain.total == pytest.approx(
        dataclasses.replace(score, chord_fit=2 * CHORD_FIT_TARGET - 1.0).total)


def test_density_target_rises_with_energy_and_the_error_is_symmetric(bars):
    history = [(4.0, 3), (6.0, 6)]
    low, high = density_target(history, 3, 4.5), density_target(history, 6, 4.5)
    assert high / low == pytest.approx((1 + 1.5 * DENSITY_PER_LEVEL)
                                       / (1 - 1.5 * DENSITY_PER_LEVEL))
    assert density_target([], 5, 4) is None
    chorus = [b for b in bars if b.section_kind == "chorus"]
    dense = [TakeNote(b.index, step / 2, 72, "melody") for b in chorus for step in range(8)]
    exact = score_take(dense, chorus, {}, target_density=8.0)
    assert exact.density_error == 0
    sparse = score_take(dense[::2], chorus, {}, target_density=8.0)
    assert sparse.density_error == pytest.approx(math.log2(8.5 / 4.5))


def test_variation_error_compares_a_restatement_with_its_source(bars):
    restated = [b for b in bars if b.repeat_of_bar is not None]
    assert restated, "the pop plan restates bars"
    bar = restated[0]
    source = bars[bar.repeat_of_bar]
    theirs = [TakeNote(source.index, i, 60 + i, "melody") for i in range(4)]
    earlier = notes_by_bar(theirs)
    shift = source.key.interval_to(bar.key)
    same = [TakeNote(bar.index, n.offset, n.pitch + shift, "melody") for n in theirs]
    other = [TakeNote(bar.index, n.offset, n.pitch + shift + 1, "melody") for n in theirs]
    assert score_take(same, [bar], earlier, all_bars=bars).variation_error == pytest.approx(
        abs(1 - (1 - bar.variation)))
    assert score_take(other, [bar], earlier, all_bars=bars).variation_error == pytest.approx(
        abs(0 - (1 - bar.variation)))


def test_notes_from_tokens_reads_positions_programs_and_pitches(bars):
    tokens = {0: ["Position_0", "Program_73", "Pitch_72", "Velocity_90", "Duration_1.0.4",
                  "Position_8", "Program_-1", "PitchDrum_36", "Velocity_90", "Duration_0.1.4",
                  "Program_0", "Pitch_60", "Velocity_90", "Duration_1.0.4"]}
    notes = notes_from_tokens(bars, tokens, 4)
    assert notes == [TakeNote(0, 0.0, 72, "melody"), TakeNote(0, 2.0, 60, "harmony")]


def test_section_scores_of_a_written_song_match_the_plan():
    from songform.symbolic.arranger import arrange
    from songform.symbolic.takes import section_scores

    template = songform.Template(form="intro:2 verse:4 chorus:4 outro:2", style="pop",
                                 tempo=100, key="C")
    plan = plan_song(template, 2)
    song = arrange(plan, 2)
    scores = dict(section_scores(song))
    assert sorted(scores) == list(range(len(plan.sections)))
    for score in scores.values():
        assert score.chord_fit > 0.7 and score.key_fit > 0.9  # the arranger voices the chords
    assert scores[0].density_error == 0  # nothing came before the first section
    no_melody = [i for i, s in enumerate(plan.sections)
                 if not any(t.role == "melody" and t.name in s.tracks for t in plan.tracks)]
    for index in no_melody:
        assert scores[index].density_error == 0


def test_groove_compares_consecutive_bars_onset_grids(bars):
    from songform.symbolic.takes import GROOVE_TARGET, groove

    verse = [b for b in bars if b.section_kind == "verse"][:3]
    steps = round(verse[0].length * 4)  # 16th notes in the bar
    same = [TakeNote(b.index, beat, 60, "melody") for b in verse for beat in (0.0, 1.0, 2.5)]
    assert groove(same, verse) == 1.0
    moved = same[:3] + [TakeNote(verse[1].index, 0.25, 60, "melody")]  # bar 3 has no notes
    assert groove(moved, verse) == pytest.approx(1 - 4 / steps)  # one pair: 4 steps differ
    assert groove(same[:3], verse) is None  # one bar with notes: no pair
    score = score_take(moved, verse, {}, all_bars=bars)
    assert score.groove_error == pytest.approx(abs(1 - 4 / steps - GROOVE_TARGET))
    assert score_take(same[:3], verse, {}, all_bars=bars).groove_error == 0


def test_takes_copied_from_the_best_one_keep_their_own_attribute_state():
    """The best take is copied to every take of the next section: each copy's last pitch per
    track is its own, so one take's notes never reach another's attributes."""
    import random

    import torch

    from songform.symbolic.decoding import Row
    from songform.symbolic.tokenizer import AttributeState

    plan = plan_song(songform.Template(style="pop", form="verse:2"), seed=1)
    bars = list(plan.bars())
    best = Row(0, 0, 1, bars, [], None, AttributeState(bars, 4), torch.Generator(),
               random.Random(1))
    for token in ("Bar_None", "Position_0", "Program_73", "Pitch_64"):
        best.state.step(token)
    copy = best.clone(take=1)
    for token in ("Position_4", "Program_73", "Pitch_71"):
        copy.state.step(token)
    assert copy.state.track_pitch["73"] == 71 and best.state.track_pitch["73"] == 64
    copy.before_onset[73] = 71
    copy.struck_here.add(73)
    assert best.before_onset == {} and best.struck_here == set()
