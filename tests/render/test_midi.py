"""DAW-clean MIDI, read back by mido, pretty_midi and music21."""

from __future__ import annotations

from collections import defaultdict

import mido
import pretty_midi
import pytest

from songform.render.midi import write_midi
from songform.render.ranges import program_range
from songform.symbolic.ticks import DRUM_CHANNEL, quarters_to_ticks


@pytest.fixture(scope="module")
def midi_path(changing_song, tmp_path_factory):
    return write_midi(changing_song, tmp_path_factory.mktemp("midi") / "song.mid")


def _absolute(track):
    now = 0
    for message in track:
        now += message.time
        yield now, message


def test_structure_read_back_with_mido(changing_song, midi_path):
    plan = changing_song.plan
    midi = mido.MidiFile(str(midi_path))
    assert midi.type == 1 and midi.ticks_per_beat == 480
    assert len(midi.tracks) == 1 + len(plan.tracks)
    conductor = list(_absolute(midi.tracks[0]))
    bars = list(plan.bars())
    section_starts = [b for b in bars if b.bar_in_section == 0]

    markers = [(t, m.text) for t, m in conductor if m.type == "marker"]
    assert markers == [(quarters_to_ticks(b.start), n)
                       for b, n in zip(section_starts, plan.section_names(), strict=True)]
    assert [n for _, n in markers] == ["Intro", "Verse 1", "Chorus", "Verse 2", "Bridge",
                                       "Outro"]
    tempos = [(t, round(mido.tempo2bpm(m.tempo), 3)) for t, m in conductor
              if m.type == "set_tempo"]
    assert tempos == [(0, 120.0), (quarters_to_ticks(section_starts[2].start), 90.0),
                      (quarters_to_ticks(section_starts[3].start), 120.0)]
    meters = [(t, m.numerator, m.denominator) for t, m in conductor
              if m.type == "time_signature"]
    assert meters == [(0, 4, 4), (quarters_to_ticks(section_starts[2].start), 3, 4),
                      (quarters_to_ticks(section_starts[3].start), 4, 4),
                      (quarters_to_ticks(section_starts[4].start), 7, 8),
                      (quarters_to_ticks(section_starts[5].start), 4, 4)]
    keys = [(t, m.key) for t, m in conductor if m.type == "key_signature"]
    assert keys == [(0, "D"), (quarters_to_ticks(section_starts[2].start), "A"),
                    (quarters_to_ticks(section_starts[3].start), "D")]
    chords = [m.text for _, m in conductor if m.type == "text"]
    assert chords[:4] == ["D", "A", "D", "Bm"]

    end = changing_song.end_tick
    assert end == quarters_to_ticks(plan.duration_quarters)
    channels = {}
    for spec, track in zip(plan.tracks, midi.tracks[1:], strict=True):
        events = list(_absolute(track))
        assert track.name == spec.name
        assert events[-1][1].type == "end_of_track" and events[-1][0] == end
        used = {m.channel for _, m in events if hasattr(m, "channel")}
        assert len(used) == 1
        channel = used.pop()
        channels[spec.name] = channel
        programs = [m.program for _, m in events if m.type == "program_change"]
        if spec.is_drum:
            assert channel == DRUM_CHANNEL and programs == []
        else:
            assert channel != DRUM_CHANNEL and programs == [spec.program]
            low, high = program_range(spec.program)
            assert all(low <= m.note <= high for _, m in events if m.type == "note_on")
        sounding = defaultdict(int)
        for _, message in events:  # never two note-ons of one pitch without a note-off
            if message.type == "note_on" and message.velocity > 0:
                assert sounding[message.note] == 0
                sounding[message.note] += 1
            elif message.type in ("note_off", "note_on"):
                sounding[message.note] -= 1
        assert all(v == 0 for v in sounding.values())
    assert len(set(channels.values())) == len(channels)


