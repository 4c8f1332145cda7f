"""The token schemes a checkpoint's card names (``tokenizer.json``), in one light module that
both the tokenizer and the card reader import."""

from __future__ import annotations

SONG_SCHEME = "REMI+programs+plan"
"""Songs: REMI with programs and songform's plan tokens (``symbolic.tokenizer``)."""
