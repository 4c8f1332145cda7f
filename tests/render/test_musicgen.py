"""MusicGen-melody through the user's code path, on a tiny random model saved locally."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("transformers")

from songform.render.engines import get_renderer, model_path  # noqa: E402
from songform.render.errors import RenderError  # noqa: E402
from songform.render.neural.musicgen import MusicGenMelodyRenderer  # noqa: E402
from songform.render.neural.random_models import build_tiny_musicgen  # noqa: E402


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return build_tiny_musicgen(tmp_path_factory.mktemp("musicgen"))


def test_whole_song_in_windows_has_the_songs_length_and_is_seeded(tiny_folder, short_song):
    renderer = MusicGenMelodyRenderer.from_pretrained(tiny_folder, window_seconds=3.0,
                                                      overlap_seconds=1.0)
    calls = []
    first = renderer.render_samples(short_song, seed=3, progress=lambda i, n: calls.append(n))
    assert len(first) == int(round(short_song.plan.duration_seconds * 32000))
    assert len(calls) >= 3  # 6 s in 3 s windows
    again = renderer.render_samples(short_song, seed=3)
    other = renderer.render_samples(short_song, seed=4)
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_chroma_and_prompts_come_from_the_plan(tiny_folder, short_song):
    renderer = MusicGenMelodyRenderer.from_pretrained(tiny_folder)
    from songform.render.neural.windows import Window

    chroma = renderer.window_chroma(short_song, Window(0.0, 4.0, 0.0))
    assert chroma.shape == (1, 235, 12) and float(chroma.sum()) == 235
    prompt = renderer.window_prompt(short_song, Window(1.5, 4.0, 1.0))
    assert prompt.startswith("pop song, chorus") and "120 bpm" in prompt


def test_engines_by_name_and_missing_model_folder(tiny_folder, tmp_path, monkeypatch,
                                                  short_song):
    monkeypatch.delenv("SONGFORM_MUSICGEN_PATH", raising=False)
    with pytest.raises(RenderError, match="--model-path or set SONGFORM_MUSICGEN_PATH"):
        model_path("musicgen", None)
    with pytest.raises(RenderError, match="not found: .*nowhere"):
        get_renderer("musicgen", model=tmp_path / "nowhere")
    with pytest.raises(RenderError, match="unknown engine"):
        get_renderer("jukebox")
    monkeypatch.setenv("SONGFORM_MUSICGEN_PATH", str(tiny_folder))
    renderer = get_renderer("musicgen")
    import soundfile

    path = renderer.render(short_song, tmp_path / "song.wav", seed=0)
    info = soundfile.info(str(path))
    assert info.samplerate == 32000
    assert info.duration == pytest.approx(short_song.plan.duration_seconds, abs=1e-3)


def test_cli_render_and_generate_with_musicgen(tiny_folder, tmp_path):
    from typer.testing import CliRunner

    from songform.cli.app import app

    runner = CliRunner()
    result = runner.invoke(app, ["generate", "verse:1 chorus:1", "--tempo", "120", "--out",
                                 str(tmp_path), "--engine", "musicgen", "--model-path",
                                 str(tiny_folder)])
    assert result.exit_code == 0, result.output
    import soundfile

    assert soundfile.info(str(tmp_path / "song.wav")).samplerate == 32000
    result = runner.invoke(app, ["render", str(tmp_path / "song.mid"), "--engine", "musicgen",
                                 "--model-path", str(tiny_folder), "--audio",
                                 str(tmp_path / "again.wav")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["render", str(tmp_path / "song.mid"), "--engine", "musicgen",
                                 "--model-path", str(tmp_path / "none")])
    assert result.exit_code == 1 and "--model-path" in result.output
