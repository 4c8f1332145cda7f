"""Does a song keep its plan? Measures on the notes against the plan's chords and repeats.

- chord-tone ratio: of the pitched notes of the given roles, the share whose pitch class is in
  the chord sounding at the note's onset (bars with no chord are skipped);
- repeat agreement: over bars the plan says restate an earlier bar, the Jaccard overlap of
  their (onset in the bar, pitch) sets with the source bar's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from songform.hierarchy.chord import Chord

from .song import PlannedScore
from .ticks import quarters_to_ticks, ticks_to_quarters

PITCHED_ROLES = ("melody", "counter-melody", "harmony", "bass")


@dataclass(frozen=True)
class PlanAdherence:
    """``chord_tones``: 0-1 (NaN without notes); ``repeats``: 0-1 (NaN without restated
    bars); ``notes``: pitched notes counted."""

    chord_tones: float
    repeats: float
    notes: int


def plan_adherence(song: PlannedScore, roles: tuple[str, ...] = PITCHED_ROLES) -> PlanAdherence:
    """Chord-tone ratio and repeat agreement of the tracks whose plan role is in ``roles``."""
    plan, tpq = song.plan, song.tpq
    bars = list(plan.bars())
    starts = np.array([quarters_to_ticks(b.start, tpq) for b in bars])
    wanted = {t.name for t in plan.tracks if t.role in roles and not t.is_drum}
    notes = [(n.time, n.pitch) for track in song.score.tracks if track.name in wanted
             and not track.is_drum for n in track.notes]
    hits = counted = 0
    per_bar: list[set[tuple[int, int]]] = [set() for _ in bars]
    for time, pitch in notes:
        index = int(np.searchsorted(starts, time, side="right")) - 1
        if not 0 <= index < len(bars):
            continue
        bar = bars[index]
        per_bar[index].add((time - int(starts[index]), pitch))
        offset = ticks_to_quarters(time - int(starts[index]), tpq)
        events = [e for e in bar.chords if e.offset <= offset + 1e-9] or list(bar.chords[:1])
        if not events:
            continue
        chord = Chord.parse(events[-1].symbol)
        if chord.is_none:
            continue
        counted += 1
        hits += pitch % 12 in chord.pitch_classes
    overlaps = []
    for bar in bars:
        if bar.repeat_of_bar is None:
            continue
        here, there = per_bar[bar.index], per_bar[bar.repeat_of_bar]
        if here or there:
            overlaps.append(len(here & there) / len(here | there))
    return PlanAdherence(hits / counted if counted else float("nan"),
                         float(np.mean(overlaps)) if overlaps else float("nan"), counted)
