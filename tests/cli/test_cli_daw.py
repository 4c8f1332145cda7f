"""The DAW round trip: generate, change notes in a DAW, bring the MIDI back with
`edit --midi`, write a section again around the person's notes."""

from __future__ import annotations

import json

import pytest
from symusic import Note, Score
from typer.testing import CliRunner

import songform
from songform.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    out = tmp_path_factory.mktemp("daw") / "song"
    result = runner.invoke(app, ["generate", "verse:4 chorus:4", "--seed", "2", "--no-audio",
                                 "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def _edited(song, path):
    """The song's MIDI with a note moved (bar 2), one added (bar 3), one deleted (bar 5)."""
    score = Score(str(song / "song.mid"))
    bar = 4 * score.ticks_per_quarter
    lead = next(t for t in score.tracks if t.name == "Lead")
    notes = [Note(n.time, n.duration, n.pitch, n.velocity) for n in lead.notes]
    moved = next(n for n in notes if bar <= n.time < 2 * bar)
    gone = next(n for n in notes if 4 * bar <= n.time < 5 * bar)
    notes = [Note(n.time, n.duration, n.pitch + 2 if n is moved else n.pitch, n.velocity)
             for n in notes if n is not gone]
    notes.append(Note(2 * bar + 480, 240, 84, 90))
    lead.notes.clear()
    for note in sorted(notes, key=lambda n: (n.time, n.pitch)):
        lead.notes.append(note)
    score.dump_midi(str(path))
    return path


def _notes(path, first_bar: int, last_bar: int) -> set:
    score = Score(str(path))
    bar = 4 * score.ticks_per_quarter
    return {(t.name, n.time, n.duration, n.pitch, n.velocity) for t in score.tracks
            for n in t.notes if first_bar * bar <= n.time < last_bar * bar}


def test_a_daw_edit_comes_back_and_a_section_is_written_again_around_it(song, tmp_path):
    edited = _edited(song, tmp_path / "edited.mid")
    result = runner.invoke(app, ["edit", str(song / "song.json"), "--midi", str(edited),
                                 "--regenerate", "chorus", "--no-audio",
                                 "-o", str(tmp_path / "v2"), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)["edit"]
    assert record["midi"] == {"file": "edited.mid", "bars": [2, 3, 5]}
    out = tmp_path / "v2" / "song.mid"
    assert _notes(out, 0, 4) == _notes(edited, 0, 4)  # the person's verse, note for note
    assert _notes(out, 4, 8) != _notes(edited, 4, 8)  # the chorus written again
    assert (84, 90) in {(p, v) for _, _, _, p, v in _notes(out, 2, 3)}
    reopened = songform.load(tmp_path / "v2" / "song.json")  # a project like any other
    assert reopened.written is not None and len(reopened.written) == 8


def test_with_notes_in_python_and_a_midi_saved_over_the_projects_own(song, tmp_path):
    edited = _edited(song, tmp_path / "edited.mid")
    adopted = songform.load(song / "song.json").with_notes(edited)
    assert adopted.plan.notes[-1] == "bars 2, 3, 5 taken from edited.mid"
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("song.json", "plan.json"):
        (copy / name).write_bytes((song / name).read_bytes())
    (copy / "song.mid").write_bytes(edited.read_bytes())  # the DAW saved over song.mid
    result = runner.invoke(app, ["edit", str(copy / "song.json"), "--midi",
                                 str(copy / "song.mid"), "--no-audio",
                                 "-o", str(tmp_path / "v3")])
    assert result.exit_code == 0, result.output
    assert "has changed since the project was written" in result.output
    assert _notes(tmp_path / "v3" / "song.mid", 0, 8) == _notes(edited, 0, 8)


def test_a_track_the_song_lacks_is_one_clear_line(song, tmp_path):
    score = Score(str(song / "song.mid"))
    extra = score.tracks[1].copy()
    extra.name, extra.program = "Theremin", 99
    score.tracks.append(extra)
    score.dump_midi(str(tmp_path / "more.mid"))
    result = runner.invoke(app, ["edit", str(song / "song.json"), "--midi",
                                 str(tmp_path / "more.mid"), "--no-audio",
                                 "-o", str(tmp_path / "v4")])
    assert result.exit_code == 2 and '"Theremin" (program 99) is none of the song' in \
        result.output, result.output
