"""A bare melody harmonised: arpeggios get their chords, the key comes from the notes."""

from __future__ import annotations

from songform.data.harmonize import harmonize, melody_key
from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter


def test_arpeggiated_chords_are_found_in_the_melodys_key():
    shapes = [(60, 64, 67, 72), (65, 69, 72, 77), (67, 71, 74, 79), (60, 64, 67, 72)]
    notes = [(bar * 4 + beat, bar * 4 + beat + 1, pitch)
             for bar, shape in enumerate(shapes) for beat, pitch in enumerate(shape)]
    assert melody_key(notes) == Key.parse("C major")
    chords = harmonize(notes, Meter(4, 4), 4)
    assert [[c.symbol() for _, c in bar] for bar in chords] == [["C"], ["F"], ["G"], ["C"]]


def test_a_waltz_gets_one_chord_a_bar_and_minor_keys_their_own_degrees():
    shapes = [(57, 60, 64), (62, 65, 69), (64, 68, 71), (57, 60, 64)]  # Am Dm E Am
    notes = [(bar * 3 + beat, bar * 3 + beat + 1, pitch)
             for bar, shape in enumerate(shapes) for beat, pitch in enumerate(shape)]
    chords = harmonize(notes, Meter(3, 4), 4, key=Key.parse("A minor"))
    assert [[c.symbol() for _, c in bar] for bar in chords] == [["Am"], ["Dm"], ["E"], ["Am"]]
