"""Does a four-part song sound like a chorale? Measures on the notes of its soprano, alto, tenor
and bass (the first track of the roles melody, counter-melody, harmony and bass):

- order: of the onsets where all four sound, the share with soprano >= alto >= tenor >= bass
  (a part playing a chord counts its highest note, the bass its lowest);
- ranges: the share of the four parts' notes inside their voice's range (:data:`RANGES`);
- parallels: of the moves where two voices both change pitch in the same direction from one
  four-voice onset to the next, the share that go from a fifth to a fifth or an octave
  (unison) to an octave, per pair of voices and pooled;
- cadences: the share of phrases whose last bar ends on a held chord: all four voices strike
  (or keep) one chord that sounds two beats or more to the phrase's end;
- four voices: of the onsets of any voice, the share where all four sound (a chorale's voices
  rest only between phrases, if at all).
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import numpy as np

from songform.hierarchy.plan import SongPlan

from .song import PlannedScore, bar_lines

VOICE_ROLES = ("melody", "counter-melody", "harmony", "bass")
RANGES = {"melody": (60, 81), "counter-melody": (53, 74), "harmony": (48, 69),
          "bass": (36, 62)}
"""Soprano, alto, tenor and bass ranges (MIDI pitches) as harmony textbooks give them."""
HELD_BEATS = 2.0


@dataclass(frozen=True)
class ChoraleIdioms:
    """The measures of the module docstring (NaN where nothing was counted)."""

    order: float
    ranges: float
    parallels: float
    cadences: float
    four_voices: float
    onsets: int
    any_onsets: int
    moves: int
    phrases: int

    def to_dict(self) -> dict:
        return asdict(self)


def voice_names(plan: SongPlan) -> list[str | None]:
    """The track of each voice, soprano first: the plan's first track of its role (``None``
    where the plan has none)."""
    return [next((t.name for t in plan.tracks if t.role == role), None) for role in VOICE_ROLES]


def similar_motion(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two voices moving from ``first`` to ``second`` both move, the same way."""
    up, down = second[0] - first[0], second[1] - first[1]
    return up != 0 and down != 0 and (up > 0) == (down > 0)


def parallel_perfect(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two voices moving from ``first`` (upper, lower) to ``second`` move in parallel
    fifths or octaves (unisons)."""
    before, after = (first[0] - first[1]) % 12, (second[0] - second[1]) % 12
    return similar_motion(first, second) and before == after and before in (0, 7)


def _voices(song: PlannedScore) -> list[list[tuple[int, int, int]]] | None:
    """``(start, end, pitch)`` notes of the four voices, or ``None`` when a role is missing."""
    by_name = {t.name: t for t in song.score.tracks}
    voices = []
    for name in voice_names(song.plan):
        track = by_name.get(name) if name is not None else None
        if track is None:
            return None
        voices.append(sorted((n.time, n.time + n.duration, n.pitch) for n in track.notes))
    return voices


def _sounding(notes: list[tuple[int, int, int]], time: int, low: bool) -> int | None:
    pitches = [p for start, end, p in notes if start <= time < end]
    if not pitches:
        return None
    return min(pitches) if low else max(pitches)


def _onsets(voices) -> list[int]:
    return sorted({start for notes in voices for start, _, _ in notes})


def _chords(voices) -> list[tuple[int, tuple[int, ...]]]:
    """Every onset where all four voices sound, with their pitches (S, A, T, B)."""
    onsets = _onsets(voices)
    chords = []
    for time in onsets:
        pitches = [_sounding(notes, time, low=index == 3) for index, notes in enumerate(voices)]
        if all(p is not None for p in pitches):
            chords.append((time, tuple(pitches)))
    return chords


def _parallels(chords) -> tuple[int, int]:
    found = moves = 0
    for (_, first), (_, second) in itertools.pairwise(chords):
        for upper, lower in itertools.combinations(range(4), 2):
            pair = (first[upper], first[lower]), (second[upper], second[lower])
            if similar_motion(*pair):
                moves += 1
                found += parallel_perfect(*pair)
    return found, moves


def _cadences(song: PlannedScore, voices) -> tuple[int, int]:
    """(phrases ending on a held chord, phrases)."""
    plan, tpq = song.plan, song.tpq
    lines = bar_lines(plan, tpq)
    held = phrases = 0
    bar = 0
    for _, phrase in plan.phrases():
        bar += phrase.bars
        end, last_bar = lines[bar], lines[bar - 1]
        phrases += 1
        latest = max((start for notes in voices for start, _, _ in notes
                      if last_bar <= start < end), default=None)
        if latest is None or end - latest < HELD_BEATS * tpq:
            continue
        held += all(_sounding(notes, latest, low=False) is not None
                    and all(stop >= end - tpq // 4 for start, stop, _ in notes
                            if start <= latest < stop)
                    for notes in voices)
    return held, phrases


def chorale_idioms(song: PlannedScore) -> ChoraleIdioms | None:
    """The measures of ``song``, or ``None`` when it lacks one of the four voices' roles."""
    voices = _voices(song)
    if voices is None:
        return None
    chords, onsets = _chords(voices), len(_onsets(voices))
    ordered = sum(all(a >= b for a, b in itertools.pairwise(pitches)) for _, pitches in chords)
    inside = total = 0
    for role, notes in zip(VOICE_ROLES, voices, strict=True):
        low, high = RANGES[role]
        inside += sum(low <= p <= high for _, _, p in notes)
        total += len(notes)
    found, moves = _parallels(chords)
    held, phrases = _cadences(song, voices)
    nan = float("nan")
    return ChoraleIdioms(ordered / len(chords) if chords else nan,
                         inside / total if total else nan,
                         found / moves if moves else nan,
                         held / phrases if phrases else nan,
                         len(chords) / onsets if onsets else nan, len(chords), onsets, moves,
                         phrases)


def pooled_idioms(measures: list[ChoraleIdioms]) -> dict:
    """Measures over many songs, each weighted by what it counted."""
    def weighted(name: str, weight: str) -> float:
        values = [(getattr(m, name), getattr(m, weight)) for m in measures
                  if not np.isnan(getattr(m, name))]
        total = sum(w for _, w in values)
        return sum(v * w for v, w in values) / total if total else float("nan")

    return {"songs": len(measures), "order": weighted("order", "onsets"),
            "ranges": float(np.nanmean([m.ranges for m in measures])) if measures
            else float("nan"),
            "parallels": weighted("parallels", "moves"),
            "cadences": weighted("cadences", "phrases"),
            "four_voices": weighted("four_voices", "any_onsets")}
