"""``songform continue`` / ``generate --primer``: a sketch opens the song note for note."""

from __future__ import annotations

import json

import pytest
from symusic import Note, Score, Track
from typer.testing import CliRunner

import songform
from songform.cli.app import app
from songform.data.midi_files import read_midi_song
from songform.hierarchy.planner import plan_song
from songform.sketch import with_roles
from songform.song import Song
from songform.symbolic.arranger import arrange
from songform.symbolic.shipped import shipped_checkpoint

runner = CliRunner()


@pytest.fixture(scope="module")
def sketch(tmp_path_factory):
    path = tmp_path_factory.mktemp("sketch") / "sketch.mid"
    plan = plan_song(songform.Template(form="verse:8", style="pop", key="D"), 3)
    Song.from_symbolic(arrange(plan, 3)).save_midi(path)
    return path


def _notes_before(path, bars: int) -> list[tuple]:
    """Every note starting in the first ``bars`` 4/4 bars, by track name."""
    score = Score(str(path))
    end = bars * 4 * score.ticks_per_quarter
    return sorted((t.name, n.time, n.duration, n.pitch, n.velocity)
                  for t in score.tracks for n in t.notes if n.time < end)


@pytest.mark.parametrize("notes", ["arranger", "model"])
def test_a_continued_sketch_keeps_its_bars_note_for_note(sketch, tmp_path, notes):
    if notes == "model" and shipped_checkpoint() is None:
        pytest.skip("no shipped checkpoint")
    out = tmp_path / "song"
    result = runner.invoke(app, ["continue", str(sketch), "--bars", "20", "--notes", notes,
                                 "--no-audio", "--seed", "2", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["bars"] > 8
    assert _notes_before(out / "song.mid", 8) == _notes_before(sketch, 8)
    after = Score(str(out / "song.mid"))
    start = 8 * 4 * after.ticks_per_quarter
    written = {t.name: sum(n.time >= start for n in t.notes) for t in after.tracks}
    assert written["Lead"] > 0 and written["Drums"] > 0  # the song goes on after the sketch
    again = tmp_path / "again"
    runner.invoke(app, ["generate", "--primer", str(sketch), "--bars", "20", "--notes", notes,
                        "--no-audio", "--seed", "2", "-o", str(again), "--quiet"])
    assert (again / "song.mid").read_bytes() == (out / "song.mid").read_bytes()
    project = songform.load(out / "song.json")  # the project reopens for edits
    assert project.plan.num_bars == data["bars"]


def test_roles_are_found_by_name_register_and_voicing(sketch):
    song = read_midi_song(sketch)
    roles = {t.name: t.role for t in with_roles(song.plan, song.score).tracks}
    assert roles == {"Lead": "melody", "Piano": "harmony", "Bass": "bass", "Drums": "drums"}
    hummed = Score(480)  # one unnamed voice: the melody
    track = Track(name="Track 1", program=0)
    for i, pitch in enumerate([60, 62, 64, 65, 67, 65, 64, 62] * 2):
        track.notes.append(Note(i * 480, 480, pitch, 90))
    hummed.tracks.append(track)
    path = sketch.with_name("hummed.mid")
    hummed.dump_midi(str(path))
    song = read_midi_song(path)
    assert [t.role for t in with_roles(song.plan, song.score).tracks] == ["melody"]


def test_bad_sketches_get_one_line_and_exit_2(sketch, tmp_path):
    empty = tmp_path / "empty.mid"
    Score(480).dump_midi(str(empty))
    cases = [([str(tmp_path / "missing.mid")], "no such file"),
             ([str(empty)], "no tracks"),
             ([str(sketch), "--bars", "8"], "the sketch already has 8 bars")]
    for args, message in cases:
        result = runner.invoke(app, ["continue", *args, "--notes", "arranger", "--no-audio",
                                     "-o", str(tmp_path / "out")])
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 2 and len(lines) == 1 and message in lines[0], result.output
    assert not (tmp_path / "out" / "song.mid").exists()
    result = runner.invoke(app, ["generate", "--primer", str(sketch), "--count", "2"])
    assert result.exit_code == 2 and "--primer" in result.output


POP909 = __import__("pathlib").Path(__file__).resolve().parents[3] / "shared" / "data" / "pop909"


@pytest.mark.skipif(not POP909.exists(), reason="POP909 is not at ../shared/data/pop909")
@pytest.mark.parametrize("song_id", ["010", "020"])
def test_a_real_multitrack_sketch_keeps_every_note_and_track(tmp_path, song_id):
    source = Score(str(POP909 / song_id / f"{song_id}.mid"))
    bar = 4 * source.ticks_per_quarter
    start = min(n.time for t in source.tracks for n in t.notes) // bar * bar
    sketch = source.clip(start, start + 8 * bar, clip_end=False).shift_time(-start)
    path = tmp_path / "sketch.mid"
    sketch.dump_midi(str(path))
    given = Score(str(path))
    result = runner.invoke(app, ["continue", str(path), "--bars", "48", "--notes", "arranger",
                                 "--no-audio", "-o", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    song = Score(str(tmp_path / "out" / "song.mid"))
    kept = {(t.name, t.program, n.time, n.duration, n.pitch, n.velocity)
            for t in song.tracks for n in t.notes}
    for track in given.tracks:  # every note, in its own track by name and program
        for n in track.notes:
            assert (track.name, track.program, n.time, n.duration, n.pitch, n.velocity) in kept
    assert {t.name for t in given.tracks} <= {t.name for t in song.tracks}
    import mido

    conductor = {m.type for m in mido.MidiFile(tmp_path / "out" / "song.mid").tracks[0]}
    assert {"marker", "key_signature", "time_signature", "set_tempo"} <= conductor
    tempi = [(t.time, round(t.qpm, 3)) for t in given.tempos]
    assert [(t.time, round(t.qpm, 3)) for t in song.tempos][:len(tempi)] == tempi


def test_a_part_a_few_ticks_past_the_last_bar_line_makes_no_bar(tmp_path):
    score = Score(480)
    track = Track(name="Melody", program=0)
    for beat in range(32):
        track.notes.append(Note(beat * 480, 480 + (5 if beat == 31 else 0), 60 + beat % 5, 80))
    score.tracks.append(track)
    path = tmp_path / "tail.mid"
    score.dump_midi(str(path))
    assert read_midi_song(path).plan.num_bars == 8


def test_each_sketch_track_keeps_its_midi_channel(tmp_path):
    """A sketch whose tracks sound on channels 3 and 6 (and drums on 9): the song's MIDI
    plays them there, and the parts the song adds take other channels."""
    import mido

    midi = mido.MidiFile(ticks_per_beat=480)
    for name, channel, program, pitches in (("Lead", 3, 73, [72, 74, 76, 77] * 8),
                                            ("Keys", 6, 0, [48, 52, 55, 52] * 8),
                                            ("Kit", 9, 0, [36, 38, 36, 38] * 8)):
        track = mido.MidiTrack()
        midi.tracks.append(track)
        track.append(mido.MetaMessage("track_name", name=name))
        if channel != 9:
            track.append(mido.Message("program_change", channel=channel, program=program))
        for pitch in pitches:
            track.append(mido.Message("note_on", channel=channel, note=pitch, velocity=90))
            track.append(mido.Message("note_off", channel=channel, note=pitch, time=480))
    midi.save(tmp_path / "sketch.mid")
    result = runner.invoke(app, ["continue", str(tmp_path / "sketch.mid"), "--bars", "16",
                                 "--notes", "arranger", "--no-audio", "--quiet",
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    channels = {}
    for track in mido.MidiFile(tmp_path / "out" / "song.mid").tracks[1:]:
        name = next(m.name for m in track if m.type == "track_name")
        channels[name] = {m.channel for m in track if hasattr(m, "channel")}
    assert channels["Lead"] == {3} and channels["Keys"] == {6} and channels["Kit"] == {9}
    others = [c for name, found in channels.items() if name not in ("Lead", "Keys", "Kit")
              for c in found]
    assert not {3, 6} & set(others) and len(set(others)) == len(others)
