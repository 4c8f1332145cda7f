"""MusicXML: valid against the 4.0 schema, opened by MuseScore 3, read back by music21."""

from __future__ import annotations

import os
import shutil
import subprocess
from fractions import Fraction

import music21
import pytest

from songform.render.musicxml import NOTE_VALUES, split_value, write_musicxml

from .musicxml_schema import validate


@pytest.fixture(scope="module")
def xml_path(changing_song, tmp_path_factory):
    return write_musicxml(changing_song, tmp_path_factory.mktemp("xml") / "song.musicxml")


def test_valid_against_musicxml_4_schema(xml_path, tmp_path):
    assert validate(xml_path, tmp_path / "xsd") == []
    broken = tmp_path / "broken.musicxml"
    broken.write_text(xml_path.read_text().replace("<part-list>", "<part-list><bogus/>", 1))
    assert validate(broken, tmp_path / "xsd")  # the validator does catch errors


@pytest.mark.skipif(shutil.which("mscore3") is None, reason="MuseScore 3 (mscore3) not installed")
def test_musescore_imports_without_errors(xml_path, tmp_path):
    out = tmp_path / "score.pdf"
    result = subprocess.run(["mscore3", "-o", str(out), str(xml_path)], capture_output=True,
                            text=True, timeout=300,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    problems = [line for line in result.stderr.splitlines()
                if any(w in line.lower() for w in ("error", "fail", "corrupt", "invalid"))]
    assert problems == [], result.stderr
    assert out.exists() and out.stat().st_size > 10_000


def test_read_back_has_the_plan(changing_song, xml_path):
    plan = changing_song.plan
    score = music21.converter.parse(str(xml_path))
    assert [p.partName for p in score.parts] == [t.name for t in plan.tracks]
    first = score.parts[0]
    measures = list(first.getElementsByClass("Measure"))
    assert len(measures) == plan.num_bars
    bars = list(plan.bars())
    starts = [b for b in bars if b.bar_in_section == 0]
    marks = [(m.number, r.content) for m in measures
             for r in m.getElementsByClass("RehearsalMark")]
    assert marks == [(b.index + 1, n) for b, n in zip(starts, plan.section_names(), strict=True)]
    meters = [(m.number, m.timeSignature.ratioString) for m in measures if m.timeSignature]
    assert meters == [(1, "4/4"), (starts[2].index + 1, "3/4"), (starts[3].index + 1, "4/4"),
                      (starts[4].index + 1, "7/8"), (starts[5].index + 1, "4/4")]
    keys = [(m.number, m.keySignature.sharps) for m in measures if m.keySignature]
    assert keys == [(1, 2), (starts[2].index + 1, 3), (starts[3].index + 1, 2)]
    tempos = [round(t.number) for t in first.recurse().getElementsByClass("MetronomeMark")]
    assert tempos == [120, 90, 120]
    symbols = [c for c in first.recurse().getElementsByClass("ChordSymbol")]
    assert len(symbols) >= plan.num_bars
    assert symbols[0].root().name == "D"
    allowed = {float(v) for v in NOTE_VALUES}
    for part in score.parts:
        for element in part.recurse().notesAndRests:
            whole_bar_rest = getattr(element, "fullMeasure", False) is True
            if element.duration.quarterLength and not whole_bar_rest:
                assert float(element.duration.quarterLength) in allowed, element


def test_split_value_uses_allowed_values():
    assert split_value(Fraction(5, 4)) == [Fraction(1), Fraction(1, 4)]
    assert split_value(Fraction(7, 2)) == [Fraction(3), Fraction(1, 2)]
    for sixteenths in range(1, 40):
        pieces = split_value(Fraction(sixteenths, 4))
        assert sum(pieces) == Fraction(sixteenths, 4) and set(pieces) <= set(NOTE_VALUES)


def test_chord_symbols_survive_musicxml_with_their_extensions_and_bass(tmp_path):
    """What the MIDI's chord text says, the MusicXML harmony says: add9, sus4, half-diminished,
    altered ninths and slash basses, read back by music21."""
    import music21

    from songform.hierarchy.chord import Chord
    from songform.hierarchy.planner import plan_song
    from songform.hierarchy.template import Section, Template
    from songform.render.musicxml import write_musicxml
    from songform.symbolic.arranger import arrange

    symbols = ["Cadd9", "G7sus4", "F#m7b5", "Bb/D", "C7(b9)", "Fmaj7(#11)"]
    template = Template(sections=[Section("verse", bars=6, chords=" ".join(symbols))],
                        key="C major", style="pop")
    path = write_musicxml(arrange(plan_song(template, 1)), tmp_path / "chords.musicxml")
    read = [h for h in music21.converter.parse(str(path)).recurse()
            .getElementsByClass(music21.harmony.ChordSymbol)]
    assert len(read) == len(symbols)
    for symbol, harmony in zip(symbols, read, strict=True):
        ours = Chord.parse(symbol)
        assert sorted({p.pitchClass for p in harmony.pitches}) == sorted(ours.pitch_classes), \
            (symbol, harmony.figure)
        assert harmony.bass().pitchClass == ours.bass_pitch_class, symbol


def _groups_crossed(measure, boundaries) -> list:
    """Notes and rests that start inside one beat group and end inside a later one."""
    crossed = []
    for element in measure.notesAndRests:
        start = Fraction(element.offset).limit_denominator(64)
        end = start + Fraction(element.duration.quarterLength).limit_denominator(64)
        if start != 0 and any(start < b < end for b in boundaries):
            crossed.append((measure.number, element, start, end))
    return crossed


@pytest.mark.parametrize("signature,boundaries", [("6/8", [Fraction(3, 2)]),
                                                  ("4/4", [Fraction(2)]),
                                                  ("7/8", [Fraction(1), Fraction(2)])])
def test_notes_rests_and_beams_follow_the_meters_beat_groups(tmp_path, signature, boundaries):
    """Nothing crosses a beat group unless it starts the bar (6/8 is two dotted quarters, not
    4/4's grid), rests that start off the beat stop at the next beat, and music21's beams
    group eighths by the same groups."""
    from songform.hierarchy.planner import plan_song
    from songform.hierarchy.template import Section, Template
    from songform.song import Song
    from songform.symbolic.arranger import arrange

    template = Template(sections=[Section("verse", bars=8, chords="I vi IV V", meter=signature,
                                          tempo=66)], key="C major", style="pop")
    song = Song.from_symbolic(arrange(plan_song(template, seed=2)))
    score = music21.converter.parse(str(write_musicxml(song, tmp_path / "m.musicxml")))
    beats = [Fraction(b) for b in range(1, 8)] if signature != "6/8" else [Fraction(3, 2)]
    beamed = 0
    for part in score.parts:
        for measure in part.getElementsByClass("Measure"):
            assert _groups_crossed(measure, boundaries) == []
            for rest in measure.getElementsByClass("Rest"):
                start = Fraction(rest.offset).limit_denominator(64)
                end = start + Fraction(rest.duration.quarterLength).limit_denominator(64)
                if start not in beats and start != 0:
                    assert not any(start < b < end for b in beats), (measure.number, start, end)
            group: list = []
            for element in measure.notes:
                if element.beams and element.beams.getNumbers():
                    beamed += 1
                    group.append(Fraction(element.offset).limit_denominator(64))
                    if element.beams.getByNumber(1).type == "stop":
                        assert not any(group[0] < b <= group[-1] for b in boundaries), group
                        group = []
    assert beamed > 0  # the arranger's eighths are beamed at all
