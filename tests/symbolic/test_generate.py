"""Model-driven generation under the plan, with a tiny random model (the grammar and the plan
hold whatever the weights are)."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
import torch

import songform
from songform.hierarchy.plan import TRACK_ROLES
from songform.hierarchy.planner import plan_song
from songform.symbolic.arranger import arrange
from songform.symbolic.attributes import TokenAttributes
from songform.symbolic.checkpoint import CheckpointInfo, save_checkpoint
from songform.symbolic.decoding import Decoder, Row
from songform.symbolic.generate import (
    GenerateConfig,
    SongJob,
    generate,
    write_songs,
)
from songform.symbolic.model import ModelConfig, MusicTransformer
from songform.symbolic.skeleton import plan_skeleton
from songform.symbolic.takes import notes_from_tokens, score_take
from songform.symbolic.ticks import quarters_to_ticks
from songform.symbolic.tokenizer import AttributeState, SongTokenizer
from songform.symbolic.writers import SongModel

POP909_ROLES = ("counter-melody", "harmony", "melody")


@pytest.fixture(scope="module")
def tokenizer():
    return SongTokenizer()


@pytest.fixture(scope="module")
def model(tokenizer):
    torch.manual_seed(0)
    return MusicTransformer(ModelConfig(vocab_size=len(tokenizer), dim=32, depth=2, heads=2,
                                        max_relative=64, dropout=0.0)).eval()


@pytest.fixture(scope="module")
def plan():
    template = songform.Template(form="verse:2 chorus:2 verse:2 chorus:2", style="pop",
                                 tempo=100, key="D")
    return plan_song(template, 3)


def _config(**changes):
    return GenerateConfig(**{"context": 64, "max_tokens_per_bar": 48, "chord_bias": 0.0,
                             **changes})


def _notes(song, name):
    track = next(t for t in song.score.tracks if t.name == name)
    return [(n.time, n.duration, n.pitch, n.velocity) for n in track.notes]


def test_notes_follow_the_plan(model, tokenizer, plan):
    song = generate(model, tokenizer, plan, seed=1, config=_config(), roles=POP909_ROLES)
    assert song.plan is plan
    bars = list(plan.bars())
    starts = [quarters_to_ticks(b.start) for b in bars] + [song.end_tick]
    roles = {t.name: t.role for t in plan.tracks}
    written = 0
    for track in song.score.tracks:
        assert track.program == next(t.program for t in plan.tracks if t.name == track.name)
        if roles[track.name] not in POP909_ROLES:
            continue
        for note in track.notes:
            bar = int(np.searchsorted(starts, note.time, side="right")) - 1
            assert 0 <= bar < len(bars) and note.end <= song.end_tick
            assert track.name in bars[bar].tracks  # only tracks the plan lets play there
            written += 1
    assert written > 0
    arranged = arrange(plan, 1)  # roles the model does not write come from the arranger
    for name in ("Bass", "Drums"):  # note for note; the mix rides each section's level
        ours, theirs = _notes(song, name), _notes(arranged, name)
        assert [n[:3] for n in ours] == [n[:3] for n in theirs]
        assert all(abs(a[3] - b[3]) <= 0.42 * b[3] + 1 for a, b in zip(ours, theirs,
                                                                        strict=True))


def test_the_stream_re_encodes_to_the_plans_tokens(model, tokenizer, plan):
    song = generate(model, tokenizer, plan, seed=2, config=_config(), roles=POP909_ROLES)
    tokens = tokenizer.encode(song).tokens
    plan_types = ("Section", "Label", "BarInSection", "Key", "Meter", "Energy", "ChordAt",
                  "Chord")
    skeleton = plan_skeleton(tokenizer, plan, TRACK_ROLES)
    expected = [t for bar in skeleton for t in bar if t.split("_")[0] in plan_types]
    assert [t for t in tokens if t.split("_")[0] in plan_types] == expected


def test_same_seed_same_song(model, tokenizer, plan):
    first = generate(model, tokenizer, plan, seed=5, config=_config(), roles=POP909_ROLES)
    again = generate(model, tokenizer, plan, seed=5, config=_config(), roles=POP909_ROLES)
    other = generate(model, tokenizer, plan, seed=6, config=_config(), roles=POP909_ROLES)
    assert _notes(first, "Lead") == _notes(again, "Lead")
    assert _notes(first, "Piano") != _notes(other, "Piano")


def test_restated_bars_copy_their_source(model, tokenizer, plan):
    exact = dataclasses.replace(plan, sections=tuple(
        dataclasses.replace(s, phrases=tuple(dataclasses.replace(p, variation=0.0)
                                             for p in s.phrases)) for s in plan.sections))
    song = generate(model, tokenizer, exact, seed=3, config=_config(), roles=POP909_ROLES)
    bars = list(exact.bars())
    restated = [b for b in bars if b.repeat_of_bar is not None]
    assert restated
    piano = _notes(song, "Piano") + _notes(song, "Lead")
    for bar in restated:
        source = bars[bar.repeat_of_bar]
        shift = quarters_to_ticks(bar.start) - quarters_to_ticks(source.start)

        def in_bar(b, notes):
            begin, end = quarters_to_ticks(b.start), quarters_to_ticks(b.start + b.length)
            return sorted((t - begin, p) for t, _, p, _ in notes if begin <= t < end)

        assert in_bar(bar, piano) == in_bar(source, piano), shift
    fresh = generate(model, tokenizer, exact, seed=3, config=_config(copy_repeats=False),
                     roles=POP909_ROLES)
    assert _notes(fresh, "Piano") != _notes(song, "Piano")


def test_cached_chunks_equal_one_full_pass(model, tokenizer, plan):
    song = arrange(plan, 1)
    sequence = tokenizer.encode(song)
    bars = list(plan.bars())
    row = Row(0, 0, 0, bars, [], None, AttributeState(bars, tokenizer.settings.beat_resolution),
               torch.Generator(), random.Random())
    decoder = Decoder(model, tokenizer, [row], capacity=len(sequence), device="cpu")
    cuts = [i for i, t in enumerate(sequence.tokens) if t == "Bar_None"][1:4]
    pieces = np.split(np.array(sequence.tokens, dtype=object), cuts)
    last = [decoder.feed({0: list(piece)})[0] for piece in pieces]
    end = cuts[-1] + len(pieces[-1])
    attributes = TokenAttributes.of_sequence(sequence.pitches[:end], sequence.onsets[:end],
                                             sequence.durations[:end])
    full = model(torch.as_tensor(sequence.ids[:end])[None], attributes)[0]
    for cut, logits in zip([*cuts, end], last, strict=True):
        assert torch.allclose(logits, full[cut - 1], atol=1e-4)


def test_a_token_taken_back_leaves_the_cache_as_it_was(model, tokenizer, plan):
    """snapshot, feed, rewind: the next token's logits are those of a decoder that never
    saw the taken-back token, also when the ring is full and the token overwrote its oldest
    entry."""
    tokens = tokenizer.encode(arrange(plan, 1)).tokens[:60]
    bars = list(plan.bars())

    def decoder():
        row = Row(0, 0, 0, bars, [], None,
                  AttributeState(bars, tokenizer.settings.beat_resolution),
                  torch.Generator(), random.Random())
        return Decoder(model, tokenizer, [row], capacity=24, device="cpu")

    taken, straight = decoder(), decoder()
    for token in tokens[:-1]:  # one at a time: the 24-slot ring is full long before the end
        taken.feed({0: [token]})
        straight.feed({0: [token]})
    taken.snapshot(0)
    taken.feed({0: ["Position_3"]})
    taken.rewind(0)
    assert taken.rows[0].position == straight.rows[0].position
    after, expected = taken.feed({0: [tokens[-1]]})[0], straight.feed({0: [tokens[-1]]})[0]
    assert torch.equal(after, expected)
    for mine, theirs in zip(taken.caches, straight.caches, strict=True):
        assert torch.equal(mine.keys, theirs.keys) and torch.equal(mine.valid, theirs.valid)


def test_forced_parts_keep_the_role_order_at_each_onset(model, tokenizer, plan, monkeypatch):
    """The song's harmony forced (counter-melody forced silent), the melody sampled around
    it: the forced notes come out exactly, no counter-melody is written, at every onset the
    notes follow the stream's role order (melody before harmony), and positions the model
    meant for the forced parts were taken back."""
    from songform.symbolic.bar_sampler import ROLE_RANK, forced_notes

    rewinds = []
    original = Decoder.rewind
    monkeypatch.setattr(Decoder, "rewind", lambda self, index: (rewinds.append(index),
                                                                original(self, index)))
    base = generate(model, tokenizer, plan, 2, _config(), ("harmony",))
    forced = {i: forced_notes(tokens) for i, tokens in enumerate(base.written)}
    programs = frozenset({"Program_0", "Program_48"})
    song = generate(model, tokenizer, plan, 6, _config(), POP909_ROLES, forced=forced,
                    fresh=frozenset(range(plan.num_bars)), forced_programs=programs)
    melody = 0
    for index, tokens in enumerate(song.written):
        assert "Program_48" not in tokens
        assert [n for n in forced_notes(tokens) if n.tokens[0] == "Program_0"] == \
            forced[index]
        ranks: dict[int, list[int]] = {}
        for note in forced_notes(tokens):
            ranks.setdefault(note.position, []).append(ROLE_RANK[int(note.tokens[0][8:])])
        assert all(order == sorted(order) for order in ranks.values())
        melody += tokens.count("Program_73")
    assert melody > 0 and rewinds


def test_cache_size_does_not_grow_with_the_song(model, tokenizer, monkeypatch):
    import songform.symbolic.generate as generate_module

    made = []

    class Recording(Decoder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(generate_module, "Decoder", Recording)
    for bars in (4, 16):
        template = songform.Template(form=f"verse:{bars}", style="pop", tempo=100, key="C")
        generate(model, tokenizer, plan_song(template, 1), config=_config(),
                 roles=POP909_ROLES)
        assert made[-1].rows[0].position > 4 * bars  # every bar went through the model
    assert made[0].caches[0].capacity == made[1].caches[0].capacity


def test_song_model_loads_checkpoints_and_refuses_other_schemes(model, tokenizer, plan,
                                                                 tmp_path):
    save_checkpoint(tmp_path / "song", model,
                    CheckpointInfo.for_songs(tokenizer, roles=POP909_ROLES))
    loaded = SongModel.load(tmp_path / "song")
    assert loaded.roles == POP909_ROLES
    song = loaded.write(plan, seed=1, config=_config())
    direct = generate(model, tokenizer, plan, seed=1, config=_config(), roles=POP909_ROLES)
    assert _notes(song, "Lead") == _notes(direct, "Lead")
    save_checkpoint(tmp_path / "jsb", model, CheckpointInfo("satb-16th", 48))
    with pytest.raises(ValueError, match="cannot write songs"):
        SongModel.load(tmp_path / "jsb")


def test_chord_bias_pulls_pitches_into_the_plans_chords(model, tokenizer, plan):
    """Measured on the notes the model itself sampled (the mixdown fills a part the model
    left silent with the arranger's chords, which would hide what the bias does)."""
    bars = list(plan.bars())

    def chord_tones(config) -> tuple[float, int]:
        hits = counted = 0
        for seed in range(4):
            song = generate(model, tokenizer, plan, seed, config, POP909_ROLES)
            for note in notes_from_tokens(bars, dict(enumerate(map(list, song.written))),
                                          tokenizer.settings.beat_resolution):
                chord = bars[note.bar].chord_at(note.offset)
                if chord is not None and not chord.is_none:
                    counted += 1
                    hits += note.pitch % 12 in chord.pitch_classes
        return hits / counted, counted

    free, free_notes = chord_tones(_config())
    guided, guided_notes = chord_tones(_config(chord_bias=8.0))
    assert free_notes > 40 and guided_notes > 40
    assert guided > 0.9 > free + 0.3


def test_half_precision_model_writes_the_same_plan(model, tokenizer, plan):
    import copy

    half = copy.deepcopy(model).half()
    song = generate(half, tokenizer, plan, seed=1, config=_config(), roles=POP909_ROLES)
    assert sum(len(t.notes) for t in song.score.tracks) > 0
    assert song.end_tick == quarters_to_ticks(plan.duration_quarters)


def test_the_shipped_model_writes_songs_that_keep_the_plan(plan):
    from songform.symbolic.metrics import plan_adherence
    from songform.symbolic.shipped import shipped_checkpoint

    folder = shipped_checkpoint()
    if folder is None:
        pytest.skip("this install ships no checkpoint")
    shipped = SongModel.load(folder)
    assert shipped.roles_for(plan) == POP909_ROLES  # a pop plan: the pop idiom's roles
    roles = ("melody", "counter-melody", "harmony")
    alone = plan_adherence(shipped.write(plan, seed=1, config=GenerateConfig(chord_bias=0.0)),
                           roles)
    strong = plan_adherence(shipped.write(plan, seed=1, config=GenerateConfig(chord_bias=3.0)),
                            roles)
    assert alone.notes > 8 * 4 and strong.notes > 8 * 4  # it writes, bar after bar
    assert alone.chord_tones > 0.5  # the model alone follows the plan's chords (chance ~0.26)
    assert strong.chord_tones > max(0.9, alone.chord_tones)  # guidance pulls further
    assert alone.repeats > 0.4  # restated bars come back


def test_energy_lifts_the_melody_of_a_lively_section(tokenizer, model):
    """The chorus at energy 7 over verses at 1: with the register lift its melody sits higher
    than without it (the same tiny random model and seed), and the verse's lower."""
    template = songform.Template(sections=[songform.Section("verse", bars=4, energy=1),
                                           songform.Section("chorus", bars=4, energy=7)],
                                 style="pop", tempo=100, key="C", variation=1.0)
    plan = plan_song(template, 1)
    lead = next(t.name for t in plan.tracks if t.role == "melody")
    half = quarters_to_ticks(16.0, 480)

    def mean_pitches(config):
        song = generate(model, tokenizer, plan, seed=5, config=config)
        notes = next(t for t in song.score.tracks if t.name == lead).notes
        tpq_half = half * song.tpq // 480
        verse = [n.pitch for n in notes if n.time < tpq_half]
        chorus = [n.pitch for n in notes if n.time >= tpq_half]
        return np.mean(verse), np.mean(chorus)

    flat = mean_pitches(_config(register_lift=0.0, density_lift=0.0))
    lifted = mean_pitches(_config(register_lift=0.2, density_lift=0.0))
    assert lifted[1] - lifted[0] > flat[1] - flat[0] + 6
    assert lifted[1] > flat[1] and lifted[0] < flat[0]


def _all_notes(song):
    return [(t.name, [(n.time, n.duration, n.pitch, n.velocity) for n in t.notes])
            for t in song.score.tracks]


def test_batched_songs_equal_songs_written_alone(model, tokenizer):
    """Plans of different lengths and chunk sizes in one batch: each song is the one its
    seed writes alone (the short one waits, the long one's window is its own)."""
    plans = [plan_song(songform.Template(form=form, style=style, tempo=100, key="D"), seed)
             for form, style, seed in (("verse:4 chorus:4 verse:4 chorus:4", "pop", 3),
                                       ("intro:2 verse:4", "rock", 5),
                                       ("verse:8 chorus:8", "ballad", 1))]
    seeds = [11, 12, 13]
    config = _config(context=32)  # short: the rings wrap
    alone = [generate(model, tokenizer, p, s, config, POP909_ROLES)
             for p, s in zip(plans, seeds, strict=True)]
    jobs = [SongJob(p, s) for p, s in zip(plans, seeds, strict=True)]
    together = dict(write_songs(model, tokenizer, jobs, config, POP909_ROLES))
    assert [_all_notes(together[i]) for i in range(3)] == [_all_notes(s) for s in alone]
    assert _all_notes(alone[0]) != _all_notes(alone[1])
    # two rows for three songs: the song that ends first hands its rows (and its cache
    # rows, emptied) to the third, which is still the song its seed writes alone
    finished = list(write_songs(model, tokenizer, jobs, config, POP909_ROLES, batch=2))
    assert sorted(index for index, _ in finished) == [0, 1, 2]
    assert finished[0][0] != 1  # the longest plans start, the shortest (6 bars) waits
    for index, song in finished:
        assert _all_notes(song) == _all_notes(alone[index])
    with_takes = _config(context=32, takes=2)
    one_at_a_time = dict(write_songs(model, tokenizer, jobs, with_takes, POP909_ROLES,
                                     batch=1))
    assert [_all_notes(one_at_a_time[i]) for i in range(3)] == \
        [_all_notes(generate(model, tokenizer, p, s, with_takes, POP909_ROLES))
         for p, s in zip(plans, seeds, strict=True)]


def test_one_take_is_the_song_without_takes(model, tokenizer, plan):
    plain = generate(model, tokenizer, plan, 4, _config(), POP909_ROLES)
    one = generate(model, tokenizer, plan, 4, _config(takes=1), POP909_ROLES)
    assert _all_notes(one) == _all_notes(plain)


def test_takes_keep_the_best_scoring_take_of_each_section(model, tokenizer, plan, monkeypatch):
    import songform.symbolic.batch_writer as batch_module
    from songform.symbolic.take_judge import watched_judges

    streams = []
    original_song = batch_module.song_from_stream

    def recording_song(tokenizer, plan, stream, *args):
        streams.append(stream)
        return original_song(tokenizer, plan, stream, *args)

    monkeypatch.setattr(batch_module, "song_from_stream", recording_song)
    with watched_judges() as judges:
        song = generate(model, tokenizer, plan, 4, _config(takes=3), POP909_ROLES)
    chosen = judges[0].chosen[0]
    bars, per_bar = list(plan.bars()), {}
    for token in streams[0]:
        if token == "Bar_None":
            per_bar[len(per_bar)] = []
        else:
            per_bar[len(per_bar) - 1].append(token)
    for section, best, scores in chosen:  # the song holds the kept take's notes
        section_bars = [b for b in bars if b.section_index == section]
        notes = notes_from_tokens(bars, {b.index: per_bar[b.index] for b in section_bars},
                                  tokenizer.settings.beat_resolution)
        kept = score_take(notes, section_bars, {}, all_bars=bars)
        assert (kept.chord_fit, kept.key_fit) == (scores[best].chord_fit, scores[best].key_fit)
    assert [section for section, _, _ in chosen] == list(range(len(plan.sections)))
    for _, best, scores in chosen:
        totals = [s.total for s in scores]
        assert totals[best] == max(totals)
        assert best == totals.index(max(totals))  # ties go to the lowest take
    assert len({round(s.total, 9) for _, _, scores in chosen for s in scores}) > len(chosen)
    assert any(best for _, best, _ in chosen)  # some section kept a take other than the first
    again = generate(model, tokenizer, plan, 4, _config(takes=3), POP909_ROLES)
    assert _all_notes(again) == _all_notes(song)
    assert _all_notes(song) != _all_notes(generate(model, tokenizer, plan, 4, _config(),
                                                   POP909_ROLES))


def test_a_varied_restatement_sees_its_source_just_before_it(tokenizer, monkeypatch):
    """When a restated phrase is sampled afresh, the source phrase's tokens sit in the cache
    at the positions just before the new phrase, when its first note is sampled."""
    import songform.symbolic.batch_writer as generate_module

    torch.manual_seed(0)  # weights large enough that a random model attends sharply, so
    model = MusicTransformer(ModelConfig(  # that what is in context sways its samples
        vocab_size=len(tokenizer), dim=32, depth=2, heads=2, max_relative=64, dropout=0.0,
        position="relative+music")).eval()
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() >= 2:
                parameter.normal_(std=0.3)

    template = songform.Template(form="verse:4 chorus:4 verse:4 chorus:4", style="pop",
                                 tempo=100, key="C", variation=1.0)
    plan = plan_song(template, 2)
    checked, pending = [], {}
    original = generate_module.Decoder.place
    original_sampler = generate_module.BarSampler.__init__

    def place(self, index, bars, end_onset):
        count = original(self, index, bars, end_onset)
        row = self.rows[index]
        pitches = [int(t[6:]) if t.startswith("Pitch_") else None
                   for _, tokens in bars for t in tokens]
        pending[id(row)] = (self.caches[0], index, {
            row.position - count + at: pitch for at, pitch in enumerate(pitches)})
        checked.append((count, [source for source, _ in bars]))
        return count

    def sampler(self, row, bar, *args, **kwargs):  # the bar's first note is sampled next
        if id(row) in pending and row.placed and row.placed[-1][0] == bar.index:
            cache, index, wanted = pending.pop(id(row))
            found = {}
            for slot in range(cache.capacity):
                if bool(cache.valid[index, slot]):
                    found.setdefault(int(cache.positions[index, slot]), []).append(
                        int(cache.pitches[index, slot]))
            for position, pitch in wanted.items():
                if pitch is not None:
                    assert pitch in found[position], (position, pitch)
        original_sampler(self, row, bar, *args, **kwargs)

    monkeypatch.setattr(generate_module.BarSampler, "__init__", sampler)
    monkeypatch.setattr(generate_module.Decoder, "place", place)
    song = generate(model, tokenizer, plan, 1, _config(context=256), POP909_ROLES)
    bars = list(plan.bars())
    restating = [b for b in bars if b.bar_in_phrase == 0 and b.repeat_of_bar is not None]
    assert restating and len(checked) == len(restating)
    assert not pending  # every placed source was checked when its bar's notes began
    for (count, sources), bar in zip(checked, restating, strict=True):
        assert count > 0 and sources[-1] >= bar.repeat_of_bar
    plain = generate(model, tokenizer, plan, 1, _config(context=256, source_in_context=False),
                     POP909_ROLES)
    assert _all_notes(plain) != _all_notes(song)  # the source in context changes the take


def test_forced_melody_notes_are_written_and_the_rest_sampled_around_them(model, tokenizer,
                                                                         plan):
    """A user's melody to arrange: its notes are written at their positions, the model
    samples only the other programs, and every bar still reads under the grammar."""
    from songform.symbolic.bar_sampler import ForcedNote, opening_state
    from songform.symbolic.grammar import Grammar

    melody = {}
    for bar in plan.bars():
        steps = (0, 4, 10) if bar.index % 2 else (2, 8)
        melody[bar.index] = [ForcedNote(step, ("Program_73", f"Pitch_{62 + step}",
                                               "Velocity_95", "Duration_1.0.4"))
                             for step in steps]
    fresh = set(range(plan.num_bars))
    song = generate(model, tokenizer, plan, 4, _config(), POP909_ROLES, forced=melody,
                    fresh=frozenset(fresh))
    full = generate(model, tokenizer, plan, 4, _config(max_tokens_per_bar=14), POP909_ROLES,
                    forced=melody, fresh=frozenset(fresh))
    for bar, tokens in zip(plan.bars(), full.written, strict=True):  # a full bar still gets
        assert tokens.count("Program_73") == len(melody[bar.index])  # every forced note
    grammar = Grammar(tokenizer)
    around = 0
    for bar, tokens in zip(plan.bars(), song.written, strict=True):
        notes, position = [], None
        for i, token in enumerate(tokens):
            if token.startswith("Position_"):
                position = int(token[9:])
            if token == "Program_73":
                notes.append(ForcedNote(position, tuple(tokens[i:i + 4])))
        assert notes == melody[bar.index]  # exactly the forced notes, nothing else on 73
        around += any(t.startswith("Program_") and t != "Program_73" for t in tokens)
        assert grammar.accepts(opening_state(bar, plan, POP909_ROLES, tokenizer),
                               list(tokens), tokenizer.vocab)
    assert around >= plan.num_bars // 2  # the model writes the other parts around them
