"""Melody conditioning for MusicGen-melody computed exactly from the notes.

MusicGen-melody's feature extractor (transformers) takes 32 kHz audio, a power STFT of 16,384
samples every 4,096 (centred), folds it onto 12 pitch classes starting at C, normalises each
frame by its maximum and keeps only the argmax as a one-hot vector; silence gives C. We compute
the same frames from the notes: each frame's pitch-class energy is the sum over sounding notes
of velocity² times the note's overlap with the frame's Hann window, so the argmax is the pitch
class that dominates the window, as in the audio. A synthesiser sounds a note slightly after
its onset and lets it ring after its release; ``ATTACK_LAG`` and ``RELEASE_TAIL`` model that
(chosen on FluidSynth renders of random lines with flute, piano and violin: frame agreement
with the extractor 93% during the music, the rest one frame off at note changes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from symusic import Score

ATTACK_LAG = 0.03  # seconds
RELEASE_TAIL = 0.1  # seconds


@dataclass(frozen=True)
class ChromaConfig:
    """The feature extractor's framing (transformers' MusicgenMelodyFeatureExtractor)."""

    sample_rate: int = 32000
    hop_length: int = 4096
    n_fft: int = 16384

    def frames(self, seconds: float) -> int:
        """Frames the extractor produces for ``seconds`` of audio (centred STFT)."""
        samples = max(int(round(seconds * self.sample_rate)), self.n_fft)
        return 1 + samples // self.hop_length


def notes_in_seconds(score: Score, tracks: Iterable[str] | None = None
                     ) -> list[tuple[float, float, int, int]]:
    """(start s, end s, pitch, velocity) of the pitched notes of the named tracks (all when
    None; drums never)."""
    timed = score.to("second")
    wanted = set(tracks) if tracks is not None else None
    out = []
    for track in timed.tracks:
        if track.is_drum or (wanted is not None and track.name not in wanted):
            continue
        out += [(float(n.time), float(n.time + n.duration), int(n.pitch), int(n.velocity))
                for n in track.notes]
    return out


def note_chroma(notes: list[tuple[float, float, int, int]], seconds: float,
                config: ChromaConfig | None = None, one_hot: bool = True) -> np.ndarray:
    """Chroma frames ``[T, 12]`` (C first) of ``notes`` over ``seconds`` of audio."""
    config = config or ChromaConfig()
    frames = config.frames(seconds)
    half = config.n_fft / 2 / config.sample_rate
    centres = np.arange(frames) * config.hop_length / config.sample_rate
    energy = np.zeros((frames, 12))
    grid = np.linspace(-half, half, 33)
    window = np.hanning(len(grid))
    for start, end, pitch, velocity in notes:
        start, end = start + ATTACK_LAG, end + ATTACK_LAG + RELEASE_TAIL
        first = max(0, int(np.floor((start - half) * config.sample_rate / config.hop_length)))
        last = min(frames - 1, int(np.ceil((end + half) * config.sample_rate /
                                           config.hop_length)))
        for frame in range(first, last + 1):
            times = centres[frame] + grid
            weight = float(window[(times >= start) & (times < end)].sum())
            if weight > 0:
                energy[frame, pitch % 12] += velocity ** 2 * weight
    if not one_hot:
        peak = energy.max(axis=1, keepdims=True)
        return np.divide(energy, peak, out=np.zeros_like(energy), where=peak > 0)
    out = np.zeros_like(energy)
    out[np.arange(frames), energy.argmax(axis=1)] = 1.0  # silence: argmax 0 = C, as in audio
    return out
