"""The plan contract: dataclasses, bars(), JSON round trip, validation, energy."""

from __future__ import annotations

import pytest

from songform.hierarchy.energy import energy_features, energy_level
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter
from songform.hierarchy.plan import ChordEvent, PhrasePlan, SectionPlan, SongPlan, TrackSpec

TRACKS = (TrackSpec("Lead", 80, "melody"), TrackSpec("Piano", 0, "harmony"),
          TrackSpec("Drums", 0, "drums"))


def _phrase(label, bars, repeat_of=None, chord="C"):
    return PhrasePlan(label, bars, tuple((ChordEvent(0.0, chord),) for _ in range(bars)),
                      repeat_of, 0.0 if repeat_of is not None else 1.0)


def _song():
    verse = SectionPlan("verse", Key(0), Meter.parse("4/4"), 100.0, 3, ("Lead", "Piano"),
                        (_phrase("A", 4), _phrase("A", 4, repeat_of=0)))
    waltz = SectionPlan("chorus", Key(2), Meter.parse("3/4"), 90.0, 5, ("Lead", "Piano",
                                                                         "Drums"),
                        (_phrase("B", 2, chord="D"),))
    again = SectionPlan("verse", Key(0), Meter.parse("4/4"), 100.0, 3, ("Lead", "Piano"),
                        (_phrase("A", 4, repeat_of=0), _phrase("X", 2)))
    return SongPlan("t", "pop", 1, TRACKS, (verse, waltz, again))


def test_bars_are_explicit_and_consistent():
    song = _song()
    bars = list(song.bars())
    assert len(bars) == song.num_bars == 16
    assert [b.index for b in bars] == list(range(16))
    assert bars[8].meter == Meter.parse("3/4") and bars[8].key == Key(2)
    assert bars[8].start == 32.0 and bars[9].start == 35.0 and bars[10].start == 38.0
    assert song.duration_quarters == 4 * 4 * 2 + 3 * 2 + 4 * 6
    assert bars[4].repeat_of_bar == 0 and bars[7].repeat_of_bar == 3
    assert bars[10].repeat_of_bar == 0 and bars[10].section_number == 2
    assert bars[14].phrase_label == "X" and bars[14].repeat_of_bar is None
    assert bars[5].bar_in_phrase == 1 and bars[5].bar_in_section == 5
    assert bars[9].tracks == ("Lead", "Piano", "Drums") and bars[9].energy == 5
    assert song.section_names() == ("Verse 1", "Chorus", "Verse 2")


def test_json_round_trip_is_exact():
    song = _song()
    text = song.to_json()
    again = SongPlan.from_json(text)
    assert again == song
    assert again.to_json() == text


@pytest.mark.parametrize("repeat_of,label", [(3, "A"), (1, "A"), (0, "B")])
def test_repeat_of_must_point_back_at_the_same_label(repeat_of, label):
    verse = SectionPlan("verse", Key(0), Meter.parse("4/4"), 100.0, 3, ("Lead",),
                        (_phrase("A", 4), _phrase(label, 4, repeat_of=repeat_of)))
    with pytest.raises(TemplateError):
        SongPlan("t", "pop", 1, TRACKS, (verse,))


def test_x_never_repeats():
    verse = SectionPlan("verse", Key(0), Meter.parse("4/4"), 100.0, 3, ("Lead",),
                        (_phrase("X", 4), _phrase("X", 4, repeat_of=0)))
    with pytest.raises(TemplateError, match="cannot restate"):
        SongPlan("t", "pop", 1, TRACKS, (verse,))


def test_unknown_track_and_bad_values_are_rejected():
    with pytest.raises(TemplateError, match="lacks"):
        SongPlan("t", "pop", 1, TRACKS, (SectionPlan(
            "verse", Key(0), Meter.parse("4/4"), 100.0, 3, ("Tuba",), (_phrase("A", 4),)),))
    with pytest.raises(TemplateError):
        TrackSpec("Lead", 128, "melody")
    with pytest.raises(TemplateError):
        TrackSpec("Lead", 1, "singer")
    with pytest.raises(TemplateError):
        SectionPlan("verse", Key(0), Meter.parse("4/4"), 100.0, 8, ("Lead",), (_phrase("A", 4),))
    with pytest.raises(TemplateError):
        PhrasePlan("A", 2, ((ChordEvent(0, "C"),),))
    with pytest.raises(TemplateError):
        SongPlan.from_json("[1, 2]")


def test_drum_role_implies_drum_kit():
    assert TrackSpec("Kit", 0, "drums").is_drum
    assert not TrackSpec("Bass", 33, "bass", is_drum=True).is_drum


def test_energy_definition():
    assert energy_level([], 4.0) == 0
    sparse = [(float(i), 60, 50) for i in range(4)]  # a quarter-note line, soft, middle
    dense = [(i / 4, p, 110) for i in range(16) for p in (72, 76, 79, 84)]
    assert energy_level(sparse, 4.0) < energy_level(dense, 4.0)
    assert energy_level(dense, 4.0) == 7
    features = energy_features(sparse, 4.0)
    assert features.density == 1.0 and features.velocity == 50 and features.pitch == 60
    louder = [(t, p, 100) for t, p, _ in sparse]
    higher = [(t, p + 24, v) for t, p, v in sparse]
    assert energy_level(louder, 4.0) > energy_level(sparse, 4.0)
    assert energy_level(higher, 4.0) > energy_level(sparse, 4.0)
    for level in (energy_level(n, 4.0) for n in (sparse, dense, louder, higher)):
        assert 0 <= level <= 7


def test_a_tracks_channel_is_checked_and_kept_only_when_given():
    import dataclasses

    import songform

    for bad, role in ((16, "melody"), (-1, "bass"), (9, "harmony"), (3, "drums"),
                      (True, "melody")):
        with pytest.raises(TemplateError, match="channel"):
            TrackSpec("Part", 0, role, channel=bad)
    plan = songform.plan(songform.Template(form="verse:2"), seed=1)
    assert all("channel" not in t for t in plan.to_dict()["tracks"])
    kept = dataclasses.replace(plan, tracks=(dataclasses.replace(plan.tracks[0], channel=5),
                                             *plan.tracks[1:]))
    again = SongPlan.from_dict(kept.to_dict())
    assert again.tracks[0].channel == 5 and again.tracks[1].channel is None
