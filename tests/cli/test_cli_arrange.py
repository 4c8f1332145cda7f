"""``songform arrange``: the user's melody kept note for note, the rest written around it."""

from __future__ import annotations

import json

import pytest
from symusic import Note, Score, Track
from typer.testing import CliRunner

from songform.cli.app import app
from songform.hierarchy.plan import SongPlan
from songform.song import Song
from songform.symbolic.metrics import plan_adherence
from songform.symbolic.shipped import shipped_checkpoint

runner = CliRunner()
TUNE = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, -1] * 2


def _melody(path, tracks=1, chordal=False):
    score = Score(480)
    for number in range(tracks):
        track = Track(name="Flute" if number == 0 else f"Other {number}", program=73)
        for i, pitch in enumerate(TUNE):
            if pitch > 0:
                track.notes.append(Note(i * 480, 400, pitch + 2 - 12 * number, 90))
                if chordal:
                    track.notes.append(Note(i * 480, 400, pitch - 3, 70))
        score.tracks.append(track)
    score.dump_midi(str(path))
    return path


def _flute(path):
    score = Score(str(path))
    return sorted((n.time * 480 // score.ticks_per_quarter, n.duration, n.pitch)
                  for t in score.tracks if t.name == "Flute" for n in t.notes)


@pytest.mark.skipif(shipped_checkpoint() is None, reason="no shipped checkpoint")
def test_an_arranged_melody_is_kept_and_the_accompaniment_fits_its_chords(tmp_path):
    melody = _melody(tmp_path / "tune.mid")
    out = tmp_path / "song"
    result = runner.invoke(app, ["arrange", str(melody), "--no-audio", "--seed", "3", "-o",
                                 str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["bars"] == 8
    assert _flute(out / "song.mid") == _flute(melody)  # pitch, onset and length, every note
    song = Song(plan=SongPlan.from_json((out / "plan.json").read_text()),
                score=Score(str(out / "song.mid")))
    assert song.plan.tracks[0].role == "melody"
    assert plan_adherence(song, ("harmony",)).chord_tones >= 0.85  # POP909's own share
    written = {t.name: len(t.notes) for t in song.score.tracks}
    assert written["Piano"] > 0 and written["Bass"] > 0 and written["Drums"] > 0
    given = runner.invoke(app, ["arrange", str(melody), "--chords", "| D | G | A | D |",
                                "--no-audio", "-o", str(tmp_path / "given"), "--quiet"])
    assert given.exit_code == 0, given.output
    plan = SongPlan.from_json((tmp_path / "given" / "plan.json").read_text())
    assert [str(bar.chords[0].chord) for bar in plan.bars()][:4] == ["D", "G", "A", "D"]


def test_a_given_form_sets_the_sections_from_a_string_or_a_yaml_file(tmp_path):
    melody = _melody(tmp_path / "tune.mid")  # 8 bars
    result = runner.invoke(app, ["arrange", str(melody), "--form", "verse:4 chorus:4",
                                 "--notes", "arranger", "--no-audio", "-o", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    plan = SongPlan.from_json((tmp_path / "a" / "plan.json").read_text())
    assert list(plan.section_names()) == ["Verse", "Chorus"] and plan.num_bars == 8
    assert _flute(tmp_path / "a" / "song.mid") == _flute(melody)
    (tmp_path / "form.yaml").write_text("sections:\n  - {kind: intro, bars: 2}\n"
                                        "  - {kind: chorus, bars: 6}\n")
    result = runner.invoke(app, ["arrange", str(melody), "--form", str(tmp_path / "form.yaml"),
                                 "--notes", "arranger", "--no-audio", "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    plan = SongPlan.from_json((tmp_path / "b" / "plan.json").read_text())
    assert [s.bars for s in plan.sections] == [2, 6]


def test_the_highest_voice_of_a_chordal_melody_is_taken_and_said(tmp_path):
    melody = _melody(tmp_path / "chords.mid", chordal=True)
    result = runner.invoke(app, ["arrange", str(melody), "--notes", "arranger", "--no-audio",
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "the highest voice of Flute taken" in " ".join(result.output.split())
    kept = _flute(tmp_path / "out" / "song.mid")
    assert [p for _, _, p in kept] == [p + 2 for p in TUNE if p > 0]


def test_bad_melodies_get_one_line_and_exit_2(tmp_path):
    empty = tmp_path / "empty.mid"
    Score(480).dump_midi(str(empty))
    two = _melody(tmp_path / "two.mid", tracks=2)
    one = _melody(tmp_path / "one.mid")
    cases = [([str(tmp_path / "missing.mid")], "no such file"),
             ([str(empty)], "no tracks"),
             ([str(two)], "several tracks could be the melody"),
             ([str(two), "--melody-track", "Vocals"], 'no track "Vocals"'),
             ([str(one), "--chords", "| H7 |"], "--chords"),
             ([str(one), "--form", "verse:4 chorus:8"], "the form has 12 bars and the melody 8"),
             ([str(one), "--form", "verse:x"], "--form")]
    for args, message in cases:
        result = runner.invoke(app, ["arrange", *args, "--notes", "arranger", "--no-audio",
                                     "-o", str(tmp_path / "out")])
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 2 and len(lines) == 1 and message in lines[0], \
            (args, result.output)
    assert not (tmp_path / "out").exists()
    result = runner.invoke(app, ["arrange", str(two), "--melody-track", "flute", "--notes",
                                 "arranger", "--no-audio", "-o", str(tmp_path / "named")])
    assert result.exit_code == 0, result.output


def test_the_melody_keeps_its_midi_channel(tmp_path):
    import mido

    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("track_name", name="Flute"))
    track.append(mido.Message("program_change", channel=4, program=73))
    for pitch in [60, 62, 64, 65, 67, 65, 64, 62] * 4:
        track.append(mido.Message("note_on", channel=4, note=pitch, velocity=90))
        track.append(mido.Message("note_off", channel=4, note=pitch, time=480))
    midi.save(tmp_path / "tune.mid")
    result = runner.invoke(app, ["arrange", str(tmp_path / "tune.mid"), "--notes", "arranger",
                                 "--no-audio", "--quiet", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    found = {next(m.name for m in t if m.type == "track_name"):
             {m.channel for m in t if hasattr(m, "channel")}
             for t in mido.MidiFile(tmp_path / "out" / "song.mid").tracks[1:]}
    assert found["Flute"] == {4}
    assert all(4 not in channels for name, channels in found.items() if name != "Flute")
