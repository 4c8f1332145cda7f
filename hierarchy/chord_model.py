"""The chord model: roman-numeral n-grams adapted per section kind, learned from POP909.

A token describes one bar: the chord on the downbeat and, if it changes, the chord at mid-bar
(``vi`` or ``IV-V``). Chords are simplified to root and a seventh-chord quality (bass and
extensions dropped) and written as roman numerals relative to the key's major frame: a minor
key is read in its relative major, so ``vi`` is the tonic of a minor song and data from major
and minor songs pool. Phrases are modelled one at a time from a phrase-start context.

The model is an interpolated n-gram over bar tokens (``base``), adapted to the section kind by
unigram rescaling (Kneser and Peters 1997):

    P(w | h, kind) ∝ P_base(w | h) * (P(w | kind) / P(w)) ** beta,

with ``P(w | kind)`` the kind's token frequencies smoothed toward the global ones, for the
tokens seen at least ``HEAD_MIN_COUNT`` times (rarer tokens keep ratio 1, and the frequent ones
are renormalised to keep their total share). ``beta`` is tuned on the validation songs;
``beta = 0`` is the same model without section kind. Conditioning the n-gram contexts on kind
directly, or rescaling rare tokens too, was measured and is worse: POP909's progressions are
song-specific, and splitting their counts by kind starves the long tail (bench/RESULTS.md).

Harmonic rhythm is learned per kind too: ``rhythm[kind]`` counts the training phrases by how
often their chord changes per bar (bar lines and mid-bar changes, in bins of a quarter). A
sampled phrase draws a target rate from its kind's counts and keeps, of ``RHYTHM_CANDIDATES``
phrases sampled from the n-gram, the one closest to it: the n-gram picks the chords, the
counts how often they move (sampling below temperature 1 alone moves them too rarely: 0.7
changes a bar against POP909's 1.1-1.2 in verses and choruses).
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources

from .chord import QUALITIES, Chord
from .key import Key
from .ngram import UNK, NGramCounts
from .roman import chord_to_roman

BOS = "<p>"
CHAINS = {"trigram": ("21", "1", ""), "bigram": ("1", ""), "unigram": ("",)}
KIND_PRIOR_WEIGHT = 100.0  # pseudo-counts pulling a kind's frequencies toward the global ones
HEAD_MIN_COUNT = 50  # tokens rarer than this in training are not rescaled by kind
RHYTHM_BIN = 0.25  # changes per bar
RHYTHM_BINS = 9  # 0, 0.25, ..., 2 changes per bar
RHYTHM_CANDIDATES = 16
_SIMPLE_QUALITY = {
    "maj": "maj", "min": "min", "dim": "dim", "aug": "aug", "sus2": "sus2", "sus4": "sus4",
    "5": "maj", "maj6": "maj", "min6": "min", "7": "7", "maj7": "maj7", "min7": "min7",
    "minmaj7": "min", "dim7": "dim7", "hdim7": "hdim7", "aug7": "aug", "7sus4": "7sus4",
    "add9": "maj", "madd9": "min", "69": "maj", "9": "7", "maj9": "maj7", "min9": "min7",
    "9sus4": "7sus4", "11": "7", "min11": "min7", "13": "7", "maj13": "maj7", "min13": "min7",
}


def simplify_chord(chord: Chord) -> Chord:
    """Root and a triad or seventh quality; bass and extensions dropped."""
    if chord.root is None:
        return chord
    return Chord(chord.root, QUALITIES[_SIMPLE_QUALITY[chord.quality]][0])


def major_frame(key: Key) -> Key:
    """The major key whose numerals the chord model uses (a minor key's relative major)."""
    return key if key.mode == "major" else key.relative


def bar_token(downbeat: Chord, midbar: Chord, key: Key) -> str:
    """The token of a bar given its downbeat and mid-bar chords in ``key``."""
    frame = major_frame(key)
    first = chord_to_roman(simplify_chord(downbeat), frame)
    second = chord_to_roman(simplify_chord(midbar), frame)
    return first if second == first else f"{first}-{second}"


def token_cells(token: str) -> tuple[str, ...]:
    """The numerals of a token, one per half bar where it changes (``IV-V`` -> IV, V)."""
    return tuple(token.split("-"))


def changes_per_bar(tokens: Sequence[str]) -> float:
    """How often a phrase's chord changes per bar: at bar lines inside the phrase and at
    mid-bar."""
    changes, previous = 0, None
    for token in tokens:
        cells = token_cells(token)
        changes += len(cells) - 1 + (previous is not None and cells[0] != previous)
        previous = cells[-1]
    return changes / max(1, len(tokens))


def _rhythm_bin(rate: float) -> int:
    return min(RHYTHM_BINS - 1, round(rate / RHYTHM_BIN))


def _contexts(chain: Sequence[str], history: Sequence[str]) -> list[tuple[str, ...]]:
    padded = [BOS, BOS, *history]
    views = {"21": (padded[-2], padded[-1]), "1": (padded[-1],), "": ()}
    return [views[name] for name in chain]


@dataclass
class ChordModel:
    """Bar-token n-gram (``base``) with per-kind unigram rescaling of strength ``beta``."""

    chain: tuple[str, ...]
    counts: NGramCounts
    kind_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    beta: float = 0.0
    rhythm: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        phrases: Iterable[tuple[str, Sequence[str]]],
        chain: str = "trigram",
        discount: float | None = None,
        beta: float = 0.0,
    ) -> ChordModel:
        """Fit on ``(section kind, bar tokens)`` phrases."""
        views = CHAINS[chain]
        counts = NGramCounts(len(views), discount=discount)
        kind_counts: dict[str, dict[str, int]] = {}
        rhythm: dict[str, list[int]] = {}
        for kind, tokens in phrases:
            row = kind_counts.setdefault(kind, {})
            for i, token in enumerate(tokens):
                counts.add(_contexts(views, tokens[:i]), token)
                row[token] = row.get(token, 0) + 1
            if len(tokens) >= 2:
                rhythm.setdefault(kind, [0] * RHYTHM_BINS)[
                    _rhythm_bin(changes_per_bar(tokens))] += 1
        return cls(views, counts.finish(), kind_counts, beta, rhythm)

    def with_beta(self, beta: float) -> ChordModel:
        return ChordModel(self.chain, self.counts, self.kind_counts, beta, self.rhythm)

    def mean_changes(self, kind: str) -> float | None:
        """The kind's mean chord changes per bar in training (binned), if learned."""
        row = self.rhythm.get(kind)
        if not row or not sum(row):
            return None
        return sum(i * RHYTHM_BIN * c for i, c in enumerate(row)) / sum(row)

    def _kind_ratio(self, kind: str) -> dict[str, float]:
        cache = self.__dict__.setdefault("_ratio_cache", {})
        if kind not in cache:
            vocab = self.counts.vocab
            totals = {t: 0 for t in vocab}
            for row in self.kind_counts.values():
                for t, c in row.items():
                    totals[t] += c
            n = sum(totals.values())
            global_p = {t: (totals[t] + 1) / (n + len(vocab)) for t in vocab}
            row = self.kind_counts.get(kind, {})
            n_kind = sum(row.values())
            head = [t for t in vocab if totals[t] >= HEAD_MIN_COUNT]
            ratio = {t: 1.0 for t in vocab}
            for t in head:
                p_kind = (row.get(t, 0) + KIND_PRIOR_WEIGHT * global_p[t]) / (
                    n_kind + KIND_PRIOR_WEIGHT)
                ratio[t] = p_kind / global_p[t]
            head_share = sum(global_p[t] for t in head)
            scaled_share = sum(global_p[t] * ratio[t] for t in head)
            for t in head:
                ratio[t] *= head_share / scaled_share
            cache[kind] = ratio
        return cache[kind]

    def distribution(self, kind: str, history: Sequence[str]) -> dict[str, float]:
        """Probabilities of every known token after ``history`` in a section of ``kind``."""
        base = self.counts.distribution(_contexts(self.chain, history))
        if self.beta == 0.0:
            return base
        ratio = self._kind_ratio(kind)
        scaled = {t: p * ratio[t] ** self.beta for t, p in base.items()}
        norm = sum(base.values()) / sum(scaled.values())  # keep <unk>'s share unchanged
        return {t: p * norm for t, p in scaled.items()}

    def probability(self, kind: str, history: Sequence[str], token: str) -> float:
        if token not in self.counts._vocab_set:
            return self.counts.probability(_contexts(self.chain, history), UNK)
        return self.distribution(kind, history)[token]

    def evaluate(self, phrases: Iterable[tuple[str, Sequence[str]]]) -> dict[str, float]:
        """Next-bar top-3 accuracy, perplexity and token count on held-out phrases."""
        hits, nll, n = 0, 0.0, 0
        for kind, tokens in phrases:
            for i, token in enumerate(tokens):
                dist = self.distribution(kind, tokens[:i])
                top3 = sorted(dist, key=dist.get, reverse=True)[:3]
                hits += token in top3
                p = dist.get(token) or self.counts.probability(
                    _contexts(self.chain, tokens[:i]), UNK)
                nll -= math.log(p)
                n += 1
        return {"top3": hits / max(n, 1), "perplexity": math.exp(nll / max(n, 1)), "tokens": n}

    def sample_phrase(
        self, kind: str, bars: int, rng: random.Random, temperature: float = 0.7
    ) -> list[str]:
        """Bar tokens for a phrase of ``bars`` bars in a section of ``kind`` (no ``N``), its
        harmonic rhythm drawn from the kind's learned one where the model has it."""
        row = self.rhythm.get(kind) or self.rhythm.get("verse")
        if bars < 2 or not row or not sum(row):
            return self._sample_tokens(kind, bars, rng, temperature)
        target = RHYTHM_BIN * rng.choices(range(len(row)), weights=row, k=1)[0]
        candidates = [self._sample_tokens(kind, bars, rng, temperature)
                      for _ in range(RHYTHM_CANDIDATES)]
        return min(candidates, key=lambda tokens: abs(changes_per_bar(tokens) - target))

    def _sample_tokens(self, kind: str, bars: int, rng: random.Random, temperature: float
                       ) -> list[str]:
        tokens: list[str] = []
        for _ in range(bars):
            choices, cumulative = self._sampling_table(kind, tokens, temperature)
            tokens.append(rng.choices(choices, cum_weights=cumulative, k=1)[0])
        return tokens

    def _sampling_table(self, kind: str, history: Sequence[str], temperature: float
                        ) -> tuple[list[str], list[float]]:
        """The tokens (no ``N``) and their cumulative tempered weights after ``history``,
        cached by what the n-gram sees of it (the last two tokens)."""
        cache = self.__dict__.setdefault("_table_cache", {})
        key = (kind, tuple(history[-2:]), len(history) >= 2, len(history) >= 1, temperature)
        if key not in cache:
            dist = [(t, p) for t, p in self.distribution(kind, history).items()
                    if "N" not in token_cells(t)]
            cache[key] = ([t for t, _ in dist], list(itertools.accumulate(
                math.exp(math.log(p) / temperature) for _, p in dist)))
        return cache[key]

    def to_dict(self) -> dict:
        return {"kind": "chord_model", "chain": list(self.chain), "beta": self.beta,
                "kind_counts": self.kind_counts, "counts": self.counts.to_dict(),
                "rhythm": self.rhythm}

    @classmethod
    def from_dict(cls, data: dict) -> ChordModel:
        return cls(tuple(data["chain"]), NGramCounts.from_dict(data["counts"]),
                   dict(data["kind_counts"]), float(data["beta"]),
                   {k: [int(c) for c in v] for k, v in data.get("rhythm", {}).items()})


def load_chord_model() -> ChordModel:
    """The shipped chord model (``hierarchy/models/chord_model.json``)."""
    text = resources.files("songform.hierarchy").joinpath("models/chord_model.json").read_text()
    return ChordModel.from_dict(json.loads(text))
