"""Stable Audio (diffusers) refines the FluidSynth render section by section.

Each window (a section, or a bar-aligned part of a long one) is encoded by the autoencoder,
noised to an intermediate noise level chosen by ``strength`` and denoised from there under the
section's prompt and timing conditioning (SDEdit). The pipeline's own ``initial_audio_waveforms``
argument adds the encoded audio to full-strength noise and so keeps almost nothing of it; this
module runs the denoising loop itself from the chosen step. Windows are joined with
equal-power crossfades that end on bar lines.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from songform.symbolic.song import PlannedScore

from ..audio import AudioConfig, synthesize
from ..midi import midi_file
from .base import Progress, SampleRenderer, loading, neural_class
from .prompts import section_prompt
from .windows import Window, join_windows, section_windows


@dataclass(frozen=True)
class StableAudioConfig:
    """Settings of the Stable Audio renderer.

    Args:
        strength: how far from the FluidSynth render to go, 0 (the autoencoder's round trip
            of it) to 1 (start from pure noise: text-to-audio under timing conditioning).
        steps: denoising steps of a full-strength run; a run at ``strength`` takes
            ``round(steps * strength)`` of them.
        guidance_scale: classifier-free guidance (off at 1 or below).
        crossfade_seconds: length of the equal-power crossfade ending on each join's bar line.
        batch_size: windows denoised together.
        window_seconds: longest window; defaults to the model's (47.55 s for Stable Audio Open).
        negative_prompt: what the audio should not sound like (``None``: the pipeline's
            zero embedding).
    """

    strength: float = 0.5
    steps: int = 100
    guidance_scale: float = 7.0
    crossfade_seconds: float = 0.5
    batch_size: int = 1
    window_seconds: float | None = None
    negative_prompt: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.strength <= 1.0:
            raise ValueError(f"strength must lie in [0, 1], got {self.strength}")
        if self.steps < 1 or self.batch_size < 1:
            raise ValueError("steps and batch_size must be at least 1")


class StableAudioRenderer(SampleRenderer):
    """Renders a song with a Stable Audio pipeline loaded from a local folder."""

    def __init__(self, pipeline, config: StableAudioConfig | None = None,
                 soundfont: str | Path | None = None) -> None:
        self.pipeline = pipeline
        self.config = config or StableAudioConfig()
        self.soundfont = soundfont
        vae = pipeline.vae
        self.sample_rate = int(vae.config.sampling_rate)
        self.channels = int(vae.config.audio_channels)
        self.latent_length = int(pipeline.transformer.config.sample_size)
        self.model_window = self.latent_length * vae.hop_length / self.sample_rate
        self.window = min(self.config.window_seconds or self.model_window, self.model_window)

    @classmethod
    def from_pretrained(cls, path: str | Path, device: str = "cpu",
                        config: StableAudioConfig | None = None,
                        soundfont: str | Path | None = None) -> StableAudioRenderer:
        """Load the pipeline from a local folder only (nothing downloads); half precision on
        CUDA."""
        pipeline_class = neural_class("Stable Audio", "diffusers", "StableAudioPipeline")
        with loading("Stable Audio", path):
            pipeline = pipeline_class.from_pretrained(str(path), local_files_only=True)
            pipeline.set_progress_bar_config(disable=True)
            if str(device).startswith("cuda"):
                pipeline = pipeline.to(device, torch.float16)
            else:
                pipeline = pipeline.to(device)
        return cls(pipeline, config, soundfont)

    # -- inputs -----------------------------------------------------------------------------
    def init_audio(self, song: PlannedScore) -> np.ndarray:
        """The FluidSynth render at the model's rate and channel count, ``[samples, channels]``."""
        samples = synthesize(midi_file(song), self.soundfont,
                             AudioConfig(sample_rate=self.sample_rate))
        if self.channels == 1:
            return samples.mean(axis=1, keepdims=True)
        return samples[:, : self.channels]

    def windows(self, song: PlannedScore, duration: float) -> list[Window]:
        bars, sections = song.plan.bar_seconds(), song.plan.section_seconds()[:-1]
        return section_windows(bars, sections, duration, self.window,
                               self.config.crossfade_seconds)

    def window_prompt(self, song: PlannedScore, window: Window) -> str:
        sections = song.plan.section_seconds()[:-1]
        anchor = window.start + window.overlap  # the window's own first bar line
        index = max(i for i, start in enumerate(sections) if start <= anchor + 1e-9)
        return section_prompt(song.plan, song.plan.sections[index])

    # -- the SDEdit loop ----------------------------------------------------------------------
    @torch.no_grad()
    def encode(self, audio: torch.Tensor) -> torch.Tensor:
        """Latents (the posterior's mean) of ``[batch, channels, samples]`` audio padded to the
        model's window."""
        padded = audio.new_zeros(audio.shape[0], self.channels,
                                 self.latent_length * self.pipeline.vae.hop_length)
        length = min(audio.shape[-1], padded.shape[-1])
        padded[..., :length] = audio[..., :length]
        return self.pipeline.vae.encode(padded).latent_dist.mode()

    @torch.no_grad()
    def refine(self, audio: torch.Tensor, prompts: list[str], seconds_start: list[float],
               seconds_total: list[float], seeds: list[int]) -> torch.Tensor:
        """Denoise a batch of windows from ``strength``; returns ``[batch, channels, samples]``
        audio of the model's full window."""
        latents = self.refine_latents(audio, prompts, seconds_start, seconds_total, seeds)
        return self.pipeline.vae.decode(latents).sample

    @torch.no_grad()
    def refine_latents(self, audio: torch.Tensor, prompts: list[str],
                       seconds_start: list[float], seconds_total: list[float],
                       seeds: list[int]) -> torch.Tensor:
        """The latents of :meth:`refine`, before decoding."""
        pipe, config = self.pipeline, self.config
        device, dtype = pipe.vae.device, pipe.vae.dtype
        latents = self.encode(audio.to(device, dtype))
        scheduler = pipe.scheduler
        scheduler.set_timesteps(config.steps, device=device)
        run = int(round(config.steps * config.strength))
        if run > 0:
            first = config.steps - run
            generators = [torch.Generator(device="cpu").manual_seed(s) for s in seeds]
            noise = torch.stack([torch.randn(latents.shape[1:], generator=g)
                                 for g in generators]).to(device, dtype)
            latents = latents + noise * scheduler.sigmas[first].to(device, dtype)
            scheduler.set_begin_index(first)
            text, global_states = self._conditioning(prompts, seconds_start, seconds_total)
            rotary = self._rotary(latents.shape[2] + global_states.shape[1])
            guided = config.guidance_scale > 1.0
            with warnings.catch_warnings():  # torchsde notes float edges of its interval
                warnings.filterwarnings("ignore", module="torchsde")
                for timestep in scheduler.timesteps[first:]:
                    model_input = torch.cat([latents] * 2) if guided else latents
                    model_input = scheduler.scale_model_input(model_input, timestep)
                    prediction = pipe.transformer(model_input, timestep.unsqueeze(0),
                                                  encoder_hidden_states=text,
                                                  global_hidden_states=global_states,
                                                  rotary_embedding=rotary, return_dict=False)[0]
                    if guided:
                        unconditioned, conditioned = prediction.chunk(2)
                        prediction = unconditioned + config.guidance_scale * (
                            conditioned - unconditioned)
                    latents = scheduler.step(prediction, timestep, latents,
                                             generator=generators).prev_sample
        return latents

    def _conditioning(self, prompts: list[str], seconds_start: list[float],
                      seconds_total: list[float]) -> tuple[torch.Tensor, torch.Tensor]:
        """Cross-attention states (text, start, total) and global states (start, total), with
        the unconditioned half first when guidance is on, as the pipeline builds them."""
        pipe, config = self.pipeline, self.config
        device = pipe.vae.device
        guided = config.guidance_scale > 1.0
        negative = config.negative_prompt
        with_negative = guided and negative is not None
        text = pipe.encode_prompt(prompts, device, with_negative,
                                  negative_prompt=[negative] * len(prompts) if with_negative
                                  else None)
        limits = pipe.projection_model.config
        clamp = [float(np.clip(s, limits.min_value, limits.max_value)) for s in seconds_start]
        total = [float(np.clip(s, limits.min_value, limits.max_value)) for s in seconds_total]
        start_states, end_states = pipe.encode_duration(clamp, total, device, with_negative,
                                                        len(prompts))
        cross = torch.cat([text, start_states, end_states], dim=1)
        global_states = torch.cat([start_states, end_states], dim=2)
        if guided and not with_negative:
            cross = torch.cat([torch.zeros_like(cross), cross])
            global_states = torch.cat([global_states, global_states])
        return cross, global_states

    def _rotary(self, length: int):
        from diffusers.models.embeddings import get_1d_rotary_pos_embed

        cos, sin = get_1d_rotary_pos_embed(self.pipeline.rotary_embed_dim, length, use_real=True,
                                           repeat_interleave_real=False)
        device = self.pipeline.vae.device
        return cos.to(device), sin.to(device)

    # -- whole songs ------------------------------------------------------------------------
    def render_samples(self, song: PlannedScore, seed: int = 0, progress: Progress | None = None
                       ) -> np.ndarray:
        """The whole song (with the FluidSynth render's ring-out) at the model's rate,
        ``[samples, channels]``."""
        init = self.init_audio(song)
        duration = len(init) / self.sample_rate
        windows = self.windows(song, duration)
        parts: list[np.ndarray] = []
        batch = self.config.batch_size
        for first in range(0, len(windows), batch):
            chunk = windows[first:first + batch]
            spans = [(int(round(w.start * self.sample_rate)), int(round(w.end * self.sample_rate)))
                     for w in chunk]
            longest = max(end - begin for begin, end in spans)
            audio = torch.zeros(len(chunk), self.channels, longest)
            for row, (begin, end) in enumerate(spans):
                audio[row, :, : end - begin] = torch.from_numpy(init[begin:end].T.copy())
            refined = self.refine(audio, [self.window_prompt(song, w) for w in chunk],
                                  [w.start for w in chunk], [duration] * len(chunk),
                                  [seed * 1000 + first + row for row in range(len(chunk))])
            refined = refined.float().cpu().numpy()
            for row, (begin, end) in enumerate(spans):
                parts.append(refined[row, :, : end - begin].T)
            if progress:
                progress(min(first + batch, len(windows)), len(windows))
        return join_windows(parts, windows, self.sample_rate)

