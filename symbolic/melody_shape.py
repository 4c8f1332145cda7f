"""Does a melody read as a tune? The shape measures, on any planned song (written
or read from a corpus), so that written songs and POP909's own melodies are measured alike.

The melody is the notes of the plan's melody-role tracks, one note per onset (the highest).
Measures:

- ``steps``: share of intervals between consecutive notes of one or two semitones;
- ``leaps``: share of a fourth (five semitones) or more; ``mean_interval`` in semitones;
- ``interval_histogram``: shares of |interval| 0..12 and "more" (14 bins), for a total
  variation distance between two songs' (or corpora's) histograms;
- ``long_notes``: share of notes a beat (quarter) or longer;
- ``sounding``: share of the time of bars with melody notes in which a melody note sounds;
- ``phrase_long_end``, ``phrase_tonic_end``: share of phrases whose last melody note lasts a
  beat or more, and lands on the key's tonic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .song import PlannedScore

HISTOGRAM_BINS = 14  # |interval| 0..12, then "an octave and more"
STEP, LEAP = (1, 2), 5


@dataclass(frozen=True)
class MelodyNote:
    onset: float  # beats (quarters) from the song's start
    duration: float
    pitch: int


@dataclass(frozen=True)
class MelodyShape:
    notes: int
    steps: float
    leaps: float
    mean_interval: float
    long_notes: float
    sounding: float
    phrase_long_end: float
    phrase_tonic_end: float
    interval_histogram: tuple[float, ...]

    def to_dict(self) -> dict:
        return asdict(self)


MEASURES = ("steps", "leaps", "mean_interval", "long_notes", "sounding", "phrase_long_end",
            "phrase_tonic_end")


def melody_line(song: PlannedScore) -> list[MelodyNote]:
    """The melody tracks' notes, one per onset (the highest), in time order."""
    names = {t.name for t in song.plan.tracks if t.role == "melody"}
    highest: dict[int, tuple[int, int]] = {}
    for track in song.score.tracks:
        if track.name not in names:
            continue
        for note in track.notes:
            if note.time not in highest or note.pitch > highest[note.time][0]:
                highest[note.time] = (note.pitch, note.duration)
    return [MelodyNote(time / song.tpq, duration / song.tpq, pitch)
            for time, (pitch, duration) in sorted(highest.items())]


def melody_shape(song: PlannedScore) -> MelodyShape | None:
    """The measures of ``song``'s melody; ``None`` without two melody notes."""
    line = melody_line(song)
    if len(line) < 2:
        return None
    pitches = np.array([n.pitch for n in line])
    intervals = np.abs(np.diff(pitches))
    histogram = np.bincount(np.minimum(intervals, HISTOGRAM_BINS - 1),
                            minlength=HISTOGRAM_BINS) / len(intervals)
    bars = list(song.plan.bars())
    starts = np.array([b.start for b in bars])
    bar_of = np.searchsorted(starts, [n.onset for n in line], side="right") - 1
    sounding = _sounding_share(line, bars, set(bar_of.tolist()))
    last_in_phrase: dict[tuple[int, int], int] = {}
    for index, bar in enumerate(bar_of):
        last_in_phrase[(bars[bar].section_index, bars[bar].phrase_index)] = index
    endings = [line[i] for i in last_in_phrase.values()]
    tonic_endings = [(n.pitch - bars[bar_of[i]].key.tonic) % 12 == 0
                     for i, n in zip(last_in_phrase.values(), endings, strict=True)]
    return MelodyShape(
        notes=len(line), steps=float(np.isin(intervals, STEP).mean()),
        leaps=float((intervals >= LEAP).mean()), mean_interval=float(intervals.mean()),
        long_notes=float(np.mean([n.duration >= 1 - 1e-6 for n in line])),
        sounding=sounding,
        phrase_long_end=float(np.mean([n.duration >= 1 - 1e-6 for n in endings])),
        phrase_tonic_end=float(np.mean(tonic_endings)),
        interval_histogram=tuple(float(x) for x in histogram))


def _sounding_share(line: Sequence[MelodyNote], bars, played: set[int]) -> float:
    """Share of the played bars' time covered by at least one melody note."""
    total = sum(bars[i].length for i in played)
    covered, reach = 0.0, -np.inf
    for note in line:  # notes in onset order: the union of their spans
        start, end = max(note.onset, reach), note.onset + note.duration
        if end > start:
            covered += end - start
            reach = end
    return float(min(1.0, covered / total)) if total else 0.0


def total_variation(first: Iterable[float], second: Iterable[float]) -> float:
    """Half the L1 distance between two histograms (0 equal, 1 disjoint)."""
    return 0.5 * float(np.abs(np.asarray(list(first)) - np.asarray(list(second))).sum())


def pooled(shapes: Sequence[MelodyShape]) -> dict[str, float]:
    """Each measure's mean over songs, and the mean histogram."""
    out = {name: float(np.mean([getattr(s, name) for s in shapes])) for name in MEASURES}
    out["interval_histogram"] = [float(x) for x in np.mean(
        [s.interval_histogram for s in shapes], axis=0)]
    return out


def band(shapes: Sequence[MelodyShape], low: float = 10, high: float = 90
         ) -> dict[str, tuple[float, float]]:
    """Each measure's per-song ``(p10, p90)`` over ``shapes`` (a corpus's band)."""
    return {name: (float(np.percentile([getattr(s, name) for s in shapes], low)),
                   float(np.percentile([getattr(s, name) for s in shapes], high)))
            for name in MEASURES}
