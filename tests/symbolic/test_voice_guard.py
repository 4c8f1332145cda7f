"""The voice guard: a chorale voice's next pitch stays in its range, between its neighbours,
out of parallel fifths and octaves; a voice strikes once an onset; other styles unguarded."""

from __future__ import annotations

import torch

from songform.hierarchy.planner import plan_song
from songform.hierarchy.styles import four_part
from songform.hierarchy.template import Template
from songform.symbolic.tokenizer import SongTokenizer
from songform.symbolic.voice_guard import VoiceGuard

S, A, T, B = 73, 48, 0, 33  # the programs of soprano, alto, tenor, bass


def _pitches(guard: VoiceGuard, mask: torch.Tensor) -> list[int]:
    return sorted(int(guard.pitch_of[i]) for i in mask.nonzero().flatten())


def test_a_voice_stays_in_range_and_between_its_neighbours():
    guard = VoiceGuard(SongTokenizer())
    alone = _pitches(guard, guard.mask(T, {}, {}))
    assert alone == list(range(48, 70))  # the tenor's range
    between = _pitches(guard, guard.mask(A, {S: 70, A: 64, T: 55, B: 43}, {}))
    assert between == list(range(55, 71))  # above the tenor, below the soprano
    crossed = _pitches(guard, guard.mask(S, {S: 70, A: 85}, {}))
    assert crossed == list(range(60, 82))  # no pitch between: the range alone
    assert guard.mask(-1, {}, {}) is None  # drums are no voice


def test_no_parallel_fifths_or_octaves_with_a_voice_that_moved():
    guard = VoiceGuard(SongTokenizer())
    # soprano G4 over bass C3 (a fifth above the octave); the bass has moved to D3 since
    latest, context = {S: 67, B: 50}, {S: 67, B: 48}
    allowed = _pitches(guard, guard.mask(S, latest, context))
    assert 69 not in allowed and 81 not in allowed  # A4, A5: fifths again, moving up
    assert 68 in allowed and 65 in allowed  # other steps, contrary motion
    # unison to unison moving the same way: tenor and alto both on D4, the alto went to C4
    allowed = _pitches(guard, guard.mask(T, {A: 60, T: 62}, {A: 62, T: 62}))
    assert 60 not in allowed and 48 not in allowed and 59 in allowed
    # a voice that has not moved since leaves every pitch open
    assert 55 in _pitches(guard, guard.mask(B, {T: 60, B: 48}, {T: 60, B: 48}))


def test_a_voice_strikes_once_an_onset():
    tokenizer = SongTokenizer()
    guard = VoiceGuard(tokenizer)
    allowed = torch.ones(len(tokenizer), dtype=torch.bool)
    once = guard.once_an_onset(allowed, {S, T})
    vocab = tokenizer.vocab
    assert not once[vocab["Program_73"]] and not once[vocab["Program_0"]]
    assert once[vocab["Program_48"]] and once[vocab["Program_33"]] and allowed.all()


def test_only_the_chorale_is_guarded():
    assert four_part(plan_song(Template(style="chorale"), seed=1).style)
    assert not any(four_part(plan_song(Template(style=s), seed=1).style)
                   for s in ("pop", "jazz", "folk", "waltz"))
