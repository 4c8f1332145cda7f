"""The error type of the corpus readers."""

from __future__ import annotations

from songform.core.errors import SongformError


class CorpusError(SongformError, ValueError):
    """A song that cannot be read (the reader skips and reports it)."""
