"""The form model: phrase-label sequences (``i4 A8 B8 ...``) learned from POP909's human labels.

A Witten-Bell n-gram over phrase tokens (label letter + bars), with an end token. When a
template gives only a style and a length, the planner samples forms from it and keeps the
one whose length is closest to the target.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from .labels import LabelledPhrase, parse_label_string
from .ngram import NGramCounts

BOS, EOS = "<s>", "</s>"
MAX_PHRASES = 48


def _contexts(history: Sequence[str], order: int) -> list[tuple[str, ...]]:
    padded = [BOS] * (order - 1) + list(history)
    return [tuple(padded[len(padded) - n:]) if n else () for n in range(order - 1, -1, -1)]


@dataclass
class FormModel:
    """An ``order``-gram over phrase tokens (``order`` 1 is the order-blind baseline)."""

    order: int
    counts: NGramCounts

    @classmethod
    def fit(cls, label_strings: Iterable[str], order: int = 3) -> FormModel:
        counts = NGramCounts(order)
        for text in label_strings:
            tokens = [f"{p.label}{p.bars}" for p in parse_label_string(text)] + [EOS]
            for i, token in enumerate(tokens):
                counts.add(_contexts(tokens[:i], order), token)
        return cls(order, counts.finish())

    def log_likelihood(self, label_string: str) -> tuple[float, int]:
        """Natural-log likelihood of a label string (end token included) and its token count."""
        tokens = [f"{p.label}{p.bars}" for p in parse_label_string(label_string)] + [EOS]
        total = sum(
            math.log(self.counts.probability(_contexts(tokens[:i], self.order), token))
            for i, token in enumerate(tokens)
        )
        return total, len(tokens)

    def sample(
        self,
        rng: random.Random,
        target_bars: int | None = None,
        candidates: int = 64,
        temperature: float = 0.9,
        plausible: Callable[[tuple[LabelledPhrase, ...]], bool] | None = None,
    ) -> tuple[LabelledPhrase, ...]:
        """Sample a form; with ``target_bars``, the closest of ``candidates`` samples. With
        ``plausible``, sampling goes on (up to four times as many) until a plausible form
        within a tenth of the target (at least 8 bars) turns up, which then wins; failing
        that, the closest plausible one, else the closest."""
        best: tuple[LabelledPhrase, ...] = ()
        best_key: tuple = (True, True, math.inf)
        tolerance = max(8, (target_bars or 0) // 10)
        tries = candidates * (4 if plausible is not None else 1) if target_bars else 1
        for attempt in range(tries):
            form = self._sample_one(rng, temperature)
            gap = abs(sum(p.bars for p in form) - target_bars) if target_bars else 0
            fits = plausible is None or plausible(form)
            key = (not (fits and gap <= tolerance), not fits, gap)
            if form and key < best_key:
                best, best_key = form, key
            if attempt + 1 >= candidates and not best_key[0]:
                break
        return best

    def _sample_one(self, rng: random.Random, temperature: float) -> tuple[LabelledPhrase, ...]:
        tokens: list[str] = []
        while len(tokens) < MAX_PHRASES:
            exclude = (EOS,) if not tokens else ()
            token = self.counts.sample(_contexts(tokens, self.order), rng, temperature, exclude)
            if token == EOS:
                break
            tokens.append(token)
        return parse_label_string("".join(tokens)) if tokens else ()

    def to_dict(self) -> dict:
        return {"kind": "form_model", "order": self.order, "counts": self.counts.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> FormModel:
        return cls(int(data["order"]), NGramCounts.from_dict(data["counts"]))


def load_form_model() -> FormModel:
    """The shipped form model (``hierarchy/models/form_model.json``)."""
    text = resources.files("songform.hierarchy").joinpath("models/form_model.json").read_text()
    return FormModel.from_dict(json.loads(text))
