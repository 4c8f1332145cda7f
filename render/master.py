"""The master by the broadcast standard: integrated loudness (ITU-R BS.1770, by pyloudnorm)
brought to a target, -14 LUFS as streaming services play, through pedalboard's limiter, with
the true peak (4x oversampled) at or below -1 dBTP so the file survives lossy encoding; and
the loudness range (EBU Tech 3342) of what comes out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from songform.core.errors import InputError

BLOCK_SECONDS = 0.4  # BS.1770's gating block: shorter audio is measured padded to it
TRUE_PEAK_MARGIN_DB = 0.5  # the limiter's ceiling sits this far under the true-peak ceiling
LIMITER_MAKEUP_DB = 3.75   # what pedalboard's limiter at 0 dB adds to a signal well under it


@dataclass(frozen=True)
class MasterConfig:
    """Master settings.

    Args:
        loudness_lufs: integrated loudness aimed at (LUFS).
        true_peak_dbtp: the highest true peak allowed (dBTP, 4x oversampled).
        tolerance_lu: how close to the target the loudness must come.
    """

    loudness_lufs: float = -14.0
    true_peak_dbtp: float = -1.0
    tolerance_lu: float = 0.3

    def __post_init__(self) -> None:
        if not (math.isfinite(self.loudness_lufs) and -70.0 <= self.loudness_lufs <= 0.0):
            raise InputError(f"loudness: expected -70 to 0 LUFS, got {self.loudness_lufs}")
        if not (math.isfinite(self.true_peak_dbtp) and -20.0 <= self.true_peak_dbtp <= 0.0):
            raise InputError(f"true peak: expected -20 to 0 dBTP, got {self.true_peak_dbtp}")


@dataclass(frozen=True)
class Mastered:
    """The master, the gain put on the mix before the limiter (the stems take the same),
    and what the master measures."""

    samples: np.ndarray
    gain: float
    loudness_lufs: float
    true_peak_dbtp: float


def loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness in LUFS (-inf for silence)."""
    import pyloudnorm

    if samples.shape[0] < BLOCK_SECONDS * sample_rate:
        pad = int(BLOCK_SECONDS * sample_rate) - samples.shape[0] + 1
        samples = np.concatenate([samples, np.zeros((pad, samples.shape[1]), samples.dtype)])
    if not np.any(samples):
        return -math.inf
    return float(pyloudnorm.Meter(sample_rate).integrated_loudness(samples.astype(np.float64)))


def true_peak(samples: np.ndarray) -> float:
    """True peak in dBTP: the highest sample after 4x oversampling (BS.1770 Annex 2).

    Only the stretches whose sample peak comes within 6 dB of the loudest sample are
    oversampled (an intersample peak of a band-limited signal stays well inside that)."""
    from scipy.signal import resample_poly

    if not np.any(samples):
        return -math.inf
    block = 4096
    frames = samples.shape[0]
    peaks = np.abs(samples[: frames - frames % block]).reshape(-1, block * samples.shape[1])
    block_peaks = list(peaks.max(axis=1)) + [float(np.abs(samples[frames - frames % block:])
                                                   .max(initial=0.0))]
    loudest = max(block_peaks)
    peak = loudest
    for index, value in enumerate(block_peaks):
        if value < loudest / 2:
            continue
        start, stop = max(0, index * block - 64), min(frames, (index + 1) * block + 64)
        piece = resample_poly(samples[start:stop].astype(np.float64), 4, 1, axis=0)
        peak = max(peak, float(np.max(np.abs(piece))))
    return 20 * math.log10(peak)


def loudness_range(samples: np.ndarray, sample_rate: int) -> float:
    """Loudness range in LU (EBU Tech 3342, by pyloudnorm): the spread of the short-term
    loudness from its 10th to its 95th percentile after gating; 0 for silence or audio under
    3 s."""
    import pyloudnorm

    if samples.shape[0] < 3 * sample_rate or not np.any(samples):
        return 0.0
    value = pyloudnorm.Meter(sample_rate).loudness_range(samples.astype(np.float64))
    return 0.0 if not math.isfinite(value) else float(value)


def master(mix: np.ndarray, sample_rate: int, config: MasterConfig | None = None
           ) -> Mastered:
    """``mix`` brought to the target loudness with its true peak under the ceiling: a gain,
    then pedalboard's limiter (which holds the samples under full scale), then the ceiling
    with a margin for peaks between samples; the gain is corrected by what the limiter took
    until the loudness lands within the tolerance, and the ceiling lowered if the true peak
    still passes it."""
    config = config or MasterConfig()
    measured = loudness(mix, sample_rate)
    if not math.isfinite(measured):
        return Mastered(mix.astype(np.float32), 1.0, measured, true_peak(mix))
    ceiling = 10 ** ((config.true_peak_dbtp - TRUE_PEAK_MARGIN_DB) / 20)
    # a first guess that allows for the limiter's own make-up gain and for the ceiling
    gain = 10 ** ((config.loudness_lufs - measured - LIMITER_MAKEUP_DB
                   - 20 * math.log10(ceiling)) / 20)
    limited = _limited(mix * gain, sample_rate)
    level = loudness(limited, sample_rate) + 20 * math.log10(ceiling)
    slope, previous = 0.8, None  # LU of output per dB of gain: under 1 where the limiter works
    for _ in range(4):
        if abs(level - config.loudness_lufs) <= config.tolerance_lu:
            break
        if previous is not None and abs(20 * math.log10(gain / previous[0])) > 1e-6:
            slope = (level - previous[1]) / (20 * math.log10(gain / previous[0]))
            slope = min(1.0, max(0.2, slope))
        previous = (gain, level)
        gain *= 10 ** ((config.loudness_lufs - level) / slope / 20)
        limited = _limited(mix * gain, sample_rate)
        level = loudness(limited, sample_rate) + 20 * math.log10(ceiling)
    out = limited * ceiling
    peak = true_peak(out)
    if peak > config.true_peak_dbtp:  # rare: an intersample peak past the margin
        trim = 10 ** ((config.true_peak_dbtp - peak - 0.02) / 20)
        out, level, peak = out * trim, level + 20 * math.log10(trim), true_peak(out * trim)
    return Mastered(out.astype(np.float32), float(gain), level, peak)


def _limited(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """pedalboard's limiter at full scale (it holds every sample at or under 0 dBFS)."""
    from pedalboard import Limiter

    limiter = Limiter(threshold_db=0.0, release_ms=120.0)
    return limiter(np.ascontiguousarray(samples.T, dtype=np.float32), sample_rate,
                   reset=True).T
