"""Token windows at bar lines, transposition that keeps chords with notes, and the cache."""

from __future__ import annotations

import dataclasses

import numpy as np
from symusic import Note, Track

from songform.data.dataset import BarWindows, TokenCorpus, TransposeTable, cached_corpus
from songform.hierarchy.plan import ChordEvent, PhrasePlan, SectionPlan, SongPlan
from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Template
from songform.symbolic.arranger import arrange
from songform.symbolic.song import PlannedScore
from songform.symbolic.tokenizer import SongTokenizer, TokenizerSettings

TOKENIZER = SongTokenizer()


def _transposed_song(song: PlannedScore, shift: int) -> PlannedScore:
    """The song and its plan moved by ``shift`` semitones (drums stay)."""
    from songform.hierarchy.chord import Chord

    sections = []
    for section in song.plan.sections:
        phrases = tuple(dataclasses.replace(p, chords=tuple(
            tuple(ChordEvent(e.offset, Chord.parse(e.symbol).transpose(shift).symbol())
                  for e in bar) for bar in p.chords)) for p in section.phrases)
        sections.append(dataclasses.replace(section, key=section.key.transpose(shift),
                                            phrases=phrases))
    plan = dataclasses.replace(song.plan, sections=tuple(sections))
    score = song.score.copy()
    for track in score.tracks:
        if not track.is_drum:
            moved = [Note(n.time, n.duration, n.pitch + shift, n.velocity) for n in track.notes]
            track.notes.clear()
            track.notes.extend(moved)
    return PlannedScore(plan=plan, score=score)


def _corpus(songs):
    sequences = [TOKENIZER.encode(s) for s in songs]
    return TokenCorpus.from_sequences(sequences, [f"s{i}" for i in range(len(songs))],
                                      TOKENIZER.vocab["Bar_None"])


def test_token_transposition_equals_transposing_the_song():
    song = arrange(plan_song(Template(style="pop", key="C"), seed=1))
    sequence = TOKENIZER.encode(song)
    table = TransposeTable(TOKENIZER)
    for shift in (-5, -1, 3, 5):
        ids, pitches = table.apply(np.asarray(sequence.ids), sequence.pitches, shift)
        expected = TOKENIZER.encode(_transposed_song(song, shift))
        assert list(ids) == expected.ids
        assert list(pitches) == list(expected.pitches)


def test_windows_start_on_bars_and_carry_plan_tokens():
    songs = [arrange(plan_song(Template(style=s), seed=2)) for s in ("pop", "waltz")]
    windows = BarWindows(_corpus(songs), TOKENIZER, length=128, augment=True, seed=3)
    assert len(windows) > 100
    bar = TOKENIZER.vocab["Bar_None"]
    for index in range(0, len(windows), 37):
        item = windows[index]
        tokens = [TOKENIZER.inverse[int(i)] for i in item["tokens"]]
        assert int(item["tokens"][0]) == bar and len(tokens) <= 129
        assert tokens[1].startswith(("TimeSig", "Section"))
        assert float(item["onsets"][0]) == 0.0


def test_cache_is_reused_and_invalidated_by_config(tmp_path):
    calls = []
    songs = [arrange(plan_song(Template(style="waltz"), seed=1))]

    def build(tokenizer):
        def inner():
            calls.append(1)
            return [tokenizer.encode(s) for s in songs], ["w"], {"skipped": []}
        return inner

    first = cached_corpus(tmp_path / "cache", TOKENIZER, build(TOKENIZER))
    again = cached_corpus(tmp_path / "cache", TOKENIZER, build(TOKENIZER))
    assert len(calls) == 1 and np.array_equal(first.ids, again.ids)
    other = SongTokenizer(TokenizerSettings(num_velocities=4))
    cached_corpus(tmp_path / "cache", other, build(other))
    assert len(calls) == 2


def test_out_of_range_windows_stay_put():
    plan = SongPlan("t", "pop", 0, (TRACK := __import__(
        "songform.hierarchy.plan", fromlist=["TrackSpec"]).TrackSpec("P", 0, "melody"),),
        (SectionPlan("verse", __import__("songform.hierarchy.key", fromlist=["Key"]).Key(0),
                     __import__("songform.hierarchy.meter", fromlist=["Meter"]).Meter(4, 4),
                     120.0, 3, ("P",), (PhrasePlan("A", 1, ((ChordEvent(0.0, "C"),),)),)),))
    from songform.symbolic.song import conductor_score

    score = conductor_score(plan)
    track = Track(name="P", program=0)
    track.notes.append(Note(0, 480, 107, 90))  # the top of the pitch range (21-108)
    score.tracks.append(track)
    sequence = TOKENIZER.encode(PlannedScore(plan=plan, score=score))
    ids, _ = TransposeTable(TOKENIZER).apply(np.asarray(sequence.ids), sequence.pitches, 3)
    assert list(ids) == sequence.ids and TRACK.name == "P"
