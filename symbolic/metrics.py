"""Does a song keep its plan? Measures on the notes against the plan's chords and repeats.

- chord-tone ratio: of the pitched notes of the given roles, the share whose pitch class is in
  the chord sounding at the note's onset (bars with no chord are skipped);
- repeat agreement: over bars the plan says restate an earlier bar, the Jaccard overlap of
  their (onset in the bar, pitch) sets with the source bar's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from songform.hierarchy.plan import NEVER_REPEATED_LABELS

from .song import PlannedScore, bar_lines
from .ticks import ticks_to_quarters

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
    starts = np.array(bar_lines(plan, tpq)[:-1])
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
        chord = bar.chord_at(offset)
        if chord is None or chord.is_none:
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
    starts = np.array(bar_lines(plan, tpq)[:-1])
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
            chord = bar.chord_at(offset)
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


KEY_FIT_FLOOR = 0.7     # share of pitched notes in the planned scale
CHORD_FIT_FLOOR = 0.35  # share of pitched notes on the sounding chord (chance is about 0.26)


@dataclass(frozen=True)
class SectionCheck:
    """One section's notes field by field against its plan; ``problems`` lists each field it
    breaks, with the number that shows it."""

    name: str
    key: str
    energy: int
    key_fit: float
    """The share of the section's pitched notes in its key."""
    chord_fit: float
    """The share of them in the chord sounding at their onset."""
    notes_per_bar: float
    mean_velocity: float
    silent_tracks: tuple[str, ...]
    problems: tuple[str, ...]


def check_plan(song: PlannedScore) -> list[SectionCheck]:
    """Key fit, chord fit, silent planned tracks and energy order per section, and the MIDI's
    tempo and meter maps against the plan's, as :class:`SectionCheck` rows."""
    plan, tpq = song.plan, song.tpq
    fits = section_fit(song)
    lines = bar_lines(plan, tpq)
    rows, first = [], 0
    maps = _maps(song)
    for section, fit in zip(plan.sections, fits, strict=True):
        low, high = lines[first], lines[first + section.bars]
        notes = [n for t in song.score.tracks for n in t.notes if low <= n.time < high]
        pitched = [t for t in fit.tracks if t.notes]
        count = sum(t.notes for t in pitched)
        key_fit = sum(t.in_key * t.notes for t in pitched) / count if count else float("nan")
        chord_fit = (sum(t.chord_tones * t.notes for t in pitched) / count if count
                     else float("nan"))
        silent = tuple(t.track for t in fit.tracks if t.planned and 2 * t.bars_sounding
                       < section.bars)
        problems = []
        if count and key_fit < KEY_FIT_FLOOR:
            problems.append(f"key fit {key_fit:.2f} < {KEY_FIT_FLOOR} in {section.key}")
        if count and chord_fit < CHORD_FIT_FLOOR:
            problems.append(f"chord fit {chord_fit:.2f} < {CHORD_FIT_FLOOR}")
        if silent:
            problems.append(f"planned but silent: {', '.join(silent)}")
        tempo, meter = maps(low)
        planned = section.meter.quarters_per_minute(section.tempo)
        if tempo is not None and abs(tempo - planned) > 0.5:
            problems.append(f"tempo {tempo:g} quarters a minute in the MIDI, {planned:g} "
                            "planned")
        if meter is not None and meter != (section.meter.numerator, section.meter.denominator):
            problems.append(f"meter {meter[0]}/{meter[1]} in the MIDI, {section.meter} planned")
        rows.append(SectionCheck(fit.name, fit.key, section.energy, key_fit, chord_fit,
                                 len(notes) / section.bars,
                                 float(np.mean([n.velocity for n in notes])) if notes else 0.0,
                                 silent, tuple(problems)))
        first += section.bars
    return _energy_order(rows)


def _maps(song: PlannedScore):
    """``at(tick) -> (tempo, (numerator, denominator))`` in force at ``tick`` in the MIDI."""
    tempos = sorted((int(t.time), float(t.qpm)) for t in song.score.tempos)
    meters = sorted((int(s.time), (int(s.numerator), int(s.denominator)))
                    for s in song.score.time_signatures)

    def at(tick: int):
        tempo = next((q for time, q in reversed(tempos) if time <= tick), None)
        meter = next((m for time, m in reversed(meters) if time <= tick), None)
        return tempo, meter

    return at


def _energy_order(rows: list[SectionCheck]) -> list[SectionCheck]:
    """Flag a section planned two or more energy levels above another yet both quieter (mean
    velocity) and sparser (notes per bar) than it."""
    out = []
    for row in rows:
        below = [other for other in rows if row.energy - other.energy >= 2
                 and row.mean_velocity < other.mean_velocity
                 and row.notes_per_bar < other.notes_per_bar]
        if below:
            other = below[0]
            problem = (f"energy {row.energy} but quieter and sparser than {other.name} "
                       f"(energy {other.energy}): velocity {row.mean_velocity:.0f} vs "
                       f"{other.mean_velocity:.0f}, {row.notes_per_bar:.1f} vs "
                       f"{other.notes_per_bar:.1f} notes a bar")
            row = dataclasses.replace(row, problems=(*row.problems, problem))
        out.append(row)
    return out


def label_similarity(song: PlannedScore, role: str = "melody") -> dict[str, list[float]]:
    """How alike the phrases of one label are: for every pair of phrases that share a label
    (``X``/``x`` aside), the mean over their bars of the Jaccard overlap of the ``role``
    track's (16th-note position, pitch) sets, the later phrase moved into the earlier one's
    key; bars silent in both are skipped. Keyed by the section kind of the pair's earlier
    phrase."""
    plan, tpq = song.plan, song.tpq
    bars = list(plan.bars())
    starts = np.array(bar_lines(plan, tpq)[:-1])
    wanted = {t.name for t in plan.tracks if t.role == role and not t.is_drum}
    per_bar: list[set[tuple[int, int]]] = [set() for _ in bars]
    for track in song.score.tracks:
        if track.name not in wanted:
            continue
        for note in track.notes:
            index = int(np.searchsorted(starts, note.time, side="right")) - 1
            if 0 <= index < len(bars):
                sixteenth = round((note.time - int(starts[index])) * 4 / tpq)
                per_bar[index].add((sixteenth, int(note.pitch)))
    phrase_bars: dict[int, list[int]] = {}
    for bar in bars:
        phrase_bars.setdefault(bar.phrase_index, []).append(bar.index)
    by_label: dict[str, list[int]] = {}
    for index, (_, phrase) in enumerate(plan.phrases()):
        if phrase.label not in NEVER_REPEATED_LABELS:
            by_label.setdefault(phrase.label, []).append(index)
    out: dict[str, list[float]] = {}
    for indices in by_label.values():
        for n, first in enumerate(indices):
            for second in indices[n + 1:]:
                a, b = phrase_bars[first], phrase_bars[second]
                shift = bars[b[0]].key.interval_to(bars[a[0]].key)
                overlaps = []
                for here, there in zip(a, b, strict=False):
                    left = per_bar[here]
                    right = {(at, pitch + shift) for at, pitch in per_bar[there]}
                    if left or right:
                        overlaps.append(len(left & right) / len(left | right))
                if overlaps:
                    kind = bars[a[0]].section_kind
                    out.setdefault(kind, []).append(float(np.mean(overlaps)))
    return out
