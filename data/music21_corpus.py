"""music21's bundled corpus as songs: Bach chorales (four parts, fermatas end the phrases) and
Essen folk tunes (melodies in ABC)."""

from __future__ import annotations

from collections.abc import Iterator

from symusic import Note, Score, Tempo, TimeSignature, Track

from songform.hierarchy.plan import TrackSpec
from songform.symbolic.song import PlannedScore
from songform.symbolic.ticks import TICKS_PER_QUARTER, quarters_to_ticks

from .analysis import derive_plan
from .errors import CorpusError
from .jsb_songs import VOICES

FOLK_TRACKS = (TrackSpec("Melody", 73, "melody"),)


def _part_notes(part, shift: float) -> list[tuple[int, int, int]]:
    out = []
    for element in part.flatten().notes:
        start = float(element.offset) + shift
        length = float(element.duration.quarterLength)
        if length <= 0:
            continue
        for pitch in getattr(element, "pitches", ()):
            out.append((quarters_to_ticks(start), max(1, quarters_to_ticks(length)),
                        int(pitch.midi)))
    return out


def parts_score(parts, numerator: int, denominator: int, shift: float,
                specs: tuple[TrackSpec, ...]) -> Score:
    """music21 parts as a score of one track each (``specs``), their first note at ``shift``
    quarters (a pickup's padding), in one meter."""
    score = Score(TICKS_PER_QUARTER)
    score.tempos.append(Tempo(0, 80.0))
    score.time_signatures.append(TimeSignature(0, numerator, denominator))
    for part, spec in zip(parts, specs, strict=True):
        track = Track(name=spec.name, program=spec.program)
        for start, length, pitch in sorted(_part_notes(part, shift)):
            track.notes.append(Note(start, length, pitch, 80))
        score.tracks.append(track)
    return score


def chorale_song(path) -> PlannedScore:
    """One Bach chorale (SATB) as a PlannedScore whose phrases end at the soprano's fermatas."""
    from music21 import corpus

    stream = corpus.parse(path)
    by_name = {p.partName: p for p in stream.parts}
    try:
        parts = [by_name[name] for name in ("Soprano", "Alto", "Tenor", "Bass")]
    except KeyError:
        raise CorpusError(f"{path.name}: not four SATB parts") from None
    signature = stream.recurse().getElementsByClass("TimeSignature").first()
    numerator, denominator = (signature.numerator, signature.denominator) if signature \
        else (4, 4)
    bar = 4 * numerator / denominator
    first = parts[0].getElementsByClass("Measure").first()
    shift = float(first.paddingLeft) if first is not None else 0.0
    ends = set()
    for element in parts[0].flatten().notes:
        if any(type(e).__name__ == "Fermata" for e in element.expressions):
            ends.add(int((float(element.offset) + shift) // bar) + 1)
    score = parts_score(parts, numerator, denominator, shift, VOICES)
    plan = derive_plan(score, title=f"Bach {path.stem}", tracks=VOICES,
                       phrase_ends=sorted(ends))
    return PlannedScore(plan=plan, score=score)


def bach_chorales(limit: int | None = None) -> Iterator[tuple[str, PlannedScore]]:
    """``(name, PlannedScore)`` for music21's Bach chorales; non-SATB files are skipped."""
    from music21 import corpus

    count = 0
    for path in corpus.getComposer("bach"):
        if limit is not None and count >= limit:
            return
        try:
            song = chorale_song(path)
        except (CorpusError, ValueError):
            continue
        count += 1
        yield path.stem, song


def folk_tunes(collection: str = "essenFolksong/altdeu10", limit: int | None = None
               ) -> Iterator[tuple[str, PlannedScore]]:
    """``(name, PlannedScore)`` for the tunes of an ABC collection in music21's corpus."""
    from music21 import corpus

    opus = corpus.parse(collection)
    scores = list(opus.scores) if hasattr(opus, "scores") else [opus]
    for index, tune in enumerate(scores[:limit]):
        signature = tune.recurse().getElementsByClass("TimeSignature").first()
        numerator, denominator = (signature.numerator, signature.denominator) if signature \
            else (4, 4)
        melody = tune.parts[0] if tune.parts else tune
        first = melody.getElementsByClass("Measure").first()
        shift = float(first.paddingLeft) if first is not None else 0.0
        score = parts_score([melody], numerator, denominator, shift, FOLK_TRACKS)
        try:
            plan = derive_plan(score, title=f"{collection} {index + 1}", tracks=FOLK_TRACKS)
        except ValueError:
            continue
        yield f"{collection.split('/')[-1]}-{index + 1:03d}", PlannedScore(plan=plan, score=score)
