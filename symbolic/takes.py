"""How well a take of a section keeps its plan: the score that ``--takes N`` ranks takes by
and that ``songform eval`` prints per section.

Measures, not a judge model (ByteComposer asks an LLM to assess its drafts; the plan already
says what a section should do, so it is measured):

- ``chord_fit``: of the pitched notes (drums aside), the share whose pitch class is in the
  chord the plan sounds at the note's onset;
- ``key_fit``: the share whose pitch class is in the bar's key (natural minor for minor keys);
- ``density_error``: ``|log2|`` of the melody's onsets per bar against the density the
  section's energy asks for: the song's density so far, ``DENSITY_PER_LEVEL`` more for each
  energy level above the song's mean (less below); 0 when nothing came before or the plan
  has no melody there;
- ``likelihood``: the model's mean log-probability (nats) of the tokens it sampled, under its
  own distribution before plan guidance (0 when not known, e.g. in ``eval``);
- ``variation_error``: over the bars that restate an earlier bar, the distance between their
  note overlap with the source (Jaccard of onset-pitch sets, key change undone) and the
  ``1 - variation`` the plan asks for;
- ``groove_error``: the distance between the section's groove consistency (Wu and Yang 2020:
  1 - the mean Hamming distance between consecutive bars' onset grids in 16th notes, over
  bars with notes) and ``GROOVE_TARGET``, POP909's median; 0 with fewer than two such bars.

``total = sum(WEIGHTS[term] * value)``; errors weigh negatively. Chord fit counts toward
``CHORD_FIT_TARGET``, POP909's own share of chord tones, and as much away from it past it (a
part with fewer passing tones than POP909's keeps the chords no better, it only sounds
plainer): bench/structure.py measured ranking by plain chord fit take the model's songs to
0.89 against POP909's 0.84, further from POP909 than one take. Groove counts toward POP909's
median the same way. The weights give each term a say: across the four takes of a section
their weighted spreads (standard deviations) were chord fit 0.018, key fit 0.025, density
0.019, likelihood 0.008, groove 0.033 (three POP909 plans); with the density term at -1 and
key fit at 0.5, as first set, density's 0.10 chose the take nearly alone, and four takes wrote
more repetitive rhythms than one (bench/take_spread.py, bench/RESULTS.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from songform.hierarchy.plan import BarPlan, SongPlan

from .metrics import PITCHED_ROLES
from .song import PlannedScore, bar_lines
from .ticks import ticks_to_quarters
from .tokenizer import PROGRAM_ROLES

DENSITY_PER_LEVEL = 0.04  # a chorus two levels above the verse aims at 1.08x its onsets
# POP909's medians over its 688 training songs (bench/structure.py's measures): chord fit
# 0.857, groove consistency 0.845 (its test songs: 0.842 and 0.849)
CHORD_FIT_TARGET = 0.85
GROOVE_TARGET = 0.85
WEIGHTS = {"chord_fit": 1.0, "key_fit": 2.0, "density_error": -0.25, "likelihood": 0.25,
           "variation_error": -1.0, "groove_error": -1.0}


@dataclass(frozen=True)
class TakeNote:
    """One note as the score sees it: its bar, onset in the bar (quarters), pitch, role."""

    bar: int
    offset: float
    pitch: int
    role: str


@dataclass(frozen=True)
class TakeScore:
    """The terms of a take's score (see the module docstring) and their weighted sum."""

    chord_fit: float
    key_fit: float
    density_error: float
    likelihood: float
    variation_error: float
    groove_error: float = 0.0

    @property
    def total(self) -> float:
        terms = {term: getattr(self, term) for term in WEIGHTS}
        terms["chord_fit"] = CHORD_FIT_TARGET - abs(terms["chord_fit"] - CHORD_FIT_TARGET)
        return sum(weight * terms[term] for term, weight in WEIGHTS.items())


