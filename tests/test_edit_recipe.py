"""The edit recipe lives in the library (songform/edit.py): the CLI and Python write the same
bytes, and a request is checked as a whole before any work."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import songform
from songform.cli.app import app
from songform.core.errors import InputError
from songform.edit import EditRequest, edit_settings, prepare_edit
from songform.pipeline import SongPipeline
from songform.project import Project
from songform.symbolic.writers import ArrangerWriter

runner = CliRunner()


def test_the_cli_and_the_library_write_the_same_edit(tmp_path):
    song = tmp_path / "song"
    SongPipeline(ArrangerWriter())(songform.Template(form="verse:2 chorus:2"), seed=4,
                                   out=song)
    result = runner.invoke(app, ["edit", str(song / "song.json"), "--regenerate", "chorus",
                                 "--transpose", "2", "--seed", "3", "--notes", "arranger",
                                 "--no-audio", "-o", str(tmp_path / "cli"), "--quiet"])
    assert result.exit_code == 0, result.output
    project = Project.load(song / "song.json")
    writer = ArrangerWriter()
    request = EditRequest(regenerate="chorus", transpose=2, seed=3)
    prepared = prepare_edit(project, request, writer)
    assert prepared.chosen == [2, 3] and prepared.touched_sections == [1]
    outputs = ("plan", "midi", "project", "musicxml")
    SongPipeline(writer).edit(project, request, tmp_path / "py", outputs)
    edited = songform.load(song / "song.json").regenerate("chorus", seed=3, notes="arranger")
    SongPipeline(writer).write_song(edited.transposed(2), tmp_path / "song-api", outputs)
    assert (tmp_path / "song-api" / "song.mid").read_bytes() == \
        (tmp_path / "cli" / "song.mid").read_bytes()
    for name in ("song.mid", "song.json", "plan.json", "song.musicxml"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()


@pytest.mark.parametrize("request_, message", [
    (EditRequest(), "nothing to edit"),
    (EditRequest(regenerate="verse", bars="1-2"), "not both"),
    (EditRequest(track="Piano", sets=("verse energy=5",)), "--track goes with"),
    (EditRequest(key="D major", transpose=2), "--key or --transpose"),
])
def test_a_request_is_checked_as_a_whole(request_, message):
    with pytest.raises(InputError, match=message):
        request_.check()


def test_an_edit_keeps_the_projects_sampling_settings_unless_told(tmp_path):
    song = tmp_path / "song"
    SongPipeline(ArrangerWriter())(songform.Template(form="verse:2"), seed=1, out=song)
    project = Project.load(song / "song.json")
    project.writer["generation"] = {"temperature": 0.7, "top_p": 0.9, "context": 256}
    kept = edit_settings(project, 2, temperature=None, top_p=0.8)
    assert (kept.temperature, kept.top_p, kept.context, kept.takes) == (0.7, 0.8, 256, 2)


def test_an_edit_is_never_written_over_its_own_project(tmp_path):
    song = tmp_path / "song"
    SongPipeline(ArrangerWriter())(songform.Template(form="verse:2"), seed=1, out=song)
    project = Project.load(song / "song.json")
    with pytest.raises(InputError, match="holds the project being edited"):
        SongPipeline(ArrangerWriter()).edit(project, EditRequest(regenerate="verse"), song)
    result = runner.invoke(app, ["edit", str(song / "song.json"), "--regenerate", "verse",
                                 "--notes", "arranger", "--no-audio", "-o", str(song)])
    assert result.exit_code == 2 and "holds the project being edited" in result.output
