"""The feel: swung and shuffled styles play their off-beat eighths late in the MIDI file and
the audio, while the notes (tokens) and the notation stay on the straight grid."""

from __future__ import annotations

import mido
import numpy as np
import pytest
from music21 import converter, expressions
from symusic import Note, Track

import songform
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter
from songform.hierarchy.plan import ChordEvent, PhrasePlan, SectionPlan, SongPlan, TrackSpec
from songform.hierarchy.styles import STYLES
from songform.hierarchy.template_yaml import template_from_yaml
from songform.render.audio import AudioConfig, mixdown
from songform.render.feel import measured_swing, swing_ratio
from songform.render.midi import midi_file, note_ons
from songform.symbolic.song import conductor_score

from .soundfont_check import needs_soundfont


def _offbeat_fractions(midi: mido.MidiFile) -> dict[str, float | None]:
    """Per track, where its off-beat eighths fall, read from the file alone."""
    out = {}
    for track in midi.tracks[1:]:
        now, onsets = 0, []
        for message in track:
            now += message.time
            if message.type == "note_on" and message.velocity:
                onsets.append(now / midi.ticks_per_beat)
        out[track.name] = swing_ratio(onsets)
    return out


def test_a_blues_shuffles_in_the_midi_and_stays_straight_in_notes_and_notation(tmp_path):
    song = songform.compose(songform.Template(style="blues"), seed=1, notes="arranger")
    assert {s.swing for s in song.plan.sections} == {0.66}
    played = {name: value for name, value in _offbeat_fractions(midi_file(song)).items()
              if value is not None}
    assert {"Drums", "Piano"} <= set(played)
    assert all(value == pytest.approx(0.66, abs=0.01) for value in played.values()), played
    assert measured_swing(song.score) == 0.5  # the notes themselves: the straight grid
    path = song.save_musicxml(tmp_path / "blues.musicxml")
    score = converter.parse(str(path))
    words = [w.content for w in score.recurse().getElementsByClass(expressions.TextExpression)]
    assert words == ["Swing"]
    offsets = {float(n.offset) % 0.5 for n in score.parts[0].recurse().notes}
    assert offsets <= {0.0, 0.25}  # written straight


@pytest.mark.parametrize("style", sorted(STYLES))
def test_swing_one_half_makes_any_style_straight(style):
    song = songform.compose(songform.Template(style=style, swing=0.5, bars=16), seed=2,
                            notes="arranger")
    for name, value in _offbeat_fractions(midi_file(song)).items():
        assert value in (None, 0.5), (style, name, value)


def test_jazz_swings_lighter_as_the_tempo_rises_and_templates_set_the_feel():
    jazz = STYLES["jazz"]
    assert jazz.swing_at(120) == pytest.approx(0.66)
    assert 0.58 <= jazz.swing_at(200) < jazz.swing_at(160) < jazz.swing_at(120)
    assert STYLES["pop"].swing_at(100) == 0.5 and STYLES["blues"].swing_at(100) == 0.66
    template = template_from_yaml("style: pop\nswing: 0.6\nsections:\n  - {kind: verse, "
                                  "bars: 4}\n  - {kind: chorus, bars: 4, swing: 0.7}\n")
    plan = songform.plan(template, seed=1)
    assert [s.swing for s in plan.sections] == [0.6, 0.7]
    assert SongPlan.from_json(plan.to_json()) == plan
    straight = songform.plan(songform.Template(style="pop"), seed=1)
    assert '"swing"' not in straight.to_json()  # straight plans read as before
    with pytest.raises(TemplateError, match="swing"):
        template_from_yaml("swing: 0.9\n")
    with pytest.raises(TemplateError, match="swing"):
        songform.Template(style="pop", swing="lots")


def _eighths_song(swing: float) -> songform.Song:
    """Two bars of staccato eighth notes at 120 BPM (a beat is 0.5 s)."""
    plan = SongPlan("eighths", "blues", 0, (TrackSpec("Piano", 0, "melody"),), (SectionPlan(
        "verse", Key(0), Meter.parse("4/4"), 120.0, 3, ("Piano",),
        (PhrasePlan("A", 2, ((ChordEvent(0.0, "C"),), (ChordEvent(0.0, "C"),))),),
        swing=swing),))
    score = conductor_score(plan)
    track = Track(name="Piano", program=0, is_drum=False)
    for eighth in range(16):
        track.notes.append(Note(eighth * 240, 60, 84 if eighth % 2 else 72, 100))
    score.tracks.append(track)
    return songform.Song(plan=plan, score=score)


@needs_soundfont
def test_the_audio_plays_the_shuffle():
    rate = 22050
    audio = mixdown(midi_file(_eighths_song(0.66)), None, AudioConfig(sample_rate=rate))
    mono = np.abs(audio.master.mean(axis=1))
    hop = int(0.002 * rate)
    envelope = np.array([mono[i:i + hop].max() for i in range(0, len(mono) - hop, hop)])
    lates = []
    for beat in range(1, 7):  # the off-beat after each beat, away from the song's edges
        start, stop = int((beat * 0.5 + 0.1) / 0.002), int((beat * 0.5 + 0.45) / 0.002)
        rise = int(np.argmax(np.diff(envelope[start:stop])))  # the sharpest attack
        lates.append((start + rise) * 0.002 - beat * 0.5)
    assert np.median(lates) / 0.5 == pytest.approx(0.66, abs=0.03), lates


def test_humanize_moves_timing_and_velocity_a_little_and_the_same_every_time():
    def notes(humanize):
        song = songform.compose(songform.Template(style="pop", form="verse:2 chorus:2",
                                                  tempo=120, humanize=humanize), seed=5,
                                notes="arranger")
        return sorted(note_ons(midi_file(song))), song

    grid, _ = notes(None)
    loose, song = notes(0.5)
    again, _ = notes(0.5)
    assert loose == again and song.plan.humanize == 0.5
    assert len(loose) == len(grid)
    moved = [abs(a[2] - b[2]) for a, b in zip(grid, loose, strict=True)]
    ticks_per_ms = 480 * 2 / 1000  # 120 BPM: two quarters a second
    assert max(moved) <= 6 * ticks_per_ms + 1 and np.mean(moved) > 0.5
    assert any(a[3] != b[3] for a, b in zip(grid, loose, strict=True))
    assert max(abs(a[3] - b[3]) for a, b in zip(grid, loose, strict=True)) <= 5
    with pytest.raises(TemplateError, match="humanize"):
        songform.Template(humanize=2)


def test_straight_warp_undoes_the_swing_warp():
    from songform.render.feel import straight_warp, swing_warp

    plan = songform.plan(songform.Template(form="verse:2 chorus:2", style="blues"), 1)
    warp, unwarp = swing_warp(plan, 480), straight_warp(plan, 480)
    ticks = range(0, 8 * 4 * 480, 60)
    assert [unwarp(warp(t)) for t in ticks] == list(ticks)
    assert any(warp(t) != t for t in ticks)