def notes_from_tokens(bars: Sequence[BarPlan], tokens: dict[int, list[str]],
                      beat_resolution: int) -> list[TakeNote]:
    """The notes of bars' note tokens (``{bar index: tokens}``; drums left out)."""
    notes = []
    for index, bar_tokens in tokens.items():
        unit = 4 / bars[index].meter.denominator / beat_resolution
        offset, role = 0.0, None
        for token in bar_tokens:
            kind, _, value = token.partition("_")
            if kind == "Position":
                offset = int(value) * unit
            elif kind == "Program":
                role = PROGRAM_ROLES.get(int(value))
            elif kind == "Pitch" and role is not None:
                notes.append(TakeNote(index, offset, int(value), role))
    return notes


def notes_from_song(song: PlannedScore) -> list[TakeNote]:
    """The pitched notes of a written song, by the role of their plan track."""
    plan, tpq = song.plan, song.tpq
    starts = bar_lines(plan, tpq)
    roles = {t.name: t.role for t in plan.tracks if not t.is_drum}
    notes = []
    for track in song.score.tracks:
        role = roles.get(track.name)
        if role is None:
            continue
        bar = 0
        for note in sorted(track.notes, key=lambda n: n.time):
            while bar + 1 < len(starts) - 1 and note.time >= starts[bar + 1]:
                bar += 1
            notes.append(TakeNote(bar, ticks_to_quarters(note.time - starts[bar], tpq),
                                  note.pitch, role))
    return notes


def melody_tracks(plan: SongPlan) -> set[str]:
    """The names of the plan's melody tracks."""
    return {t.name for t in plan.tracks if t.role == "melody"}


def melody_planned(bars: Sequence[BarPlan], leads: set[str]) -> bool:
    """Whether a melody track plays in most of ``bars``."""
    return 2 * sum(bool(leads & set(b.tracks)) for b in bars) > len(bars)


def melody_density(notes: Iterable[TakeNote], bars: Sequence[BarPlan]) -> float:
    """Melody onsets per bar over ``bars``."""
    indices = {bar.index for bar in bars}
    onsets = {(n.bar, n.offset) for n in notes if n.role == "melody" and n.bar in indices}
    return len(onsets) / max(1, len(bars))


def density_target(history: Sequence[tuple[float, int]], energy: float, mean_energy: float
                   ) -> float | None:
    """The melody density a section of ``energy`` should have, from the earlier sections'
    ``(density, energy)`` pairs (each brought to the mean energy first); ``None`` without
    history."""
    if not history:
        return None
    at_mean = [density / (1 + DENSITY_PER_LEVEL * (level - mean_energy))
               for density, level in history]
    return sum(at_mean) / len(at_mean) * (1 + DENSITY_PER_LEVEL * (energy - mean_energy))


def score_take(notes: Sequence[TakeNote], bars: Sequence[BarPlan], all_notes_by_bar:
               dict[int, set[tuple[float, int]]], *, target_density: float | None = None,
               likelihood: float = 0.0, all_bars: Sequence[BarPlan] | None = None,
               melody_planned: bool = True) -> TakeScore:
    """Score ``notes`` (a section's, or any bars') against their ``bars``.

    Args:
        all_notes_by_bar: ``{bar index: {(offset, pitch)}}`` of the song so far, for the
            sources of restated bars.
        target_density: the melody onsets per bar the energy asks for (``density_target``).
        likelihood: the model's mean log-probability of the sampled tokens.
        all_bars: every bar of the song (for a source's key); default ``bars``.
        melody_planned: whether the plan has a melody in these bars (else no density term).
    """
    by_index = {bar.index: bar for bar in (all_bars or bars)}
    pitched = [n for n in notes if n.role in PITCHED_ROLES]
    chord_hits = key_hits = counted = 0
    for note in pitched:
        bar = by_index[note.bar]
        key_hits += note.pitch % 12 in bar.key.scale
        chord = bar.chord_at(note.offset)
        if chord is not None and not chord.is_none:
            counted += 1
            chord_hits += note.pitch % 12 in chord.pitch_classes
    chord_fit = chord_hits / counted if counted else 0.0
    key_fit = key_hits / len(pitched) if pitched else 0.0
    density_error = 0.0
    if target_density and melody_planned:
        density = melody_density(notes, bars)
        density_error = abs(math.log2((density + 0.5) / (target_density + 0.5)))
    variation_error = _variation_error(notes, bars, all_notes_by_bar, by_index)
    consistency = groove(pitched, bars)
    groove_error = abs(consistency - GROOVE_TARGET) if consistency is not None else 0.0
    return TakeScore(chord_fit, key_fit, density_error, likelihood, variation_error,
                     groove_error)


