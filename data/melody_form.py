"""A melody's form from its own repeats: where its phrases begin and end, and which restate
which, read from the bar-by-bar self-similarity of the melody (``songform arrange``).

- Each bar is its notes as (onset, pitch) pairs; two bars are as similar as the share of
  notes they hold in common, at the same onset, at the same pitch or moved together by one
  interval (a sequence, a repeat in another key, counts a little less than an exact one).
- Phrase boundaries: the segmentation of the bars that best balances how often songwriters
  write each phrase length (POP909's human labels: 8 and 4 bars a third each, the rest rare)
  against how well each phrase returns elsewhere in the song, bar for bar from its start,
  and keeps silent bars (an intro, a break) apart from sung ones; found by dynamic
  programming over phrase ends, the weights fitted on POP909's training melodies
  (``bench/form.py --split train``).
- A phrase takes the letter of the earliest phrase it restates (mean similarity of their bars
  at or above :data:`SAME_THRESHOLD`), else the next letter; silent phrases are ``i`` at the
  start, ``o`` at the end and ``x`` between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Notes = Sequence[tuple[float, float, int]]
"""``(start, end, pitch)`` in quarter notes."""

TRANSPOSED = 0.85       # a repeat moved by an interval counts this much of an exact one
SAME_THRESHOLD = 0.5    # mean bar similarity at which two phrases are the same material
LENGTH_SHARE = {8: 0.338, 4: 0.328, 1: 0.053, 9: 0.049, 3: 0.038, 2: 0.035, 16: 0.033,
                5: 0.032, 6: 0.023, 7: 0.021, 10: 0.016, 12: 0.012, 13: 0.006, 11: 0.006,
                14: 0.004, 15: 0.004}
"""How often POP909's human labels give a phrase each length (691 training songs)."""
LENGTH_WEIGHT = 1.0     # weight of a phrase length's log share
RETURN_WEIGHT = 4.0     # weight, per bar, of how well a phrase returns elsewhere ...
RETURN_BASE = 0.1       # ... above this similarity
MIXED_PENALTY = 6.0     # per bar of a phrase that is silent among sung bars, or sung among silent
LETTERS = "ABCDE"
SILENT_LABELS = ("i", "x", "o")


@dataclass(frozen=True)
class MelodyForm:
    """Phrase lengths in bars and a letter for each (see the module docstring)."""

    lengths: tuple[int, ...]
    labels: tuple[str, ...]

    @property
    def ends(self) -> list[int]:
        """Each phrase's end bar (exclusive)."""
        return list(np.cumsum(self.lengths).astype(int))


