"""Fiddle tunes as songs: Ryan's Mammoth Collection (about 1,000 reels, jigs, hornpipes and
strathspeys in ABC, bundled with music21), each tune with its repeats played out (AABB), reels
and hornpipes written in 2/4 or 2/2 barred in 4/4, a plan analysed from the melody's own
repeats, its sections ``strain`` and its style ``folk``."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

from symusic import TimeSignature

from songform.symbolic.song import PlannedScore

from .analysis import derive_plan
from .errors import CorpusError
from .idiom_plans import idiom_plan
from .music21_corpus import FOLK_TRACKS, parts_score

FOLK_COLLECTION = "ryansMammoth"
REBARRED = {(2, 4): (4, 4), (2, 2): (4, 4)}  # reels and hornpipes: four beats a bar


def folk_folder() -> Path:
    """Ryan's Mammoth Collection in the installed music21's corpus (found without importing
    music21)."""
    spec = importlib.util.find_spec("music21")
    if spec is None or not spec.submodule_search_locations:
        raise CorpusError("music21 is not installed: its corpus holds the folk tunes")
    return Path(next(iter(spec.submodule_search_locations))) / "corpus" / FOLK_COLLECTION


def tune_files(folder: str | Path) -> list[Path]:
    """The ABC files of a folder, in name order."""
    return sorted(Path(folder).glob("*.abc"))


def read_tune(path: str | Path) -> PlannedScore:
    """One ABC tune, repeats played out, as a planned melody.

    Raises:
        CorpusError: music21 cannot read it, its repeats do not expand, or it has no notes.
    """
    from music21 import converter

    path = Path(path)
    try:
        parsed = converter.parse(path)
        tune = parsed.expandRepeats()
    except Exception as error:  # music21 raises many kinds on odd ABC
        raise CorpusError(f"{path.name}: {type(error).__name__}: {error}") from None
    signature = tune.recurse().getElementsByClass("TimeSignature").first()
    meter = (signature.numerator, signature.denominator) if signature else (4, 4)
    numerator, denominator = REBARRED.get(meter, meter)
    melody = tune.parts[0] if tune.parts else tune
    first = melody.getElementsByClass("Measure").first()
    shift = float(first.paddingLeft) if first is not None else 0.0
    score = parts_score([melody], numerator, denominator, shift, FOLK_TRACKS)
    score.time_signatures.clear()
    score.time_signatures.append(TimeSignature(0, numerator, denominator))
    if not len(score.tracks[0].notes):
        raise CorpusError(f"{path.name}: no notes")
    try:
        plan = derive_plan(score, title=path.stem, tracks=FOLK_TRACKS, melody_form=True)
    except ValueError as error:
        raise CorpusError(f"{path.name}: {error}") from None
    return PlannedScore(plan=idiom_plan(plan, "folk", "strain"), score=score)


def folk_songs(folder: str | Path | None = None, limit: int | None = None
               ) -> Iterator[tuple[str, PlannedScore]]:
    """``(name, PlannedScore)`` for the readable tunes of ``folder`` (Ryan's by default)."""
    for path in tune_files(folder or folk_folder())[:limit]:
        try:
            yield path.stem, read_tune(path)
        except CorpusError:
            continue