def test_pretty_midi_reads_names_programs_and_length(changing_song, midi_path):
    midi = pretty_midi.PrettyMIDI(str(midi_path))
    plan = changing_song.plan
    assert [(i.name, i.program, i.is_drum) for i in midi.instruments] == [
        (t.name, t.program, t.is_drum) for t in plan.tracks]
    # pretty_midi ends at the last note; the file itself (end-of-track) at the plan's end
    assert plan.duration_seconds - 4.0 < midi.get_end_time() <= plan.duration_seconds + 1e-3
    assert mido.MidiFile(str(midi_path)).length == pytest.approx(plan.duration_seconds,
                                                                 abs=1e-3)
    changes, bpm = midi.get_tempo_changes()
    assert list(bpm.round(3)) == [120.0, 90.0, 120.0]
    assert [(ts.numerator, ts.denominator) for ts in midi.time_signature_changes] == [
        (4, 4), (3, 4), (4, 4), (7, 8), (4, 4)]


def test_music21_reads_parts_and_meters(changing_song, midi_path):
    import music21

    score = music21.converter.parse(str(midi_path))
    assert len(score.parts) == len(changing_song.plan.tracks)
    meters = [ts.ratioString for ts in score.parts[0].recurse().getElementsByClass(
        "TimeSignature")]
    assert meters[:4] == ["4/4", "3/4", "4/4", "7/8"]


def test_a_model_written_song_is_daw_clean_and_valid_musicxml(tmp_path):
    """The shipped model on the song with tempo, meter (7/8) and key changes: every writer
    still gets clean input."""
    from songform.hierarchy.planner import plan_song
    from songform.song import Song
    from songform.symbolic.shipped import shipped_checkpoint
    from songform.symbolic.writers import SongModel

    from .conftest import changing_template
    from .musicxml_schema import validate

    if shipped_checkpoint() is None:
        pytest.skip("this install ships no checkpoint")
    plan = plan_song(changing_template(), seed=4)
    song = Song.from_symbolic(SongModel.load(shipped_checkpoint()).write(plan, seed=2))
    midi = mido.MidiFile(str(write_midi(song, tmp_path / "song.mid")))
    assert midi.length == pytest.approx(plan.duration_seconds, abs=1e-3)
    for spec, track in zip(plan.tracks, midi.tracks[1:], strict=True):
        sounding = defaultdict(int)
        for _, message in _absolute(track):
            if message.type == "note_on" and message.velocity > 0:
                assert sounding[message.note] == 0, spec.name
                sounding[message.note] += 1
            elif message.type in ("note_off", "note_on"):
                sounding[message.note] -= 1
        if not spec.is_drum:
            low, high = program_range(spec.program)
            assert all(low <= m.note <= high for _, m in _absolute(track)
                       if m.type == "note_on")
    assert validate(song.save_musicxml(tmp_path / "song.musicxml"), tmp_path) == []


def test_playable_holds_the_notes_the_file_holds(changing_song, tmp_path):
    """Measures taken before a song is written (edit --candidates ranks takes) see the notes
    its MIDI file will hold: pitches folded into the instrument's range, one pitch never
    sounding twice at once."""
    from symusic import Note

    from songform.data.midi_files import read_midi_song
    from songform.render.midi import playable

    song = type(changing_song)(plan=changing_song.plan, score=changing_song.score.copy(),
                               written=changing_song.written)  # the fixture is shared
    pitched = next(t for t in song.score.tracks if not t.is_drum)
    low, _ = program_range(int(pitched.program))
    first = pitched.notes[0]
    pitched.notes.append(Note(first.time, first.duration, low - 13, 90))  # below the range
    pitched.notes.append(Note(first.time + 1, first.duration, first.pitch, 80))  # overlaps
    kept = playable(song)
    back = read_midi_song(write_midi(song, tmp_path / "song.mid")).score

    def notes(score):
        return sorted((t.name, n.time, n.duration, n.pitch) for t in score.tracks
                      for n in t.notes)

    assert notes(kept.score) == notes(back)
    assert notes(kept.score) != notes(song.score)  # the fold and the cut were needed
