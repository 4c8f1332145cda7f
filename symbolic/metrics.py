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
        shift = bars[bar.repeat_of_bar].key.interval_to(bar.key)  # a restatement in a new key
        here = per_bar[bar.index]
        there = {(at, pitch + shift) for at, pitch in per_bar[bar.repeat_of_bar]}
        if here or there:
            overlaps.append(len(here & there) / len(here | there))
    return PlanAdherence(hits / counted if counted else float("nan"),
                         float(np.mean(overlaps)) if overlaps else float("nan"), counted)


@dataclass(frozen=True)
class TrackFit:
    """One pitched track in one section: ``chord_tones`` and ``in_key`` are shares of its
    notes (NaN without notes); ``bars_sounding`` counts the section's bars where it has a
    note; ``planned`` says whether the plan lists it there."""

    track: str
    planned: bool
    notes: int
    chord_tones: float
    in_key: float
    bars_sounding: int


@dataclass(frozen=True)
class SectionFit:
    """The notes of one section against its plan."""

    name: str
    key: str
    bars: int
    tracks: tuple[TrackFit, ...]


def section_fit(song: PlannedScore) -> list[SectionFit]:
    """Per section and pitched track: chord-tone share, share of notes in the planned key's
    scale, and the bars where the track sounds."""
    plan, tpq = song.plan, song.tpq
    bars = list(plan.bars())
    starts = np.array([quarters_to_ticks(b.start, tpq) for b in bars])
    names = plan.section_names()
    pitched = {t.name for t in plan.tracks if not t.is_drum}
    stats: dict[tuple[int, str], list] = {}
    for track in song.score.tracks:
        if track.name not in pitched:
            continue
        for note in track.notes:
            index = int(np.searchsorted(starts, note.time, side="right")) - 1
            if not 0 <= index < len(bars):
                continue
            bar = bars[index]
            entry = stats.setdefault((bar.section_index, track.name), [0, 0, 0, set()])
            offset = ticks_to_quarters(note.time - int(starts[index]), tpq)
            events = [e for e in bar.chords if e.offset <= offset + 1e-9] or list(bar.chords[:1])
            chord = Chord.parse(events[-1].symbol) if events else None
            entry[0] += 1
            entry[1] += bool(chord and not chord.is_none and note.pitch % 12 in chord.pitch_classes)
            entry[2] += note.pitch % 12 in bar.key.scale
            entry[3].add(bar.index)
    out = []
    for index, section in enumerate(plan.sections):
        fits = []
        for spec in plan.tracks:
            if spec.is_drum:
                continue
            count, chord_hits, key_hits, sounding = stats.get((index, spec.name),
                                                              [0, 0, 0, set()])
            fits.append(TrackFit(spec.name, spec.name in section.tracks, count,
                                 chord_hits / count if count else float("nan"),
                                 key_hits / count if count else float("nan"), len(sounding)))
        out.append(SectionFit(names[index], str(section.key), section.bars, tuple(fits)))
    return out
