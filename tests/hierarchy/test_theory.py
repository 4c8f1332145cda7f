"""Music theory: pitches, keys, meters, chord symbols and roman numerals, with round trips."""

from __future__ import annotations

from fractions import Fraction

import pytest

from songform.hierarchy.chord import QUALITIES, Chord
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter
from songform.hierarchy.pitch import (
    note_name_to_number,
    note_number_to_name,
    pitch_class,
    pitch_class_name,
)
from songform.hierarchy.roman import chord_to_roman, roman_to_chord

ALL_KEYS = [Key(tonic, mode) for tonic in range(12) for mode in ("major", "minor")]


def test_note_names_round_trip_every_midi_number():
    for number in range(128):
        for flats in (False, True):
            assert note_name_to_number(note_number_to_name(number, flats)) == number
    assert note_name_to_number("C4") == 60
    assert note_name_to_number("A4") == 69
    assert note_name_to_number("B#3") == 60
    assert note_name_to_number("Cb4") == 59


@pytest.mark.parametrize("name,pc", [("C", 0), ("C#", 1), ("Db", 1), ("Fb", 4), ("E#", 5),
                                     ("Bbb", 9), ("Fx", 7), ("B", 11)])
def test_pitch_class(name, pc):
    assert pitch_class(name) == pc
    assert pitch_class(pitch_class_name(pc)) == pc


@pytest.mark.parametrize("bad", ["H", "C##x#y", "", "4", "C4"])
def test_bad_pitch_names(bad):
    with pytest.raises(TemplateError):
        pitch_class(bad)


def test_keys_round_trip_and_signatures():
    for key in ALL_KEYS:
        assert Key.parse(str(key)) == key
    assert Key.parse("Am") == Key(9, "minor")
    assert Key.parse("c") == Key(0, "minor")
    assert Key.parse("Gb:maj") == Key(6, "major")
    assert Key.parse("F# minor").fifths == 3
    assert Key.parse("Eb major").fifths == -3
    assert Key.parse("A minor").relative == Key.parse("C major")
    assert Key.parse("D major").scale == (2, 4, 6, 7, 9, 11, 1)
    assert Key.parse("A minor").scale == (9, 11, 0, 2, 4, 5, 7)


def test_every_pitch_class_has_a_degree_that_maps_back():
    for key in ALL_KEYS:
        for pc in range(12):
            degree, accidental = key.degree_of(pc)
            assert key.degree_pitch_class(degree, accidental) == pc


@pytest.mark.parametrize("text,qpb,beats,accents", [
    ("4/4", 4, [0, 1, 2, 3], [0, 2]),
    ("3/4", 3, [0, 1, 2], [0]),
    ("2/4", 2, [0, 1], [0, 1]),
    ("6/8", 3, [0, Fraction(3, 2)], [0, Fraction(3, 2)]),
    ("12/8", 6, [0, Fraction(3, 2), 3, Fraction(9, 2)], [0, Fraction(3, 2), 3, Fraction(9, 2)]),
    ("5/4", 5, [0, 1, 2, 3, 4], [0, 3]),
    ("7/8", Fraction(7, 2), [0, 1, 2], [0, 1, 2]),
    ("7/8:3+2+2", Fraction(7, 2), [0, Fraction(3, 2), Fraction(5, 2)],
     [0, Fraction(3, 2), Fraction(5, 2)]),
])
def test_meters(text, qpb, beats, accents):
    meter = Meter.parse(text)
    assert meter.quarters_per_bar == qpb
    assert list(meter.beat_offsets) == beats
    assert list(meter.accent_offsets) == accents
    assert Meter.parse(str(meter)) == meter


@pytest.mark.parametrize("bad", ["4/3", "0/4", "7/8:3+3", "four/four", "4/4/4", "99/4"])
def test_bad_meters(bad):
    with pytest.raises(TemplateError):
        Meter.parse(bad)


