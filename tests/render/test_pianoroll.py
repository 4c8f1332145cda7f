"""The piano-roll PNG: track colours present, widening with the song's length."""

from __future__ import annotations

import numpy as np
from matplotlib import colors
from matplotlib import image as mpimg

from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Template
from songform.render.pianoroll import TRACK_COLOURS, draw_pianoroll
from songform.symbolic.arranger import arrange


def _has_colour(pixels: np.ndarray, hex_colour: str) -> bool:
    target = np.array(colors.to_rgb(hex_colour))
    return bool((np.abs(pixels[..., :3] - target).max(axis=-1) < 0.02).sum() > 20)


def test_pianoroll_draws_every_track_and_scales(changing_song, tmp_path):
    short = mpimg.imread(draw_pianoroll(changing_song, tmp_path / "short.png"))
    pitched = [t for t in changing_song.score.tracks if not t.is_drum]
    for colour in TRACK_COLOURS[:len(pitched)]:
        assert _has_colour(short, colour), colour
    long_song = arrange(plan_song(Template(style="pop", bars=120), seed=2))
    long = mpimg.imread(draw_pianoroll(long_song, tmp_path / "long.png"))
    assert long.shape[1] > 2 * short.shape[1]  # a quarter inch a bar for long songs
    assert long.shape[0] == short.shape[0]
