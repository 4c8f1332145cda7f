"""The fixed POP909 split by song id, reused by every part of songform.

Song ``n`` (1-863) is in ``test`` when ``n % 10 == 0``, in ``valid`` when ``n % 10 == 5``, and
in ``train`` otherwise (691 / 86 / 86 songs). Songs 062, 328 and 624 have unusable phrase
labels (a typo, a different bar unit) and are left out of everything label-based.
"""

from __future__ import annotations

POP909_UNUSABLE_LABELS = frozenset({62, 328, 624})
SPLITS = ("train", "valid", "test")


def pop909_split(song_id: int | str) -> str:
    """``"train"``, ``"valid"`` or ``"test"`` for a POP909 song id (``"001"`` or ``1``)."""
    number = int(song_id)
    if not 1 <= number <= 909:
        raise ValueError(f"POP909 song ids are 1-909, got {song_id!r}")
    if number % 10 == 0:
        return "test"
    if number % 10 == 5:
        return "valid"
    return "train"
