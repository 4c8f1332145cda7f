"""Each style's band plays its idiom: jazz walks (a two-feel for the head in), blues boogies
and turns around, rock drives, house keeps four on the floor with an off-beat bass and a pad
that ducks under the kick; and a returning section restates its label's first statement, as
freely as the style's idiom for that kind says."""

from __future__ import annotations

import mido

import songform
from songform.hierarchy.labels import assign_repeats
from songform.hierarchy.styles import POP909_RETURNS, STYLES
from songform.render.midi import EXPRESSION, midi_file
from songform.symbolic.bass_lines import walks
from songform.symbolic.drums import KICK
from songform.symbolic.song import bar_lines


def _arranged(style: str, **template):
    return songform.compose(songform.Template(style=style, **template), seed=3,
                            notes="arranger")


def _notes_by_bar(song, role: str) -> dict[int, list[tuple[float, int]]]:
    """(onset in quarters into the bar, pitch) per bar, for the tracks of ``role``."""
    tpq = song.tpq
    starts = bar_lines(song.plan, tpq)
    names = {t.name for t in song.plan.tracks if t.role == role}
    out: dict[int, list[tuple[float, int]]] = {}
    for track in song.score.tracks:
        if track.name not in names:
            continue
        for note in track.notes:
            index = max(i for i, s in enumerate(starts[:-1]) if s <= note.time)
            out.setdefault(index, []).append(((note.time - starts[index]) / tpq, note.pitch))
    return {k: sorted(v) for k, v in out.items()}


def test_jazz_walks_from_the_solos_on_with_chord_tones_on_one_and_three():
    song = _arranged("jazz")
    bass = _notes_by_bar(song, "bass")
    walking = [b for b in song.plan.bars() if walks(song.plan, b) and b.index in bass]
    assert len(walking) >= 16
    for bar in walking:
        onsets = [o for o, _ in bass[bar.index]]
        assert onsets == [0.0, 1.0, 2.0, 3.0], (bar.index, onsets)
        for onset, pitch in bass[bar.index]:
            if onset in (0.0, 2.0):
                chord = bar.chord_at(onset)
                assert pitch % 12 in chord.pitch_classes, (bar.index, onset, pitch)
    head_in = [b for b in song.plan.bars() if not walks(song.plan, b) and b.index in bass
               and b.meter.numerator == 4]
    assert head_in and all({o for o, _ in bass[b.index]} <= {0.0, 2.0} for b in head_in)


def test_blues_boogies_and_turns_around_into_the_next_chorus():
    song = _arranged("blues", form="head:12 head:12")
    bass = _notes_by_bar(song, "bass")
    bars = list(song.plan.bars())
    assert len(bass[1]) == 8 and [o for o, _ in bass[1]] == [i * 0.5 for i in range(8)]
    root = bars[1].chord_at(0.0).root
    assert {(p - root) % 12 for _, p in bass[1]} == {0, 4, 7, 9, 10}  # the boogie's notes
    turnaround = bass[11]
    assert [o for o, _ in turnaround] == [0.0, 1.0, 2.0, 3.0]
    next_root = bars[12].chord_at(0.0).root
    assert abs(turnaround[-1][1] % 12 - next_root) % 12 in (1, 11)  # a half step into it


def test_rock_drives_eighths_under_power_chords():
    song = _arranged("rock", form="verse:4 chorus:4")
    chorus = next(b for b in song.plan.bars() if b.section_kind == "chorus")
    assert chorus.energy >= 4
    bass = _notes_by_bar(song, "bass")[chorus.index]
    assert [o for o, _ in bass] == [i * 0.5 for i in range(8)]
    guitar = _notes_by_bar(song, "harmony")[chorus.index]
    first = sorted(p for o, p in guitar if o == 0.0)
    assert [p - first[0] for p in first] == [0, 7, 12]


