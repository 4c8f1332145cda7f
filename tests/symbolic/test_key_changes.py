"""A restatement follows the plan's key: a lifted last chorus is the earlier chorus moved by
the key interval (notes and chord symbols alike), not a copy in the old key."""

from __future__ import annotations

import pytest

import songform
from songform.hierarchy.template_yaml import template_from_yaml
from songform.symbolic.metrics import section_fit
from songform.symbolic.shipped import shipped_checkpoint

LIFT = """
title: Lift
key: G major
style: pop
key_change: 2
variation: 0
sections:
  - {kind: verse, bars: 4, chords: "G Em C D"}
  - {kind: chorus, bars: 4, chords: "C D Bm7 Em"}
  - {kind: verse, bars: 4}
  - {kind: chorus, bars: 4}
"""


def test_chord_symbols_move_with_the_key_change():
    plan = songform.plan(template_from_yaml(LIFT), 1)
    first, last = plan.sections[1], plan.sections[3]
    assert str(first.key) == "G major" and str(last.key) == "A major"
    symbols = [[e.symbol for e in bar] for bar in last.phrases[0].chords]
    assert symbols == [["D"], ["E"], ["C#m7"], ["F#m"]]  # C D Bm7 Em, a tone up


def _notes(song, track, section):
    bars = [b for b in song.plan.bars() if b.section_index == section]
    start, end = bars[0].start, bars[-1].start + bars[-1].length
    tpq = song.tpq
    return sorted((round(n.time / tpq - start, 3), n.pitch) for t in song.score.tracks
                  if t.name == track for n in t.notes if start <= n.time / tpq < end)


@pytest.mark.parametrize("notes", ["model", "arranger"])
def test_the_lifted_chorus_is_the_earlier_one_a_tone_up(notes):
    if notes == "model" and shipped_checkpoint() is None:
        pytest.skip("no shipped model in this install")
    song = songform.compose(template_from_yaml(LIFT), seed=4, notes=notes)
    earlier, lifted = _notes(song, "Lead", 1), _notes(song, "Lead", 3)
    assert earlier and lifted == [(at, pitch + 2) for at, pitch in earlier]
    fits = {s.name: {t.track: t for t in s.tracks} for s in section_fit(song)}
    for track in ("Lead", "Piano"):
        before, after = fits["Chorus 1"][track], fits["Chorus 2"][track]
        assert abs(after.chord_tones - before.chord_tones) <= 0.1, track
        assert after.in_key >= before.in_key - 0.1, track


@pytest.mark.skipif(shipped_checkpoint() is None, reason="no shipped model in this install")
def test_the_ballads_lifted_chorus_keeps_its_chords():
    song = songform.compose(songform.load_template(None, style="ballad"), seed=3,
                            notes="model")
    choruses = [s for s in section_fit(song) if s.name.startswith("Chorus")]
    assert choruses[-1].key != choruses[0].key  # the lift
    for track in ("Melody", "Piano"):  # against the first chorus, the one it restates
        before = next(t for t in choruses[0].tracks if t.track == track)
        after = next(t for t in choruses[-1].tracks if t.track == track)
        assert abs(after.chord_tones - before.chord_tones) <= 0.1, (track, before, after)
