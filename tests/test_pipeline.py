"""The song pipeline: built from parts, one call writes every output in order with progress,
compose and the CLI share it, and bad options fail before anything is written."""

from __future__ import annotations

import hashlib

import pytest

import songform
from songform.pipeline import SongPipeline
from songform.render.errors import RenderError
from songform.symbolic.arranger import arrange
from songform.symbolic.writers import ArrangerWriter

TEMPLATE = songform.Template(form="verse:2 chorus:2", style="pop", key="C", tempo=120)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_one_call_writes_the_outputs_in_order_with_progress(tmp_path):
    events = []
    pipeline = SongPipeline(ArrangerWriter())
    result = pipeline(TEMPLATE, seed=4, out=tmp_path,
                      progress=lambda stage, done, total: events.append((stage, done, total)))
    assert [w.output for w in result.written] == ["plan", "midi", "project", "musicxml",
                                                  "pianoroll"]
    assert all(w.path.stat().st_size > 0 and w.seconds >= 0 for w in result.written)
    stages = [e[0] for e in events]
    assert stages.index("plan") < stages.index("notes") < stages.index("midi") \
        < stages.index("musicxml") < stages.index("pianoroll")
    assert ("notes", 4, 4) in events and "audio" not in stages  # no renderer: no audio
    assert result.seed == 4 and result.song.plan.num_bars == 4


def test_compose_and_the_pipeline_write_the_same_song(tmp_path):
    composed = songform.compose(TEMPLATE, seed=4, notes="arranger")
    result = SongPipeline(ArrangerWriter())(TEMPLATE, seed=4, out=tmp_path,
                                            outputs=("midi",))
    composed.save_midi(tmp_path / "composed.mid")
    assert _digest(tmp_path / "composed.mid") == _digest(tmp_path / "song.mid")
    assert [w.output for w in result.written] == ["midi"]
    assert not (tmp_path / "plan.json").exists()


def test_parts_are_injected_not_loaded(tmp_path):
    """Any planner and any writer with ``write(plan, seed, progress)`` plug in."""
    planned = []

    def planner(template, seed):
        planned.append(seed)
        return songform.plan(template, seed)

    class Recording:
        description = "recording"
        song_model = None

        def identity(self):
            return {"kind": "recording"}

        def write(self, plan, seed=0, progress=None):
            planned.append(("write", seed))
            return arrange(plan, seed)

    song = SongPipeline(Recording(), planner=planner).compose(TEMPLATE, seed=9)
    assert planned == [9, ("write", 9)] and song.plan.seed == 9


def test_bad_options_fail_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="notes"):
        SongPipeline.from_options(notes="humans")
    with pytest.raises(ValueError, match="no such folder"):
        SongPipeline.from_options(checkpoint=tmp_path / "nowhere")
    with pytest.raises(RenderError, match="SoundFont not found"):
        SongPipeline.from_options(notes="arranger", engine="fluidsynth",
                                  soundfont=tmp_path / "none.sf2")
    pipeline = SongPipeline(ArrangerWriter())
    with pytest.raises(ValueError, match="outputs"):
        pipeline(TEMPLATE, out=tmp_path / "a", outputs=("midi", "mp3"))
    with pytest.raises(ValueError, match="wav, flac, ogg, mp3"):
        pipeline(TEMPLATE, out=tmp_path / "b", audio_format="aiff")
    with pytest.raises(ValueError, match="stems: they come with the audio"):
        pipeline(TEMPLATE, out=tmp_path / "c", outputs=("midi", "audio", "stems"))
    assert not any((tmp_path / name).exists() for name in "abc")


def test_load_takes_the_plan_of_the_project_that_owns_the_midi_else_derives_one(tmp_path):
    SongPipeline(ArrangerWriter())(TEMPLATE, seed=2, out=tmp_path,
                                   outputs=("plan", "midi", "project"))
    song = songform.load(tmp_path / "song.mid")
    assert song.plan == songform.plan(TEMPLATE, 2)
    other = tmp_path / "other"  # an unrelated tune beside a project: its plan is not taken
    other.mkdir()
    tune = other / "tune.mid"
    tune.write_bytes((tmp_path / "song.mid").read_bytes())
    for name in ("plan.json", "song.json"):
        (other / name).write_bytes((tmp_path / name).read_bytes())
    foreign = songform.load(tune)
    assert foreign.plan.style == "analysed"
    assert "belongs to another MIDI file" in foreign.plan.notes[-1]
    (tmp_path / "song.mid").write_bytes((tmp_path / "song.mid").read_bytes() + b"\0")
    changed = songform.load(tmp_path / "song.mid")  # changed since: its hash differs
    assert changed.plan.style == "analysed" and changed.plan.num_bars >= 4


def test_the_public_api_resolves_and_holds_no_cli_helpers():
    for name in songform.__all__:
        assert getattr(songform, name) is not None, name
    for gone in ("note_model", "write_notes"):
        assert gone not in songform.__all__ and not hasattr(songform, gone)


def _snapshot(folder):
    return {p.name: _digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_failed_run_leaves_the_folder_as_it_was(tmp_path):
    SongPipeline(ArrangerWriter())(TEMPLATE, seed=1, out=tmp_path)
    before = _snapshot(tmp_path)

    class Broken:
        def render(self, song, path, **kwargs):
            raise RenderError("the audio engine broke")

    with pytest.raises(RenderError):
        SongPipeline(ArrangerWriter(), renderer=Broken())(TEMPLATE, seed=2, out=tmp_path)
    assert _snapshot(tmp_path) == before  # no new plan beside old notes
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == []


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path):
    import subprocess
    import sys

    from songform.pipeline import STAGING_PREFIX

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f"{STAGING_PREFIX}{dead}-abc"
    stale.mkdir()
    (stale / "plan.json").write_text("{}")
    SongPipeline(ArrangerWriter())(TEMPLATE, seed=1, out=tmp_path, outputs=("midi",))
    assert not stale.exists() and (tmp_path / "song.mid").exists()


def test_devices_are_checked_before_any_work():
    from songform.core.errors import InputError, MachineError

    with pytest.raises(InputError, match="tpu"):
        SongPipeline.from_options(notes="arranger", device="tpu")
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(MachineError, match="no CUDA GPU"):
            SongPipeline.from_options(notes="arranger", device="cuda")


def test_a_file_that_is_not_a_soundfont_fails_before_any_work(tmp_path):
    fake = tmp_path / "fake.sf2"
    fake.write_text("not a soundfont")
    with pytest.raises(RenderError, match="not a SoundFont file"):
        SongPipeline.from_options(notes="arranger", engine="fluidsynth", soundfont=fake)


def test_compose_takes_sampling_keywords():
    from songform.symbolic.shipped import shipped_checkpoint

    if shipped_checkpoint() is None:
        pytest.skip("no shipped model in this install")

    def notes(song):
        return [(t.name, [(n.time, n.pitch) for n in t.notes]) for t in song.score.tracks]

    keyword = songform.compose("verse:2", seed=1, notes="model", temperature=0.5)
    config = songform.compose("verse:2", seed=1, notes="model",
                              generation=songform.GenerateConfig(temperature=0.5))
    plain = songform.compose("verse:2", seed=1, notes="model")
    assert notes(keyword) == notes(config) != notes(plain)