def groove(notes: Iterable[TakeNote], bars: Sequence[BarPlan]) -> float | None:
    """Groove consistency of ``notes`` over ``bars`` (in order): 1 - the mean share of 16th
    steps where one of two consecutive bars has an onset and the other not, over the pairs
    that both have notes; ``None`` without such a pair."""
    grids: dict[int, set[int]] = {}
    for note in notes:
        grids.setdefault(note.bar, set()).add(round(note.offset * 4))
    distances = [len(grids[a.index] ^ grids[b.index]) / max(1, round(a.length * 4))
                 for a, b in pairwise(bars) if a.index in grids and b.index in grids]
    return 1 - sum(distances) / len(distances) if distances else None


def _variation_error(notes: Sequence[TakeNote], bars: Sequence[BarPlan],
                     earlier: dict[int, set[tuple[float, int]]],
                     by_index: dict[int, BarPlan]) -> float:
    here: dict[int, set[tuple[float, int]]] = {}
    for note in notes:
        here.setdefault(note.bar, set()).add((note.offset, note.pitch))
    errors = []
    for bar in bars:
        source = bar.repeat_of_bar
        if source is None or source not in by_index:
            continue
        shift = by_index[source].key.interval_to(bar.key)
        source_notes = here[source] if source in here else earlier.get(source, set())
        theirs = {(at, pitch + shift) for at, pitch in source_notes}
        mine = here.get(bar.index, set())
        union = mine | theirs
        overlap = len(mine & theirs) / len(union) if union else 1.0
        errors.append(abs(overlap - (1 - bar.variation)))
    return sum(errors) / len(errors) if errors else 0.0


def notes_by_bar(notes: Iterable[TakeNote]) -> dict[int, set[tuple[float, int]]]:
    """``{bar: {(offset, pitch)}}`` of pitched notes."""
    grouped: dict[int, set[tuple[float, int]]] = {}
    for note in notes:
        grouped.setdefault(note.bar, set()).add((note.offset, note.pitch))
    return grouped


def section_scores(song: PlannedScore) -> list[tuple[int, TakeScore]]:
    """Each section's score as ``--takes`` computes it while writing (earlier sections are
    the density history and the restatements' sources; the likelihood is not known here and
    counts 0): ``[(section index, score)]``."""
    bars = list(song.plan.bars())
    notes = notes_from_song(song)
    leads = melody_tracks(song.plan)
    mean_energy = sum(b.energy for b in bars) / len(bars)
    history: list[tuple[float, int]] = []
    earlier: dict[int, set[tuple[float, int]]] = {}
    scores = []
    for index in range(len(song.plan.sections)):
        section = [b for b in bars if b.section_index == index]
        members = {b.index for b in section}
        mine = [n for n in notes if n.bar in members]
        energy = sum(b.energy for b in section) / len(section)
        planned = melody_planned(section, leads)
        scores.append((index, score_take(mine, section, earlier, all_bars=bars,
                                         target_density=density_target(history, energy,
                                                                       mean_energy),
                                         melody_planned=planned)))
        earlier.update(notes_by_bar(mine))
        if planned:
            history.append((melody_density(mine, section), energy))
    return scores
