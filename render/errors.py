"""The error type for rendering problems a user can fix (missing SoundFont, bad input file)."""

from __future__ import annotations

from songform.core.errors import SongformError


class RenderError(SongformError, RuntimeError):
    """A render that cannot proceed; the message is one line saying what to do."""

    exit_code = 1
