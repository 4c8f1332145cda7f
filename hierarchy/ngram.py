"""Interpolated n-gram counts (Witten-Bell or absolute discounting), pure Python, JSON-ready.

A model is a chain of *context views* from most to least specific (for example
``(kind, t-2, t-1)``, ``(t-2, t-1)``, ``(t-1,)``, ``()``). Witten-Bell interpolation along the
chain gives every token of the vocabulary (and ``<unk>``) a probability:

    P_i(w | h_i) = (c(h_i, w) + T(h_i) * P_{i+1}(w | h_{i+1})) / (c(h_i) + T(h_i)),

where ``T(h)`` is the number of distinct tokens seen after ``h`` and the last level backs off to
the uniform distribution. With a ``discount`` D, interpolated absolute discounting is used
instead: ``P_i = max(c - D, 0) / c(h) + D * T(h) / c(h) * P_{i+1}``. See Chen and Goodman
(1998).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

UNK = "<unk>"
_SEP = "\x1f"  # joins context parts into JSON object keys


@dataclass
class NGramCounts:
    """Counts for one chain of context views.

    Args:
        levels: number of context views in the chain.
        vocab: the known tokens (``<unk>`` is implicit).
        tables: per level, context key -> token -> count.
        discount: absolute discount D in (0, 1), or ``None`` for Witten-Bell.
    """

    levels: int
    vocab: list[str] = field(default_factory=list)
    tables: list[dict[str, dict[str, int]]] = field(default_factory=list)
    discount: float | None = None

    def __post_init__(self) -> None:
        if not self.tables:
            self.tables = [{} for _ in range(self.levels)]
        self._vocab_set = set(self.vocab)
        self._totals = [
            {ctx: (sum(row.values()), len(row)) for ctx, row in table.items()}
            for table in self.tables
        ]

    def add(self, contexts: Sequence[tuple[str, ...]], token: str) -> None:
        """Count ``token`` after each of its ``contexts`` (one per level)."""
        for level, context in enumerate(contexts):
            row = self.tables[level].setdefault(_SEP.join(context), {})
            row[token] = row.get(token, 0) + 1
        if token not in self._vocab_set:
            self._vocab_set.add(token)
            self.vocab.append(token)

    def finish(self) -> NGramCounts:
        """Sort the vocabulary and recompute totals; call after the last ``add``."""
        self.vocab.sort()
        return NGramCounts(self.levels, self.vocab, self.tables, self.discount)

    def probability(self, contexts: Sequence[tuple[str, ...]], token: str) -> float:
        """Interpolated probability of ``token`` (unknown tokens score as ``<unk>``)."""
        token = token if token in self._vocab_set else UNK
        prob = 1.0 / (len(self.vocab) + 1)
        for level in reversed(range(self.levels)):
            key = _SEP.join(contexts[level])
            totals = self._totals[level].get(key)
            if totals is None:
                continue
            total, types = totals
            count = self.tables[level][key].get(token, 0)
            if self.discount is None:
                prob = (count + types * prob) / (total + types)
            else:
                prob = (max(count - self.discount, 0.0) + self.discount * types * prob) / total
        return prob

    def distribution(self, contexts: Sequence[tuple[str, ...]]) -> dict[str, float]:
        """Probabilities of every known token (``<unk>`` excluded, so they sum below 1)."""
        return {token: self.probability(contexts, token) for token in self.vocab}

    def sample(
        self,
        contexts: Sequence[tuple[str, ...]],
        rng: random.Random,
        temperature: float = 1.0,
        exclude: Iterable[str] = (),
    ) -> str:
        """Draw a known token; ``temperature`` < 1 sharpens the distribution."""
        banned = set(exclude)
        dist = [(t, p) for t, p in self.distribution(contexts).items() if t not in banned]
        weights = [math.exp(math.log(p) / temperature) for _, p in dist]
        return rng.choices([t for t, _ in dist], weights=weights, k=1)[0]

    def to_dict(self) -> dict:
        return {"levels": self.levels, "vocab": self.vocab, "tables": self.tables,
                "discount": self.discount}

    @classmethod
    def from_dict(cls, data: dict) -> NGramCounts:
        return cls(int(data["levels"]), list(data["vocab"]), list(data["tables"]),
                   data.get("discount"))
