"""JSB chorales serialised one token per voice per sixteenth step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from songform.data.jsb import SILENCE, START, VOCAB_SIZE, JsbWindows, load_jsb, serialise

JSB = Path(__file__).resolve().parents[3] / "shared" / "data" / "jsb-chorales" / \
    "Jsb16thSeparated.json"


def test_serialisation_is_satb_per_step():
    chorale = np.array([[74, 70, 65, 58], [75, -1, 58, 55]])
    series = serialise(chorale)
    assert list(series["tokens"]) == [2 + 74 - 36, 2 + 70 - 36, 2 + 65 - 36, 2 + 58 - 36,
                                      2 + 75 - 36, SILENCE, 2 + 58 - 36, 2 + 55 - 36]
    assert list(series["pitches"][4:6]) == [75, -1]
    assert list(series["onsets"]) == [0, 0, 0, 0, 0.25, 0.25, 0.25, 0.25]


@pytest.mark.skipif(not JSB.exists(), reason=f"JSB chorales not found at {JSB}")
def test_real_split_and_windows():
    data = load_jsb(JSB)
    assert {k: len(v) for k, v in data.items()} == {"train": 229, "valid": 76, "test": 77}
    windows = JsbWindows(data["valid"], 64)
    total = sum(len(serialise(c)["tokens"]) for c in data["valid"])
    covered = sum(len(windows[i]["tokens"]) - 1 for i in range(len(windows)))
    assert covered == total  # evaluation windows cover every token once
    item = windows[0]
    assert item["tokens"][0] == START and int(item["tokens"].max()) < VOCAB_SIZE
    assert np.isnan(float(item["onsets"][0])) and float(item["onsets"][1]) == 0.0
    crops = JsbWindows(data["train"], 64, random_crops=True, seed=1, crops_per_epoch=5)
    assert len(crops) == 5 and all(len(crops[i]["tokens"]) <= 65 for i in range(5))
