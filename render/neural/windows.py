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
