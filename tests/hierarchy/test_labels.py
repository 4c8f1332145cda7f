"""POP909 phrase labels -> sections, phrases and repeats."""

from __future__ import annotations

import pytest

from songform.hierarchy.errors import TemplateError
from songform.hierarchy.labels import assign_repeats, parse_label_string, sections_from_labels
from songform.hierarchy.splits import POP909_UNUSABLE_LABELS, pop909_split


def _kinds(text):
    return [(s.kind, "".join(f"{p.label}{p.bars}" for p in s.phrases))
            for s in sections_from_labels(parse_label_string(text))]


def test_documented_rule_on_a_typical_song():
    assert _kinds("i4A4A4B8x4A4A4B8B8X4o4") == [
        ("intro", "i4"), ("verse", "A4A4"), ("chorus", "B8"), ("interlude", "x4"),
        ("verse", "A4A4"), ("chorus", "B8B8"), ("bridge", "X4"), ("outro", "o4")]


def test_pre_chorus_is_a_letter_always_followed_by_the_chorus():
    kinds = _kinds("i4A8C4B8A8C4B8o4")
    assert [k for k, _ in kinds] == ["intro", "verse", "pre-chorus", "chorus", "verse",
                                     "pre-chorus", "chorus", "outro"]


def test_single_melodic_letter_is_a_verse():
    assert [k for k, _ in _kinds("i2A8A8o2")] == ["intro", "verse", "outro"]


def test_repeats_restate_the_first_statement_of_their_label():
    sections = [("verse", ["A", "A"]), ("chorus", ["B"]), ("verse", ["A", "A"]),
                ("bridge", ["X"]), ("chorus", ["B", "B"]), ("outro", ["X"])]
    assert assign_repeats(sections) == [None, 0, None, 0, 0, None, 2, 2, None]


@pytest.mark.parametrize("bad", ["", "A", "4A", "A0", "Z4", "A4 B4", "a4-b4"])
def test_bad_label_strings(bad):
    with pytest.raises(TemplateError):
        parse_label_string(bad)


def test_split_is_fixed():
    assert pop909_split("001") == "train" and pop909_split(10) == "test"
    assert pop909_split("015") == "valid"
    counts = {s: sum(pop909_split(i) == s for i in range(1, 864)) for s in ("train", "valid",
                                                                           "test")}
    assert counts == {"train": 691, "valid": 86, "test": 86}


def test_real_pop909_labels(pop909_root):
    checked = 0
    for song_dir in sorted(p for p in pop909_root.iterdir() if p.is_dir()):
        if int(song_dir.name) in POP909_UNUSABLE_LABELS:
            continue
        for name in ("human_label1.txt", "human_label2.txt"):
            text = (song_dir / name).read_text().strip()
            phrases = parse_label_string(text)
            sections = sections_from_labels(phrases)
            total = sum(int(n) for n in __import__("re").findall(r"\d+", text))
            assert sum(s.bars for s in sections) == total
            assert [p for s in sections for p in s.phrases] == list(phrases)
            repeats = assign_repeats([(s.kind, [p.label for p in s.phrases])
                                      for s in sections])
            assert len(repeats) == len(phrases)
            for index, source in enumerate(repeats):
                if phrases[index].label in ("X", "x"):
                    assert source is None
                if source is not None:
                    assert source < index
                    assert phrases[source].label == phrases[index].label
                    assert phrases[source].label not in ("X", "x")
            checked += 1
    assert checked > 1600
