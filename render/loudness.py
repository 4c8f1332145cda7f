"""Loudness of the FluidSynth mix per section, against the plan's energy: the rules a song
keeps when its energy is heard (Spearman rho >= 0.5 between energy and RMS; the loudest-planned
sections at least 2 dB above the quietest-planned when two or more levels apart)."""

from __future__ import annotations

import numpy as np

from songform.symbolic.song import PlannedScore

from .audio import AudioConfig, synthesize
from .midi import midi_file


def section_loudness(song: PlannedScore, config: AudioConfig) -> list[float]:
    """RMS of the rendered mix in each section, dBFS."""
    samples = synthesize(midi_file(song), None, config)
    mono = samples.mean(axis=1)
    bounds = song.plan.section_seconds()
    out = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        piece = mono[int(start * config.sample_rate):int(end * config.sample_rate)]
        out.append(float(20 * np.log10(np.sqrt(np.mean(piece ** 2)) + 1e-12)))
    return out


def average_ranks(values) -> np.ndarray:
    """Ranks from 0, ties sharing the mean of the ranks they span (as Spearman's rho asks)."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values), dtype=float)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def spearman(a, b) -> float:
    """Spearman's rank correlation of two equal-length sequences, ties given their average
    rank (NaN if either is flat)."""
    ranks = [average_ranks(x) for x in (a, b)]
    if ranks[0].std() == 0 or ranks[1].std() == 0:
        return float("nan")
    return float(np.corrcoef(*ranks)[0, 1])


def loudness_rules(song: PlannedScore, config: AudioConfig | None = None) -> dict:
    config = config or AudioConfig(sample_rate=22050)
    energies = [s.energy for s in song.plan.sections]
    loudness = section_loudness(song, config)
    high, low = max(energies), min(energies)
    gap = (np.mean([v for v, e in zip(loudness, energies, strict=True) if e == high])
           - np.mean([v for v, e in zip(loudness, energies, strict=True) if e == low]))
    return {"rho": spearman(energies, loudness), "energy_span": high - low,
            "loudest_minus_quietest_db": float(gap)}
