"""Whether a General MIDI SoundFont is installed, for tests that render audio."""

from __future__ import annotations

import pytest

from songform.render.errors import RenderError
from songform.render.soundfont import find_soundfont


def have_soundfont() -> bool:
    try:
        find_soundfont()
    except RenderError:
        return False
    return True


HAVE_SOUNDFONT = have_soundfont()
needs_soundfont = pytest.mark.skipif(not HAVE_SOUNDFONT, reason="no GM SoundFont installed")
