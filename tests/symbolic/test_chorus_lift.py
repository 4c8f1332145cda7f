"""Issue 14's chorus lift with the shipped model and default settings: over 10 pop seeds the
chorus melody sits higher than the verse's on average and is not sparser (bench/chorus_lift.py
measures whole songs; this checks a shorter form, quickly)."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import pytest

import songform
from songform.symbolic.shipped import shipped_checkpoint

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from chorus_lift import melody_by_kind  # noqa: E402


@pytest.mark.skipif(shipped_checkpoint() is None, reason="no shipped checkpoint")
def test_the_chorus_melody_is_higher_and_not_sparser_than_the_verse():
    lifts, ratios = [], []
    for seed in range(10):
        song = songform.compose("verse:8 chorus:8 verse:8 chorus:8", seed=seed, notes="model")
        kinds = melody_by_kind(song)
        lifts.append(kinds["chorus"][0] - kinds["verse"][0])
        ratios.append(kinds["chorus"][1] / kinds["verse"][1])
    assert statistics.mean(lifts) > 0, lifts
    assert statistics.mean(ratios) >= 1.0, ratios
