"""Fiddle tunes from ABC: repeats played out, reels barred in 4/4, strains as sections, the
folk idiom in every bar's plan tokens."""

from __future__ import annotations

import pytest

from songform.data.corpus import detect_layout, read_corpus
from songform.data.errors import CorpusError
from songform.data.folk import folk_folder, read_tune
from songform.symbolic.tokenizer import SongTokenizer

REEL = """X:1
T:Test Reel
M:2/4
L:1/16
K:G
|:GABc dedB|dedB dedB|c2A2 B2G2|ABAG FGAF|GABc dedB|dedB dedB|c2A2 B2G2|A2F2 G4:|
|:b4 a4|g4 f4|e4 d4|c4 e4|b4 a4|g4 f4|e2c2 a2f2|g8:|
"""


def test_a_reel_plays_its_repeats_in_four_four(tmp_path):
    path = tmp_path / "TestReel.abc"
    path.write_text(REEL)
    song = read_tune(path)
    plan = song.plan
    assert plan.style == "folk" and {s.kind for s in plan.sections} == {"strain"}
    assert str(plan.sections[0].meter) == "4/4"
    assert plan.num_bars == 16  # 2 x 2 x 8 bars of 2/4, played out, in 4/4
    labels = [phrase.label for _, phrase in plan.phrases()]
    assert labels[0] == labels[len(labels) // 4] != labels[len(labels) // 2]  # A A B B
    tokens = SongTokenizer().encode(song).tokens
    bars = [i for i, t in enumerate(tokens) if t == "Bar_None"]
    assert len(bars) == 16 and all(tokens[i + 2] == "Idiom_folk" for i in bars)


def test_a_folder_of_abc_tunes_is_a_corpus_and_a_broken_tune_is_reported(tmp_path):
    (tmp_path / "TestReel.abc").write_text(REEL)
    (tmp_path / "Broken.abc").write_text("X:1\nT:Broken\nM:2/4\nK:G\n|: GABc :| dedB :|\n")
    (tmp_path / "Empty.abc").write_text("X:1\nT:Empty\nM:2/4\nK:G\n")
    assert detect_layout(tmp_path) == "abc"
    from songform.data.corpus import CorpusReport

    report = CorpusReport("abc")
    names = [name for name, _ in read_corpus(tmp_path, report=report)]
    assert names == ["TestReel.abc"] and report.read == 1
    assert [name for name, _ in report.skipped] == ["Broken.abc", "Empty.abc"]
    assert all("repeats" in why for _, why in report.skipped)
    with pytest.raises(CorpusError, match="Missing.abc"):
        read_tune(tmp_path / "Missing.abc")


def test_ryans_collection_is_found_in_music21():
    assert len(list(folk_folder().glob("*Reel.abc"))) > 300
