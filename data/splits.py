"""Which songs of a corpus train and which validate: POP909's fixed split by song id, and for
any other folder every tenth song (the sixth of each ten) for validation."""

from __future__ import annotations

from collections.abc import Sequence

from songform.hierarchy.splits import pop909_split

SPLIT_RULES = {
    "pop909": "POP909's fixed split by song id (valid: id % 10 == 5; test: id % 10 == 0)",
    "midi": "every tenth song in name order (index % 10 == 5) validates",
}


def song_splits(names: Sequence[str], corpus: str) -> list[str]:
    """``"train"``, ``"valid"`` or ``"test"`` for each song name, by :data:`SPLIT_RULES`."""
    if corpus == "pop909":
        return [pop909_split(name) if name.isdigit() else "train" for name in names]
    return ["valid" if i % 10 == 5 else "train" for i in range(len(names))]
