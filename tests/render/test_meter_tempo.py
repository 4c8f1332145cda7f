"""Tempo counts the meter's beat, as musicians do: the dotted quarter in 6/8, 9/8 and 12/8, the
half note in 2/2; the plan, the MIDI and the MusicXML agree on it."""

from __future__ import annotations

import mido
import music21
import pytest

from songform.hierarchy.meter import Meter
from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Section, Template
from songform.render.midi import write_midi
from songform.render.musicxml import write_musicxml
from songform.symbolic.arranger import arrange


@pytest.mark.parametrize("text,beat", [("6/8", 1.5), ("9/8", 1.5), ("12/8", 1.5),
                                       ("2/2", 2.0), ("3/4", 1.0), ("4/4", 1.0),
                                       ("7/8", 1.0)])
def test_the_counted_beat(text, beat):
    assert float(Meter.parse(text).tempo_beat) == beat


def test_six_eight_at_66_lasts_what_a_musician_expects(tmp_path):
    """34 bars of 6/8 at dotted quarter = 66 is 68 beats: 61.8 seconds."""
    template = Template(sections=[Section("verse", bars=16), Section("chorus", bars=18)],
                        meter="6/8", tempo=66, style="pop")
    song = arrange(plan_song(template, 1))
    assert song.plan.duration_seconds == pytest.approx(61.818, abs=1e-3)
    assert song.plan.bar_seconds()[-1] == pytest.approx(61.818, abs=1e-3)
    midi = write_midi(song, tmp_path / "song.mid")
    tempos = [m.tempo for t in mido.MidiFile(midi).tracks for m in t if m.type == "set_tempo"]
    assert tempos == [mido.bpm2tempo(99)]  # 66 dotted quarters = 99 quarters a minute
    xml = write_musicxml(song, tmp_path / "song.musicxml")
    mark = next(iter(music21.converter.parse(str(xml)).recurse()
                     .getElementsByClass(music21.tempo.MetronomeMark)))
    assert mark.number == 66 and mark.referent.quarterLength == 1.5