def bar_sets(notes: Notes, bar_quarters: float, bars: int, grid: float = 0.25
             ) -> list[set[tuple[int, int]]]:
    """Each bar's notes as ``(onset on a 16th grid, pitch)``."""
    out: list[set[tuple[int, int]]] = [set() for _ in range(bars)]
    for start, _, pitch in notes:
        bar = int(start // bar_quarters)
        if 0 <= bar < bars:
            out[bar].add((int(round((start - bar * bar_quarters) / grid)), int(pitch)))
    return out


def bar_similarity(sets: list[set[tuple[int, int]]]) -> np.ndarray:
    """``[bars, bars]``: the share of notes two bars hold in common (exact, or moved by one
    interval at :data:`TRANSPOSED`); a silent bar is like no bar."""
    count = len(sets)
    similar = np.zeros((count, count))
    for i in range(count):
        for j in range(i, count):
            a, b = sets[i], sets[j]
            if not a or not b:  # silence returns nothing (its bars are grouped apart)
                value = 0.0
            else:
                best = len(a & b)
                shifts = {pb - pa for (oa, pa) in a for (ob, pb) in b if oa == ob}
                for shift in shifts - {0}:
                    moved = {(onset, pitch + shift) for onset, pitch in a}
                    best = max(best, TRANSPOSED * len(moved & b))
                value = best / max(len(a), len(b))
            similar[i, j] = similar[j, i] = value
    return similar


def span_similarity(similar: np.ndarray, first: int, other: int, length: int,
                    other_length: int) -> float:
    """Mean similarity of two spans' bars, aligned from their starts (the shorter span's
    bars; a length difference counts against them)."""
    shared = min(length, other_length)
    if shared <= 0:
        return 0.0
    values = [similar[first + t, other + t] for t in range(shared)]
    return float(np.mean(values)) * shared / max(length, other_length)


def melody_form(notes: Notes, bar_quarters: float, bars: int,
                same: float = SAME_THRESHOLD) -> MelodyForm:
    """The form of a melody of ``bars`` bars (see the module docstring)."""
    sets = bar_sets(notes, bar_quarters, bars)
    similar = bar_similarity(sets)
    silent = np.array([not notes_in_bar for notes_in_bar in sets])
    ends = phrase_ends(similar, silent)
    starts = [0, *ends[:-1]]
    spans = [(start, end - start) for start, end in zip(starts, ends, strict=True)]
    return MelodyForm(tuple(length for _, length in spans),
                      tuple(_letters(spans, similar, silent, same)))


def phrase_ends(similar: np.ndarray, silent: np.ndarray) -> list[int]:
    """The phrase ends (exclusive bar indices, the last the song's end) of the best
    segmentation (see the module docstring)."""
    count = len(similar)
    longest = max(LENGTH_SHARE)
    returns = _returns(similar, longest)
    best = np.full(count + 1, -np.inf)
    best[0] = 0.0
    back = [0] * (count + 1)
    for end in range(1, count + 1):
        for length in range(1, min(longest, end) + 1):
            start = end - length
            quiet = int(silent[start:end].sum())
            score = (LENGTH_WEIGHT * np.log(LENGTH_SHARE.get(length, 1e-4))
                     + RETURN_WEIGHT * length * (returns[start, length] - RETURN_BASE)
                     - MIXED_PENALTY * min(quiet, length - quiet))
            if best[start] + score > best[end]:
                best[end], back[end] = best[start] + score, start
    ends, end = [], count
    while end > 0:
        ends.append(end)
        end = back[end]
    return sorted(ends)


def _returns(similar: np.ndarray, longest: int) -> np.ndarray:
    """``[bars + 1, longest + 1]``: for a phrase of each length from each bar, its best mean
    bar similarity with a span of that length elsewhere (not overlapping it)."""
    count = len(similar)
    out = np.zeros((count + 1, longest + 1))
    running = None
    for length in range(1, min(longest, count) + 1):
        size = count - length + 1
        shifted = similar[length - 1:, length - 1:][:size, :size]
        running = similar.copy()[:size, :size] if running is None else (
            running[:size, :size] + shifted)
        index = np.arange(size)
        apart = np.abs(index[:, None] - index[None, :]) >= length
        means = np.where(apart, running / length, 0.0)
        out[:size, length] = means.max(axis=1)
    return out


def _letters(spans: list[tuple[int, int]], similar: np.ndarray, silent: np.ndarray,
             threshold: float) -> list[str]:
    """The letter of the earliest phrase each restates, else the next one; silent phrases
    ``i``, ``x`` or ``o`` by their place."""
    labels: list[str] = []
    for index, (start, length) in enumerate(spans):
        if silent[start:start + length].all():
            labels.append("i" if index == 0 else "o" if index == len(spans) - 1 else "x")
            continue
        label = next((labels[earlier] for earlier, (other, other_length) in enumerate(spans[
            :index]) if labels[earlier] in LETTERS and span_similarity(
                similar, start, other, length, other_length) >= threshold), None)
        if label is None:
            used = sorted({x for x in labels if x in LETTERS})
            label = LETTERS[len(used)] if len(used) < len(LETTERS) else "X"
        labels.append(label)
    return labels


def boundary_f(found: Sequence[int], truth: Sequence[int], tolerance: int = 0) -> float:
    """F-measure of phrase boundaries (bar indices, the song's start and end left out), a
    boundary counted found when one lies within ``tolerance`` bars."""
    found, truth = sorted(set(found)), sorted(set(truth))
    if not found and not truth:
        return 1.0
    hits = sum(1 for t in truth if any(abs(t - f) <= tolerance for f in found))
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def pairwise_label_f(found: Sequence[str], truth: Sequence[str]) -> float:
    """Pairwise F-measure of two bar-by-bar labellings (pairs of bars given one label by
    both, over pairs given one label by either), the standard score of structure labels."""
    found_arr, truth_arr = np.asarray(found), np.asarray(truth)
    same_found = found_arr[:, None] == found_arr[None, :]
    same_truth = truth_arr[:, None] == truth_arr[None, :]
    upper = np.triu(np.ones_like(same_found, dtype=bool), 1)
    both = (same_found & same_truth & upper).sum()
    precision = both / max((same_found & upper).sum(), 1)
    recall = both / max((same_truth & upper).sum(), 1)
    return float(2 * precision * recall / (precision + recall)) if precision + recall else 0.0
