"""A melody's form from its own repeats, against a form written by hand and against POP909's
human phrase labels (skipped without ../shared/data)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from songform.data.melody_form import (
    bar_sets,
    bar_similarity,
    boundary_f,
    melody_form,
    pairwise_label_f,
)

ROOT = Path(__file__).resolve().parents[2]
POP909 = ROOT.parent / "shared" / "data" / "pop909"


def _phrase(pitches, start_bar, shift=0, per_bar=2):
    """Eight bars of a tune: ``per_bar`` even notes a bar from ``pitches`` (cycled)."""
    notes, length = [], 4 / per_bar
    for bar in range(8):
        for beat in range(per_bar):
            pitch = pitches[(per_bar * bar + beat) % len(pitches)] + shift
            start = (start_bar + bar) * 4 + length * beat
            notes.append((start, start + length, pitch))
    return notes


def test_a_verse_and_chorus_tune_with_an_intro_is_read_as_written():
    a = [60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72, 71, 69, 67, 60]
    b = [69, 69, 71, 72, 74, 72, 71, 69, 67, 67, 65, 64, 62, 64, 65, 67]
    notes = (_phrase(a, 4) + _phrase(a, 12) + _phrase(b, 20, per_bar=4)
             + _phrase(b, 28, per_bar=4) + _phrase(a, 36))
    form = melody_form(notes, 4.0, 44)
    assert form.lengths == (4, 8, 8, 8, 8, 8)
    assert form.labels == ("i", "A", "A", "B", "B", "A")


def test_a_repeat_in_another_key_counts_as_a_repeat():
    a = [60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72, 71, 69, 67, 60]
    sets = bar_sets(_phrase(a, 0) + _phrase(a, 8, shift=2), 4.0, 16)
    similar = bar_similarity(sets)
    assert similar[0, 8] == pytest.approx(0.85) and similar[0, 0] == 1.0


def test_the_scores_of_boundaries_and_labels():
    assert boundary_f([4, 8], [4, 8]) == 1.0 and boundary_f([5], [4], tolerance=1) == 1.0
    assert boundary_f([5], [4]) == 0.0
    assert pairwise_label_f(list("AABB"), list("CCDD")) == 1.0
    assert pairwise_label_f(list("AAAA"), list("ABAB")) == pytest.approx(0.5)


@pytest.mark.skipif(not POP909.exists(), reason="POP909 is not at ../shared/data/pop909")
def test_pop909_test_melodies_are_read_closer_to_their_human_labels_than_before():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import form as bench_form
    finally:
        sys.path.pop(0)
    rows = list(bench_form.songs("test"))
    new = bench_form.score(rows, bench_form.new_method)
    old = bench_form.score(rows, bench_form.old_method)
    assert len(rows) >= 80
    assert new["label pairwise F"] >= old["label pairwise F"] + 0.1  # 0.684 against 0.481
    assert new["boundary F (exact)"] >= old["boundary F (exact)"] + 0.05  # 0.521 against 0.394
