"""Several song corpora in one training run: the ``--corpus`` list (``pop909:2,jsb,folk``),
the idiom each corpus's songs are written in, and where each lies by default."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path

from songform.core.errors import InputError

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SONG_CORPORA = {"pop909": "pop", "jsb": "chorale", "folk": "folk", "midi": "pop"}
"""Song corpora by name, each with the idiom its songs are written in: POP909's songs, the
JSB chorales as four-part songs, fiddle tunes (Ryan's Mammoth Collection), a MIDI folder."""


@dataclass(frozen=True)
class CorpusShare:
    """One corpus of a training mix and its weight (shares of windows are in proportion)."""

    name: str
    weight: float = 1.0

    @property
    def idiom(self) -> str:
        return SONG_CORPORA[self.name]


def default_corpus_path(name: str) -> Path | None:
    """Where the corpus ``name`` lies when no path is given (``None``: it must be given)."""
    if name == "pop909":
        return SHARED_DATA / "pop909"
    if name == "jsb":
        return SHARED_DATA / "jsb-chorales" / "Jsb16thSeparated.json"
    if name == "folk":
        from .folk import folk_folder

        return folk_folder()
    return None


def parse_corpus_list(text: str) -> tuple[CorpusShare, ...]:
    """``"pop909:2,jsb,folk"`` -> its shares (weight 1 where none is given).

    Raises:
        InputError: an unknown or repeated name, or a weight that is not a positive number.
    """
    shares: list[CorpusShare] = []
    for item in (text or "").split(","):
        name, _, weight_text = item.strip().partition(":")
        name = name.strip().lower()
        if name not in SONG_CORPORA:
            close = difflib.get_close_matches(name, list(SONG_CORPORA), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise InputError(f'--corpus: unknown corpus "{item.strip()}"{hint}: expected a '
                             f'comma list of {", ".join(SONG_CORPORA)}, each with an optional '
                             f':weight')
        try:
            weight = float(weight_text) if weight_text.strip() else 1.0
        except ValueError:
            weight = math.nan
        if not 0 < weight < math.inf:
            raise InputError(f'--corpus: the weight of {name} must be a positive number, got '
                             f'"{weight_text.strip()}"')
        if any(share.name == name for share in shares):
            raise InputError(f"--corpus: {name} is named twice")
        shares.append(CorpusShare(name, weight))
    return tuple(shares)
