"""A chorale's voices sing through their phrases, and its cadences avoid parallels."""

from __future__ import annotations

import torch
from symusic import Note

import songform
from songform.hierarchy.template import Template
from songform.symbolic.cadence import _Voice, _voice_cadence
from songform.symbolic.legato import phrase_starts, sing_through
from songform.symbolic.tokenizer import SongTokenizer
from songform.symbolic.voice_guard import ORDER, VoiceGuard
from songform.symbolic.voice_leading import parallel_perfect


def _chorale():
    return songform.compose(Template(style="chorale", form="phrase:A2 phrase:B2"), seed=1,
                            notes="arranger")


def test_a_voice_holds_through_its_rests_and_enters_on_the_phrase_start():
    song = _chorale()
    starts = phrase_starts(song)
    tpq = song.tpq
    assert starts == [0, 8 * tpq, 16 * tpq]
    second = list(song.plan.bars())[2].chord_at(0.0).pitch_classes  # the B phrase opens
    tone = next(p for p in range(72, 84) if p % 12 in second)
    other = next(p for p in range(72, 84) if p % 12 not in second)
    soprano = song.score.tracks[0]
    soprano.notes.clear()
    soprano.notes.extend([Note(0, tpq, 72, 80),  # rests for a beat after it
                          Note(2 * tpq, 3 * tpq, 74, 80),  # overlaps the next note
                          Note(4 * tpq, tpq, 76, 80),  # the phrase's last note
                          Note(10 * tpq, tpq, tone, 80)])  # enters two beats late
    sung = sing_through(song)
    notes = [(n.time, n.duration, n.pitch) for n in sung.score.tracks[0].notes]
    assert notes == [(0, 2 * tpq, 72), (2 * tpq, 2 * tpq, 74), (4 * tpq, 4 * tpq, 76),
                     (8 * tpq, 8 * tpq, tone)]
    soprano.notes[3] = Note(10 * tpq, tpq, other, 80)  # a late entry off the opening chord
    late = [(n.time, n.pitch) for n in sing_through(song).score.tracks[0].notes][-1]
    assert late == (10 * tpq, other)  # waits for its own beat
    assert len(song.score.tracks[0].notes) == 4 and song.score.tracks[0].notes[0].duration \
        == tpq  # a copy: the song itself is unchanged
    pop = songform.compose(Template(style="pop", form="verse:2"), seed=1, notes="arranger")
    assert sing_through(pop) is pop


def test_the_cadence_chooses_tones_without_parallels():
    assert parallel_perfect((74, 62), (73, 61)) and not parallel_perfect((74, 62), (76, 61))
    # soprano D5 over tenor D4, both falling a semitone onto C#: octaves, which the nearest
    # tones would keep
    voices = [_Voice("S", Note(0, 960, 73, 80), 74, None),
              _Voice("A", Note(0, 960, 69, 80), 69, None),
              _Voice("T", Note(0, 960, 61, 80), 62, None),
              _Voice("B", Note(0, 960, 45, 80), 45, None)]
    _voice_cadence(voices, frozenset({9, 1, 4}))
    pitches = [v.pitch for v in voices]
    assert (pitches[0], pitches[2]) != (73, 61) and all(p % 12 in {9, 1, 4} for p in pitches)
    assert pitches == sorted(pitches, reverse=True)  # still in order
    assert not any(parallel_perfect((voices[i].before, voices[j].before), (pitches[i], pitches[j]))
                   for i in range(4) for j in range(i + 1, 4))
    assert pitches[1] == 69 and pitches[3] == 45  # a voice already on a tone keeps it


def test_all_four_voices_enter_at_a_phrase_start():
    tokenizer = SongTokenizer()
    guard = VoiceGuard(tokenizer)
    allowed = torch.ones(len(tokenizer), dtype=torch.bool)
    moving_on = torch.zeros(len(tokenizer), dtype=torch.bool)
    moving_on[tokenizer.vocab["Position_4"]] = True
    held = guard.enter_together(allowed, {ORDER[0], ORDER[1]}, moving_on)
    assert not held[tokenizer.vocab["Position_4"]] and held[tokenizer.vocab["Program_0"]]
    assert guard.enter_together(allowed, set(ORDER), moving_on).all()  # all four struck
    no_voice_left = allowed.clone()
    no_voice_left[[guard.program_ids[p] for p in ORDER]] = False
    assert guard.enter_together(no_voice_left, {ORDER[0]}, moving_on)[
        tokenizer.vocab["Position_4"]]  # the grammar allows no voice here: move on
