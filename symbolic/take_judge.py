"""Takes: several takes of each section written side by side, the best by the take score
(``symbolic/takes.py``) kept in every row of its song."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from songform.hierarchy.plan import BarPlan, SongPlan

from .decoding import Decoder, Row
from .takes import (
    TakeScore,
    density_target,
    melody_density,
    melody_planned,
    melody_tracks,
    notes_by_bar,
    notes_from_tokens,
    score_take,
)
from .tokenizer import SongTokenizer


def take_seed(seed: int, section: int, take: int) -> int:
    """The seed of take ``take`` (above 0) of section ``section``."""
    return (seed * 1_000_003 + section * 7_919 + take) % 2 ** 63


class TakeJudge:
    """Ranks the takes of each section as it ends and hands the best one (its cache rows, its
    notes and its random streams) to every row of its song. The rows of a song are
    ``takes`` consecutive rows; take 0 continues the song's own random stream (so one take
    is the song without takes), the others are reseeded per section."""

    def __init__(self, plans: list[SongPlan], tokenizer: SongTokenizer, takes: int) -> None:
        for watcher in _WATCHERS:
            watcher.append(self)
        self.takes = takes
        self.resolution = tokenizer.settings.beat_resolution
        bars = [list(plan.bars()) for plan in plans]
        self.mean_energy = [sum(b.energy for b in song) / len(song) for song in bars]
        self.history: list[list[tuple[float, int]]] = [[] for _ in plans]
        self.kept: list[dict[int, set[tuple[float, int]]]] = [{} for _ in plans]
        self.leads = [melody_tracks(plan) for plan in plans]
        self.chosen: list[list[tuple[int, int, list[TakeScore]]]] = [[] for _ in plans]
        """Per song: (section index, the kept take, every take's score)."""

    def reseed(self, row: Row, bar: BarPlan) -> None:
        """At a section's first bar: reseed a take above 0 and restart its likelihood."""
        if row.take:
            row.generator.manual_seed(take_seed(row.seed, bar.section_index, row.take))
        row.log_probability, row.sampled = 0.0, 0

    def keep_best(self, decoder: Decoder, first: int, index: int) -> None:
        """Bar ``index`` ended a section of the song whose takes are rows ``first`` on: keep
        its best take in all of them."""
        head = decoder.rows[first]
        bars, song = head.bars, head.song
        section_index = bars[index].section_index
        section = [b for b in bars if b.section_index == section_index]
        energy = sum(b.energy for b in section) / len(section)
        target = density_target(self.history[song], energy, self.mean_energy[song])
        planned = melody_planned(section, self.leads[song])
        notes, scores = [], []
        for take in range(self.takes):
            row = decoder.rows[first + take]
            notes.append(notes_from_tokens(
                bars, {b.index: row.written[b.index] for b in section}, self.resolution))
            likelihood = row.log_probability / row.sampled if row.sampled else 0.0
            scores.append(score_take(notes[-1], section, self.kept[song],
                                     target_density=target, likelihood=likelihood,
                                     all_bars=bars, melody_planned=planned))
        best = max(range(self.takes), key=lambda k: (scores[k].total, -k))
        self.kept[song].update(notes_by_bar(notes[best]))
        if planned:
            self.history[song].append((melody_density(notes[best], section), energy))
        self.chosen[song].append((section_index, best, scores))
        order = list(range(len(decoder.rows)))  # every take goes on from the best
        order[first:first + self.takes] = [first + best] * self.takes
        decoder.select(order)


_WATCHERS: list[list[TakeJudge]] = []


@contextlib.contextmanager
def watched_judges() -> Iterator[list[TakeJudge]]:
    """Every judge made while the body runs (one per batch written with takes), to read which
    take each section kept and every take's score (``TakeJudge.chosen``): what
    ``bench/take_spread.py`` and the tests read."""
    judges: list[TakeJudge] = []
    _WATCHERS.append(judges)
    try:
        yield judges
    finally:
        _WATCHERS.remove(judges)
