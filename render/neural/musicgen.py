"""MusicGen-melody (transformers) performs the song: melody conditioning from the notes'
chroma, a prompt per section from the plan, and songs longer than the model's window as
overlapping windows, each continuing from the previous one's audio tokens, joined with
equal-power crossfades at section boundaries where possible."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from songform.symbolic.song import PlannedScore

from .base import Progress, SampleRenderer, loading, neural_class
from .chroma import ChromaConfig, note_chroma, notes_in_seconds
from .prompts import section_prompt
from .windows import Window, join_windows, plan_windows

CONDITIONING_ROLES = ("melody", "harmony")


class MusicGenMelodyRenderer(SampleRenderer):
    """Renders a song with a MusicGen-melody model loaded from a local folder."""

    def __init__(self, model, processor, overlap_seconds: float = 2.0,
                 window_seconds: float | None = None) -> None:
        self.model = model.eval()
        self.processor = processor
        self.overlap = overlap_seconds
        extractor = processor.feature_extractor
        self.chroma_config = ChromaConfig(extractor.sampling_rate, extractor.hop_length,
                                          extractor.n_fft)
        self.chroma_length = int(model.config.chroma_length)
        self.sample_rate = int(model.config.audio_encoder.sampling_rate)
        self.frame_rate = float(model.config.audio_encoder.frame_rate)
        self.window = window_seconds or (self.chroma_length - 1) * extractor.hop_length \
            / extractor.sampling_rate

    @classmethod
    def from_pretrained(cls, path: str | Path, device: str = "cpu", **kwargs
                        ) -> MusicGenMelodyRenderer:
        """Load model and processor from a local folder only (nothing downloads)."""
        model_class = neural_class("MusicGen", "transformers",
                                   "MusicgenMelodyForConditionalGeneration")
        processor_class = neural_class("MusicGen", "transformers", "MusicgenMelodyProcessor")
        with loading("MusicGen-melody", path):
            model = model_class.from_pretrained(str(path), local_files_only=True)
            processor = processor_class.from_pretrained(str(path), local_files_only=True)
        model = model.to(device)
        if str(device).startswith("cuda"):
            model = model.half()
        return cls(model, processor, **kwargs)

    # -- conditioning -----------------------------------------------------------------------
    def window_chroma(self, song: PlannedScore, window: Window) -> torch.Tensor:
        """One-hot chroma ``[1, chroma_length, 12]`` of the melody and harmony in the window."""
        names = [t.name for t in song.plan.tracks if t.role in CONDITIONING_ROLES]
        notes = [(s - window.start, e - window.start, p, v)
                 for s, e, p, v in notes_in_seconds(song.score, names)
                 if e > window.start and s < window.end]
        chroma = note_chroma(notes, window.end - window.start, self.chroma_config)
        padded = np.zeros((self.chroma_length, 12), dtype=np.float32)
        padded[:, 0] = 1.0  # silence, as the extractor sees it
        count = min(len(chroma), self.chroma_length)
        padded[:count] = chroma[:count]
        return torch.from_numpy(padded)[None]

    def window_prompt(self, song: PlannedScore, window: Window) -> str:
        bounds = song.plan.section_seconds()
        for section, start, end in zip(song.plan.sections, bounds, bounds[1:], strict=False):
            if start <= window.start + window.overlap < end:
                return section_prompt(song.plan, section)
        return section_prompt(song.plan, song.plan.sections[-1])

    # -- rendering --------------------------------------------------------------------------
    @torch.no_grad()
    def render_samples(self, song: PlannedScore, seed: int = 0, progress: Progress | None = None
                       ) -> np.ndarray:
        """The whole song at the model's sample rate, ``[samples]``."""
        duration = song.plan.duration_seconds
        starts = song.plan.section_seconds()[:-1]
        windows = plan_windows(duration, self.window, self.overlap, starts)
        device = next(self.model.parameters()).device
        codebooks = self.model.decoder.num_codebooks
        parts: list[np.ndarray] = []
        previous: np.ndarray | None = None
        for index, window in enumerate(windows):
            inputs = self.processor(text=[self.window_prompt(song, window)], padding=True,
                                    return_tensors="pt")
            kwargs = {"input_ids": inputs["input_ids"].to(device),
                      "attention_mask": inputs["attention_mask"].to(device),
                      "input_features": self.window_chroma(song, window).to(device)
                      .to(next(self.model.parameters()).dtype)}
            length = window.end - window.start
            new_seconds = length - (window.overlap if previous is not None else 0.0)
            if previous is not None and window.overlap > 0:
                tail = previous[-int(round(window.overlap * self.sample_rate)):]
                audio = torch.from_numpy(tail.astype(np.float32))[None, None].to(device)
                codes = self.model.audio_encoder.encode(
                    audio.to(next(self.model.parameters()).dtype)).audio_codes
                kwargs["decoder_input_ids"] = codes[0].reshape(-1, codes.shape[-1])
            torch.manual_seed(seed * 1000 + index)
            tokens = int(math.ceil(new_seconds * self.frame_rate)) + codebooks
            audio = self.model.generate(**kwargs, max_new_tokens=tokens, do_sample=True)
            samples = audio[0, 0].float().cpu().numpy()
            wanted = int(round(length * self.sample_rate))
            samples = np.pad(samples[:wanted], (0, max(0, wanted - len(samples))))
            parts.append(samples)
            previous = samples
            if progress:
                progress(index + 1, len(windows))
        return join_windows(parts, windows, self.sample_rate)