def test_a_house_drop_keeps_four_on_the_floor_and_the_pad_ducks_under_the_kick():
    song = _arranged("house", form="build:4 drop:8 outro:2")
    drop = [b for b in song.plan.bars() if b.section_kind == "drop"]
    tpq, starts = song.tpq, bar_lines(song.plan, song.tpq)
    kicks = {n.time for t in song.score.tracks if t.is_drum for n in t.notes if n.pitch == KICK}
    for bar in drop:
        assert all(starts[bar.index] + beat * tpq in kicks for beat in range(4)), bar.index
    bass = _notes_by_bar(song, "bass")
    assert all(o % 1.0 == 0.5 for b in drop for o, _ in bass[b.index])  # off the kick
    midi = midi_file(song)
    pad = next(t for t in midi.tracks if t.name == "Pad")
    now, dips = 0, []
    for message in pad:
        now += message.time
        if message.type == "control_change" and message.control == EXPRESSION \
                and message.value < 64:
            dips.append(now)
    drop_start, drop_end = starts[drop[0].index], starts[drop[-1].index + 1]
    assert sum(drop_start <= d < drop_end for d in dips) == 4 * len(drop)
    assert all(d % midi.ticks_per_beat == 0 for d in dips)  # on the beat, with the kick


def test_a_restatement_restates_the_first_statement_of_its_label():
    repeats = assign_repeats([("verse", ["A"]), ("chorus", ["B"]), ("verse", ["A"]),
                              ("chorus", ["B"]), ("chorus", ["B"])])
    assert repeats == [None, None, 0, 1, 1]  # chorus 3 restates chorus 1, not chorus 2
    plan = songform.plan(songform.Template(style="pop"), seed=4)
    firsts: dict[str, int] = {}
    for index, (_, phrase) in enumerate(plan.phrases()):
        if phrase.repeat_of is not None:
            assert phrase.repeat_of == firsts[phrase.label]
        firsts.setdefault(phrase.label, index)


def test_sections_return_as_freely_as_the_style_says():
    jazz = songform.plan(songform.Template(style="jazz"), seed=2)
    for section in jazz.sections:
        for phrase in section.phrases:
            if phrase.repeat_of is not None and section.kind in ("verse", "bridge"):
                assert phrase.variation == 0.0  # the head comes back verbatim
            if phrase.repeat_of is not None and section.kind == "solo":
                assert phrase.variation == 1.0  # solos are free
    pop = songform.plan(songform.Template(style="pop"), seed=2)
    for section in pop.sections:
        for phrase in section.phrases:
            if phrase.repeat_of is not None and section.kind in POP909_RETURNS:
                assert phrase.variation == POP909_RETURNS[section.kind]
    custom = songform.plan(songform.Template(style="jazz", variation=0.5), seed=2)
    assert {p.variation for s in custom.sections for p in s.phrases
            if p.repeat_of is not None} == {0.5}
    assert STYLES["blues"].variation_of("solo") == 1.0


def test_the_feel_and_idioms_reach_the_midi_file(tmp_path):
    song = _arranged("jazz", form="solo:4")
    path = song.save_midi(tmp_path / "jazz.mid")
    midi = mido.MidiFile(str(path))
    bass = next(t for t in midi.tracks if t.name == "Upright Bass")
    onsets = [m for m in bass if m.type == "note_on" and m.velocity]
    assert len(onsets) == 16  # four bars, a note on every beat


def test_the_waltz_band_keeps_its_oom_pah_pah_whoever_writes_the_tune():
    from songform.symbolic.writers import SongModel

    waltz = songform.plan(songform.Template(style="waltz"), seed=1)
    pop = songform.plan(songform.Template(style="pop"), seed=1)
    roles = ("melody", "counter-melody", "harmony")
    model = SongModel(None, None, roles)
    assert model.roles_for(waltz) == ("melody", "counter-melody")
    assert model.roles_for(pop) == roles
    song = _arranged("waltz", form="verse:8")
    bass, piano = _notes_by_bar(song, "bass"), _notes_by_bar(song, "harmony")
    bars = [b for b in song.plan.bars() if b.index in bass and b.energy >= 2]
    assert bars and all({o for o, _ in piano[b.index]} >= {1.0, 2.0} and
                        bass[b.index][0][0] == 0.0 for b in bars)
