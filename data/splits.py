"""Which songs of a corpus train, validate and test: POP909's fixed split by song id, the JSB
chorales' own split, fiddle tunes by name order, any other folder every tenth song for
validation."""

from __future__ import annotations

from collections.abc import Sequence

from songform.hierarchy.splits import pop909_split

SPLIT_RULES = {
    "pop909": "POP909's fixed split by song id (valid: id % 10 == 5; test: id % 10 == 0)",
    "jsb": "the JSB chorales' own split (train, valid, test)",
    "folk": "tunes in name order: valid index % 10 == 5, test index % 10 == 0",
    "midi": "every tenth song in name order (index % 10 == 5) validates",
}


def song_splits(names: Sequence[str], corpus: str) -> list[str]:
    """``"train"``, ``"valid"`` or ``"test"`` for each song name, by :data:`SPLIT_RULES`."""
    if corpus == "pop909":
        return [pop909_split(name) if name.isdigit() else "train" for name in names]
    if corpus == "folk":  # tunes by name order, whatever order they came in
        order = {name: i for i, name in enumerate(sorted(names))}
        return [split_at(name, order[name], corpus) for name in names]
    return [split_at(name, i, corpus) for i, name in enumerate(names)]


LAYOUT_CORPORA = {"pop909": "pop909", "jsb": "jsb", "abc": "folk", "midi": "midi"}
"""The split rule (:data:`SPLIT_RULES`) a corpus of each layout (``data.corpus``) follows."""


def split_at(name: str, index: int, corpus: str) -> str:
    """The split of the song ``name``, the ``index``-th in name order, in ``corpus``
    (:data:`SPLIT_RULES`; a reader yields songs in name order)."""
    if corpus == "pop909":
        return pop909_split(name) if name.isdigit() else "train"
    if corpus == "jsb":
        part = name.split("-", 1)[0]
        return part if part in ("valid", "test") else "train"
    if corpus == "folk":
        return {5: "valid", 0: "test"}.get(index % 10, "train")
    return "valid" if index % 10 == 5 else "train"