@pytest.mark.parametrize("text,pcs,symbol,harte", [
    ("C", (0, 4, 7), "C", "C:maj"),
    ("Am7", (0, 4, 7, 9), "Am7", "A:min7"),
    ("F#m7b5", (0, 4, 6, 9), "F#m7b5", "F#:hdim7"),
    ("Bb/D", (2, 5, 10), "Bb/D", "Bb:maj/3"),
    ("Gsus4", (0, 2, 7), "Gsus4", "G:sus4"),
    ("C7(#9)", (0, 3, 4, 7, 10), "C7(#9)", "C:7(#9)"),
    ("G:maj7", (2, 6, 7, 11), "Gmaj7", "G:maj7"),
    ("A:min/b3", (0, 4, 9), "Am/C", "A:min/b3"),
    ("C:sus4(b7)", (0, 5, 7, 10), "C7sus4", "C:sus4(b7)"),
    ("C:sus4(b7, 9)", (0, 2, 5, 7, 10), "C9sus4", "C:sus4(b7,9)"),
    ("Cm7(b5)", (0, 3, 6, 10), "Cm7b5", "C:hdim7"),
    ("C7#5", (0, 4, 8, 10), "Caug7", "C:aug(b7)"),
])
def test_chord_symbols(text, pcs, symbol, harte):
    chord = Chord.parse(text)
    assert chord.pitch_classes == pcs
    assert chord.symbol() == symbol
    assert chord.harte() == harte


def test_no_chord():
    chord = Chord.parse("N")
    assert chord.is_none and chord.pitch_classes == () and chord.symbol() == "N"
    assert chord.harte() == "N" and chord.quality == "none"


def test_chord_round_trip_every_root_quality_and_bass():
    for root in range(12):
        for intervals, _, _ in QUALITIES.values():
            for extension in ((), (13,), (15,), (18,), (20,)):
                for bass in (None, *range(1, 12)):
                    chord = Chord(root, intervals + extension, bass)
                    for text in (chord.symbol(), chord.harte(), chord.symbol(True),
                                 chord.harte(False)):
                        assert Chord.parse(text) == chord, text


@pytest.mark.parametrize("bad", ["H7", "Cxyz", "C:foo", "C(", "C:maj/x", "", "C7(#9", "Q"])
def test_bad_chords(bad):
    with pytest.raises(TemplateError):
        Chord.parse(bad)


@pytest.mark.parametrize("numeral,key,symbol", [
    ("I", "C", "C"), ("V", "C", "G"), ("vi", "C", "Am"), ("IV", "C", "F"),
    ("ii7", "C", "Dm7"), ("V7", "C", "G7"), ("bVII", "C", "Bb"), ("V/V", "C", "D"),
    ("V7/ii", "C", "A7"), ("I/3", "C", "C/E"), ("viio", "C", "Bdim"), ("viiø7", "C", "Bm7b5"),
    ("i", "Am", "Am"), ("III", "Am", "C"), ("V", "Am", "E"), ("VII", "Am", "G"),
    ("IVmaj7", "Eb", "Abmaj7"), ("bVI", "D", "Bb"),
])
def test_roman_numerals(numeral, key, symbol):
    chord = roman_to_chord(numeral, Key.parse(key))
    assert chord == Chord.parse(symbol)


def test_roman_round_trip_every_key_root_quality_and_bass():
    for key in ALL_KEYS:
        for root in range(12):
            for intervals, _, _ in QUALITIES.values():
                for bass in (None, *intervals[1:]):
                    if bass is not None and bass >= 12:
                        continue
                    chord = Chord(root, intervals, bass)
                    numeral = chord_to_roman(chord, key)
                    assert roman_to_chord(numeral, key) == chord, (str(key), numeral)


def test_canonical_numerals_survive_both_ways():
    key = Key.parse("C")
    for numeral in ("I", "ii7", "V7", "bVII", "viiø7", "#ivo7", "IVmaj7", "Isus4", "vi7/b7"):
        assert chord_to_roman(roman_to_chord(numeral, key), key) == numeral


@pytest.mark.parametrize("bad", ["VIII", "IX", "Vx", "V/", "V/Q", "iv+7b", ""])
def test_bad_numerals(bad):
    with pytest.raises(TemplateError):
        roman_to_chord(bad, Key(0))
