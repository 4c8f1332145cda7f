"""A training mix of song corpora: the ``--corpus`` list, the split rules of each corpus and
the weighted windows."""

from __future__ import annotations

import numpy as np
import pytest

from songform.core.errors import InputError
from songform.data.corpus_mix import CorpusShare, parse_corpus_list
from songform.data.dataset import MixedWindows
from songform.data.splits import song_splits


def test_corpus_list_parses_names_and_weights():
    assert parse_corpus_list("pop909:2, jsb,FOLK:0.5") == (
        CorpusShare("pop909", 2.0), CorpusShare("jsb", 1.0), CorpusShare("folk", 0.5))
    assert [s.idiom for s in parse_corpus_list("pop909,jsb,folk")] == ["pop", "chorale",
                                                                         "folk"]


@pytest.mark.parametrize(("text", "message"), [
    ("pop909,jsbb", 'unknown corpus "jsbb" (did you mean "jsb"?)'),
    ("", 'unknown corpus ""'),
    ("pop909:0", "the weight of pop909 must be a positive number"),
    ("pop909:x", 'must be a positive number, got "x"'),
    ("folk:inf", "must be a positive number"),
    ("folk,pop909,folk", "folk is named twice"),
])
def test_corpus_list_errors_say_what_is_wrong(text, message):
    with pytest.raises(InputError, match="^--corpus: ") as caught:
        parse_corpus_list(text)
    assert message in str(caught.value)


def test_split_rules_of_the_new_corpora():
    assert song_splits(["train-003", "valid-000", "test-010"], "jsb") == ["train", "valid",
                                                                         "test"]
    names = [f"Tune{i:02d}" for i in range(20)][::-1]  # the rule goes by name order
    splits = dict(zip(names, song_splits(names, "folk"), strict=True))
    assert [splits[f"Tune{i:02d}"] for i in (0, 5, 10, 15, 1)] == ["test", "valid", "test",
                                                                  "valid", "train"]


class _Part:
    def __init__(self, size: int) -> None:
        self.size, self.rng = size, None

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int):
        return (self.size, index)


def test_mixed_windows_keep_every_window_and_the_weights():
    big, small = _Part(100), _Part(7)
    mixed = MixedWindows([big, small], [2.0, 1.0], seed=3)
    assert mixed.counts() == [100, 50]  # the big part once, the small one to its share
    items = [mixed[i] for i in range(len(mixed))]
    assert sorted(i for size, i in items if size == 100) == list(range(100))
    seen = [i for size, i in items if size == 7]
    assert set(seen) == set(range(7)) and max(np.bincount(seen)) - min(np.bincount(seen)) <= 1
    assert big.rng is mixed.rng and small.rng is mixed.rng  # resumed with the mix's state
    again = MixedWindows([_Part(100), _Part(7)], [2.0, 1.0], seed=3)
    assert [again[i] for i in range(len(again))] == items
    with pytest.raises(ValueError):
        MixedWindows([big, _Part(0)], [1.0, 1.0])
