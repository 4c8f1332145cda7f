"""Stable Audio through the user's code path, on a tiny random pipeline saved locally."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("diffusers")
pytest.importorskip("torchsde")

import torch  # noqa: E402

from songform.render.engines import get_renderer  # noqa: E402
from songform.render.errors import RenderError  # noqa: E402
from songform.render.neural.random_models import build_tiny_stable_audio  # noqa: E402
from songform.render.neural.stable_audio import (  # noqa: E402
    StableAudioConfig,
    StableAudioRenderer,
)
from songform.render.neural.windows import section_windows  # noqa: E402

from .soundfont_check import needs_soundfont  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # torchsde's float-edge notes

RATE = 8000  # the tiny model: 512 latents x hop 64 at 8 kHz = a 4.096 s window


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_tiny_stable_audio(tmp_path_factory.mktemp("stable_audio"))


def _renderer(folder, **settings) -> StableAudioRenderer:
    return StableAudioRenderer.from_pretrained(folder, config=StableAudioConfig(**settings))


def _window_audio(renderer, song, seconds: float = 2.0) -> torch.Tensor:
    init = renderer.init_audio(song)
    return torch.from_numpy(init[: int(seconds * RATE)].T.copy())[None]


# -- windows ----------------------------------------------------------------------------------
def test_section_windows_join_on_bar_lines_and_split_long_sections():
    bars = [float(b) for b in range(0, 21, 2)]  # ten 2 s bars, last bar line at 20 s
    sections = [0.0, 4.0, 16.0]
    windows = section_windows(bars, sections, 22.0, window=7.0, crossfade=0.5)
    joins = [w.start + w.overlap for w in windows[1:]]
    assert set(sections[1:]) <= set(joins)  # every section starts its own window
    assert set(joins) <= set(bars)  # and every join is a bar line
    assert windows[0].start == 0.0 and windows[0].overlap == 0.0
    assert windows[-1].end == 22.0  # the ring-out after the last bar is kept
    for previous, window in zip(windows, windows[1:], strict=False):
        assert window.start == pytest.approx(previous.end - 0.5)  # crossfade ends on the bar
        assert window.overlap == 0.5
    assert all(w.end - w.start <= 7.0 + 1e-9 for w in windows)
    assert len(windows) > len(sections)  # the 12 s middle section was split
    with pytest.raises(ValueError, match="does not fit"):
        section_windows([0.0, 10.0], [0.0], 10.0, window=4.0, crossfade=0.5)


def test_bar_seconds_follow_the_plans_tempo(short_song):
    bars, sections = short_song.plan.bar_seconds(), short_song.plan.section_seconds()[:-1]
    assert bars == pytest.approx([0.0, 2.0, 4.0, 6.0])  # 4/4 at 120 bpm, last bar line too
    assert sections == pytest.approx([0.0, 2.0, 4.0])


# -- SDEdit ---------------------------------------------------------------------------------
@needs_soundfont
def test_strength_zero_is_the_autoencoders_round_trip(tiny_folder, short_song):
    renderer = _renderer(tiny_folder, strength=0.0, steps=10)
    audio = _window_audio(renderer, short_song)
    refined = renderer.refine(audio, ["pop song, verse"], [0.0], [8.0], [0])
    vae = renderer.pipeline.vae
    padded = torch.zeros(1, 2, 512 * vae.hop_length)
    padded[..., : audio.shape[-1]] = audio
    with torch.no_grad():
        round_trip = vae.decode(vae.encode(padded).latent_dist.mode()).sample
    assert torch.allclose(refined, round_trip, atol=1e-6)
    assert float((round_trip[..., : audio.shape[-1]] - audio).abs().max()) > 1e-3  # lossy


@needs_soundfont
def test_departure_grows_with_strength(tiny_folder, short_song):
    renderer = _renderer(tiny_folder, strength=0.0, steps=20)
    audio = _window_audio(renderer, short_song)
    args = (["pop song, chorus"], [2.0], [8.0], [3])
    base = renderer.refine_latents(audio, *args)
    departures = []
    for strength in (0.0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0):
        renderer.config = StableAudioConfig(strength=strength, steps=20)
        latents = renderer.refine_latents(audio, *args)
        departures.append(float((latents - base).pow(2).mean().sqrt()))
    rising = departures[:5]
    assert rising[0] == 0.0 and all(a < b for a, b in zip(rising, rising[1:], strict=False))
    # from about half strength a random denoiser has replaced the audio: departure saturates
    assert min(departures[5:]) >= 0.98 * max(departures[:5])
    sigmas = []
    for strength in (0.1, 0.3, 0.6, 1.0):
        renderer.pipeline.scheduler.set_timesteps(20)
        sigmas.append(float(renderer.pipeline.scheduler.sigmas[20 - round(20 * strength)]))
    assert sigmas == sorted(sigmas)


@needs_soundfont
def test_prompt_and_timing_condition_the_result(tiny_folder, short_song):
    renderer = _renderer(tiny_folder, strength=0.3, steps=10, guidance_scale=3.0)
    audio = _window_audio(renderer, short_song)
    base = renderer.refine_latents(audio, ["pop song, verse"], [0.0], [8.0], [1])
    again = renderer.refine_latents(audio, ["pop song, verse"], [0.0], [8.0], [1])
    other_prompt = renderer.refine_latents(audio, ["pop song, bridge"], [0.0], [8.0], [1])
    other_start = renderer.refine_latents(audio, ["pop song, verse"], [4.0], [8.0], [1])
    other_total = renderer.refine_latents(audio, ["pop song, verse"], [0.0], [60.0], [1])
    assert torch.equal(base, again)
    for changed in (other_prompt, other_start, other_total):
        assert not torch.allclose(base, changed)


# -- whole songs ------------------------------------------------------------------------------
@needs_soundfont
def test_whole_song_length_seed_and_batching(tiny_folder, short_song):
    renderer = _renderer(tiny_folder, strength=0.4, steps=10)
    calls = []
    first = renderer.render_samples(short_song, seed=2, progress=lambda i, n: calls.append(n))
    init = renderer.init_audio(short_song)
    assert first.shape == init.shape  # the song and its ring-out, at the model's rate, stereo
    assert init.shape[0] == round((short_song.plan.duration_seconds + 2.0) * RATE)
    assert len(calls) == len(renderer.windows(short_song, len(init) / RATE)) >= 3
    again = renderer.render_samples(short_song, seed=2)
    other = renderer.render_samples(short_song, seed=3)
    assert np.array_equal(first, again) and not np.allclose(first, other)
    batched = _renderer(tiny_folder, strength=0.4, steps=10, batch_size=3)
    assert np.allclose(batched.render_samples(short_song, seed=2), first, atol=1e-4)


@needs_soundfont
def test_engine_by_name_writes_the_models_rate(tiny_folder, short_song, tmp_path, monkeypatch):
    monkeypatch.delenv("SONGFORM_STABLE_AUDIO_PATH", raising=False)
    with pytest.raises(RenderError, match="SONGFORM_STABLE_AUDIO_PATH"):
        get_renderer("stable-audio")
    with pytest.raises(RenderError, match="strength must lie in"):
        get_renderer("stable-audio", model=tiny_folder, strength=1.5)
    with pytest.raises(RenderError, match="only apply to the stable-audio engine"):
        get_renderer("fluidsynth", strength=0.5)
    monkeypatch.setenv("SONGFORM_STABLE_AUDIO_PATH", str(tiny_folder))
    renderer = get_renderer("stable-audio", steps=4, strength=0.5)
    assert renderer.config.batch_size == 1 and renderer.config.steps == 4
    import soundfile

    path = renderer.render(short_song, tmp_path / "song.wav", seed=0)
    info = soundfile.info(str(path))
    assert info.samplerate == RATE and info.channels == 2
    assert info.duration == pytest.approx(short_song.plan.duration_seconds + 2.0, abs=1e-3)


@needs_soundfont
def test_cli_generate_and_render_with_stable_audio(tiny_folder, tmp_path):
    from typer.testing import CliRunner

    from songform.cli.app import app

    runner = CliRunner()
    result = runner.invoke(app, ["generate", "verse:1 chorus:1", "--tempo", "120", "--out",
                                 str(tmp_path), "--engine", "stable-audio", "--model-path",
                                 str(tiny_folder), "--strength", "0.3", "--steps", "4"])
    assert result.exit_code == 0, result.output
    import soundfile

    assert soundfile.info(str(tmp_path / "song.wav")).samplerate == RATE
    result = runner.invoke(app, ["render", str(tmp_path / "song.mid"), "--engine",
                                 "stable-audio", "--model-path", str(tiny_folder), "--steps",
                                 "2", "--audio", str(tmp_path / "again.wav")])
    assert result.exit_code == 0, result.output
    assert soundfile.info(str(tmp_path / "again.wav")).samplerate == RATE
    result = runner.invoke(app, ["render", str(tmp_path / "song.mid"), "--strength", "0.5"])
    assert result.exit_code == 2 and "only apply to --engine stable-audio" in result.output
