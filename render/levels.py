"""What a rendered song measures at the ear: integrated loudness, true peak and loudness range
(the broadcast measures, by ``render.master``), and how it folds down to mono (a phone, a club
speaker): the left/right correlation and the loudness lost when both channels are summed."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .desk import correlation
from .master import loudness, loudness_range, true_peak


@dataclass(frozen=True)
class AudioLevels:
    """Args:
        loudness_lufs: integrated loudness (ITU-R BS.1770).
        true_peak_dbtp: the highest 4x-oversampled sample.
        loudness_range_lu: EBU Tech 3342 loudness range.
        correlation: left/right correlation (1 mono, 0 unrelated, -1 opposed).
        mono_folddown_db: the loudness of (L + R) / 2 on both channels against the stereo
            loudness (0 for a centred mono signal, -3 for unrelated channels, far below for
            channels that cancel).
    """

    loudness_lufs: float
    true_peak_dbtp: float
    loudness_range_lu: float
    correlation: float
    mono_folddown_db: float


def mono_folddown(samples: np.ndarray, sample_rate: int, stereo: float | None = None
                  ) -> float:
    """The loudness change, in dB, when ``samples`` are played summed to mono (``stereo``:
    their loudness, when it is already measured)."""
    mono = samples.mean(axis=1, keepdims=True)
    stereo = loudness(samples, sample_rate) if stereo is None else stereo
    folded = loudness(np.repeat(mono, samples.shape[1], axis=1), sample_rate)
    if not math.isfinite(stereo):
        return 0.0
    return folded - stereo


def audio_levels(samples: np.ndarray, sample_rate: int) -> AudioLevels:
    """Every level of ``samples`` (``[frames, channels]``; mono counts as centred)."""
    stereo = samples if samples.shape[1] == 2 else np.repeat(samples[:, :1], 2, axis=1)
    stereo = stereo.astype(np.float32)
    level = loudness(stereo, sample_rate)
    return AudioLevels(level, true_peak(stereo), loudness_range(stereo, sample_rate),
                       correlation(stereo), mono_folddown(stereo, sample_rate, level))
