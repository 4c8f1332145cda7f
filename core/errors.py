"""The base of every error songform raises on purpose: the CLI catches this one type at the
front door and prints its one-line message."""

from __future__ import annotations


class SongformError(Exception):
    """An error songform means to report in one line (bad input, a missing resource)."""
