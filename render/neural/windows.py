"""Whole songs through models with a fixed window: plan overlapping windows that start at
section boundaries where they can, and join the rendered windows with equal-power crossfades.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Window:
    """One model call: the song's audio from ``start`` to ``end`` (seconds). The first
    ``overlap`` seconds repeat the previous window's end (the crossfade)."""

    start: float
    end: float
    overlap: float


def plan_windows(duration: float, window: float, overlap: float,
                 section_starts: list[float]) -> list[Window]:
    """Cover ``[0, duration]`` with windows of at most ``window`` seconds.

    Each window after the first starts ``overlap`` seconds before the previous window's end.
    A window ends at the last section start that leaves it at least half its length, so that
    joins fall at section boundaries where possible; otherwise it runs its full length.

    Raises:
        ValueError: ``overlap`` not shorter than half the window.
    """
    if not 0 <= overlap < window / 2:
        raise ValueError(f"overlap {overlap} s must be shorter than half the window {window} s")
    windows: list[Window] = []
    start, lead = 0.0, 0.0
    while True:
        limit = start + window
        if limit >= duration - 1e-9:
            windows.append(Window(start, duration, lead))
            return windows
        boundaries = [s for s in section_starts if start + window / 2 <= s <= limit - 1e-9]
        end = max(boundaries) if boundaries else limit
        windows.append(Window(start, end, lead))
        start, lead = end - overlap, overlap


def join_windows(parts: list[np.ndarray], windows: list[Window], sample_rate: int
                 ) -> np.ndarray:
    """Concatenate rendered windows (``[samples]`` or ``[samples, channels]``), crossfading
    each overlap with equal-power curves (sin/cos), to the song's exact length."""
    total = int(round(windows[-1].end * sample_rate))
    shape = (total,) + parts[0].shape[1:]
    out = np.zeros(shape, dtype=np.float32)
    for part, window in zip(parts, windows, strict=True):
        begin = int(round(window.start * sample_rate))
        length = min(len(part), total - begin)
        piece = part[:length].astype(np.float32).copy()
        fade = int(round(window.overlap * sample_rate))
        if fade:
            ramp = np.linspace(0.0, np.pi / 2, fade, endpoint=False)
            fade_in = np.sin(ramp).reshape((-1,) + (1,) * (piece.ndim - 1))
            fade_out = np.cos(ramp).reshape(fade_in.shape)
            piece[:fade] *= fade_in
            out[begin:begin + fade] *= fade_out
        out[begin:begin + length] += piece
    return out


def section_windows(bar_starts: list[float], section_starts: list[float], duration: float,
                    window: float, crossfade: float) -> list[Window]:
    """One window per section, or several split at bar lines when a section is longer than
    the model's ``window`` seconds. Joins fall exactly on bar lines: each window after the
    first starts ``crossfade`` seconds before its bar line, and the crossfade ends on it so
    that the downbeat belongs to the new window. The last window runs to ``duration``
    (which may include a ring-out after the last bar).

    Raises:
        ValueError: a single bar (plus the crossfade) is longer than the window.
    """
    if not 0 <= crossfade < window / 2:
        raise ValueError(f"crossfade {crossfade} s must be shorter than half the window "
                         f"{window} s")
    joins = sorted(set(section_starts) - {0.0})
    windows: list[Window] = []
    begin = 0.0
    for end in [*joins, duration]:
        while True:
            lead = crossfade if windows else 0.0
            if end - begin + lead <= window + 1e-9:
                windows.append(Window(begin - lead, end, lead))
                break
            fitting = [b for b in bar_starts if begin < b <= begin - lead + window + 1e-9]
            if not fitting:
                raise ValueError(f"the bar at {begin:.2f} s does not fit a {window:.2f} s "
                                 "window")
            split = max(fitting)
            windows.append(Window(begin - lead, split, lead))
            begin = split
        begin = end
    return windows
