"""music21's bundled corpus (no ../shared needed) and JSB songs through the tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest

from songform.data.jsb_songs import jsb_songs
from songform.data.music21_corpus import bach_chorales, folk_tunes
from songform.symbolic.tokenizer import SongTokenizer

JSB = Path(__file__).resolve().parents[3] / "shared" / "data" / "jsb-chorales" / \
    "Jsb16thSeparated.json"


def _notes(score):
    tpq = score.ticks_per_quarter
    return sorted((t.program, n.time / tpq, n.duration / tpq, n.pitch, n.velocity)
                  for t in score.tracks for n in t.notes)


def test_bach_chorales_end_phrases_at_fermatas():
    from music21 import corpus

    songs = list(bach_chorales(limit=3))
    assert len(songs) == 3
    for name, song in songs:
        plan = song.plan
        assert [t.name for t in plan.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
        stream = corpus.parse(f"bach/{name}")
        soprano = next(p for p in stream.parts if p.partName == "Soprano")
        fermatas = sum(any(type(e).__name__ == "Fermata" for e in n.expressions)
                       for n in soprano.flatten().notes)
        assert len(plan.phrases()) >= min(fermatas, 2)
        tokenizer = SongTokenizer()
        sequence = tokenizer.encode(song)
        assert _notes(tokenizer.decode(sequence.ids)) == _notes(tokenizer.preprocess(song))


def test_folk_tunes_are_melodies():
    tunes = list(folk_tunes(limit=3))
    assert len(tunes) == 3
    for _, song in tunes:
        assert len(song.score.tracks) == 1 and song.plan.num_bars >= 4


@pytest.mark.skipif(not JSB.exists(), reason=f"JSB chorales not found at {JSB}")
def test_jsb_songs_round_trip_through_the_tokenizer():
    tokenizer = SongTokenizer()
    for _, song in list(jsb_songs(JSB, "valid"))[:5]:
        sequence = tokenizer.encode(song)
        assert _notes(tokenizer.decode(sequence.ids)) == _notes(tokenizer.preprocess(song))
        assert sequence.tokens.count("Bar_None") == song.plan.num_bars
