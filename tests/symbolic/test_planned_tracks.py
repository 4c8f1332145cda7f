"""Every planned pitched track sounds where the plan says it plays: in at least half the bars
of every section that lists it, whoever writes the notes."""

from __future__ import annotations

import pytest

import songform
from songform.symbolic.arranger import arrange
from songform.symbolic.metrics import section_fit
from songform.symbolic.shipped import shipped_checkpoint


def _silent(song) -> list[tuple[str, str, int, int]]:
    return [(s.name, t.track, t.bars_sounding, s.bars) for s in section_fit(song)
            for t in s.tracks if t.planned and 2 * t.bars_sounding < s.bars]


@pytest.mark.parametrize("style", sorted(songform.STYLES))
def test_the_arranger_plays_every_planned_track(style):
    for seed in range(5):
        plan = songform.plan(songform.load_template(None, style=style), seed)
        assert _silent(arrange(plan, seed)) == [], (style, seed)


@pytest.mark.skipif(shipped_checkpoint() is None, reason="no shipped model in this install")
@pytest.mark.parametrize("style", ["pop", "rock"])
def test_tracks_the_model_leaves_silent_are_filled(style):
    """POP909 has little counter-melody: the model leaves the pop strings and the rock organ
    nearly silent, and the arranger plays those sections."""
    song = songform.compose(songform.load_template(None, style=style), seed=7, notes="model")
    assert _silent(song) == []
