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
    if corpus == "jsb":
        return [name.split("-", 1)[0] if name.split("-", 1)[0] in ("valid", "test")
                else "train" for name in names]
    if corpus == "folk":
        order = {name: i for i, name in enumerate(sorted(names))}
        return [{5: "valid", 0: "test"}.get(order[name] % 10, "train") for name in names]
    return ["valid" if i % 10 == 5 else "train" for i in range(len(names))]


LAYOUT_CORPORA = {"pop909": "pop909", "jsb": "jsb", "abc": "folk", "midi": "midi"}
"""The split rule (:data:`SPLIT_RULES`) a corpus of each layout (``data.corpus``) follows."""


def split_at(name: str, index: int, corpus: str) -> str:
    """The split of the song ``name``, the ``index``-th in name order, in ``corpus``: the
    one-song form of :func:`song_splits` for a reader that yields songs in name order."""
    if corpus in ("pop909", "jsb"):
        return song_splits([name], corpus)[0]
    if corpus == "folk":
        return {5: "valid", 0: "test"}.get(index % 10, "train")
    return "valid" if index % 10 == 5 else "train"
