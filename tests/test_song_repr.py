"""A song in Jupyter: a one-line repr, and HTML with its piano roll and an audio player."""

from __future__ import annotations

import base64
import io
import re

import soundfile

import songform

from .render.soundfont_check import have_soundfont


def test_repr_is_one_line_and_the_html_holds_the_roll_and_the_audio():
    song = songform.compose("verse:2 chorus:2", seed=1, notes="arranger")
    text = repr(song)
    assert "\n" not in text and text.startswith("Song(") and "4 bars" in text
    page = song._repr_html_()
    image = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(image)[:8] == b"\x89PNG\r\n\x1a\n"
    if have_soundfont():
        sound = re.search(r'src="data:audio/ogg;base64,([^"]+)"', page).group(1)
        samples, rate = soundfile.read(io.BytesIO(base64.b64decode(sound)))
        assert rate == 22050
        assert len(samples) / rate >= song.plan.duration_seconds
    else:
        assert "no audio" in page
