"""Plan adherence measures: chord tones and repeats, against songs built to pass and fail."""

from __future__ import annotations

import math

import songform
from songform.hierarchy.planner import plan_song
from songform.symbolic.arranger import arrange
from songform.symbolic.metrics import plan_adherence
from songform.symbolic.song import PlannedScore


def _plan():
    template = songform.Template(form="verse:4 chorus:4 verse:4 chorus:4", style="pop",
                                 tempo=100, key="D")
    return plan_song(template, 3)


def _moved(song: PlannedScore, semitones: int) -> PlannedScore:
    score = song.score.copy()
    for track in score.tracks:
        if not track.is_drum:
            for note in track.notes:
                note.pitch += semitones
    return PlannedScore(song.plan, score)


def test_chord_tones_are_high_for_the_arranger_and_low_a_semitone_off():
    song = arrange(_plan(), 1)
    kept = plan_adherence(song)
    moved = plan_adherence(_moved(song, 1))
    assert kept.chord_tones > 0.8 and moved.chord_tones < 0.4 and kept.notes == moved.notes


def test_repeats_score_restated_bars():
    plan = _plan()
    song = arrange(plan, 1)
    assert any(b.repeat_of_bar is not None for b in plan.bars())
    restated = plan_adherence(song).repeats
    score = song.score.copy()
    bars = list(plan.bars())
    half = song.bar_ticks()[len(bars) // 2]
    for track in score.tracks:  # scramble the second half's pitches: repeats no longer match
        for index, note in enumerate(track.notes):
            if note.time >= half and not track.is_drum:
                note.pitch += 1 + index % 5
    scrambled = plan_adherence(PlannedScore(plan, score)).repeats
    assert restated > 0.5 and scrambled < restated / 2
    empty = plan_adherence(PlannedScore(plan, song.score.copy()), roles=("counter-melody",))
    assert empty.notes >= 0 and (math.isnan(empty.repeats) or 0 <= empty.repeats <= 1)
