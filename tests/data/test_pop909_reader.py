"""POP909 songs as (PlannedScore, SongPlan): alignment, chords, and the plan contract."""

from __future__ import annotations

import pytest

from songform.data.errors import CorpusError
from songform.data.pop909 import pop909_beats_per_bar, read_pop909_song
from songform.hierarchy.planner import plan_song
from songform.hierarchy.splits import POP909_UNUSABLE_LABELS
from songform.hierarchy.template import Template

SAMPLE = ["001", "002", "010", "042", "100", "151", "333", "507", "700", "863"]


@pytest.fixture(scope="module")
def songs(pop909_root):
    bpb = pop909_beats_per_bar(pop909_root)
    return {sid: read_pop909_song(pop909_root / sid, bpb.get(sid, 4)) for sid in SAMPLE}


def _structure(plan):
    return [(s.kind, [(p.label, p.bars, p.repeat_of) for p in s.phrases]) for s in plan.sections]


def test_reader_plan_equals_planner_plan_from_the_same_labels(songs, pop909_root):
    """The contract: reader and planner derive identical section and phrase tokens."""
    for sid, read in songs.items():
        labels = (pop909_root / sid / "human_label1.txt").read_text().strip()
        planned = plan_song(Template(form=labels, key=read.song.plan.sections[0].key), seed=0)
        assert _structure(planned) == _structure(read.song.plan), sid


def test_alignment_puts_melody_after_bar_zero_and_chords_on_bars(songs, pop909_root):
    for sid, read in songs.items():
        song = read.song
        bars = song.plan.num_bars
        melody = next(t for t in song.score.tracks if t.name == "Melody")
        assert melody.notes and all(n.time >= 0 for n in melody.notes)
        assert song.score.tracks[0].notes[-1].time < song.end_tick
        # the first melody note sits where melody.txt says it does (its leading rest)
        first = (pop909_root / sid / "melody.txt").read_text().split("\n", 1)[0].split()
        rest_quarters = int(first[1]) / 4 if int(first[0]) == 0 else 0.0
        assert abs(melody.notes[0].time / song.tpq - rest_quarters) <= 1.0, sid
        chords = [e.symbol for bar in song.plan.bars() for e in bar.chords]
        assert sum(c != "N" for c in chords) > 0.6 * len(chords)
        assert bars == sum(p.bars for _, p in song.plan.phrases())
        assert read.dropped_notes < 0.2 * sum(len(t.notes) for t in song.score.tracks)


def test_energy_and_tracks_come_from_the_notes(songs):
    for read in songs.values():
        plan = read.song.plan
        assert all(2 <= s.energy <= 6 for s in plan.sections if s.kind in ("verse", "chorus"))
        assert {t.role for t in plan.tracks} == {"melody", "counter-melody", "harmony"}
        for _, phrase in plan.phrases():
            assert 0.0 <= phrase.variation <= 1.0


def test_unusable_song_is_reported_not_fatal(pop909_root, tmp_path):
    broken = tmp_path / "999"
    broken.mkdir()
    (broken / "human_label1.txt").write_text("i4A8")
    with pytest.raises(CorpusError, match="999"):
        read_pop909_song(broken)
    assert 62 in POP909_UNUSABLE_LABELS
