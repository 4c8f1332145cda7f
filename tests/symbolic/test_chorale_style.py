"""The chorale style: a phrase form, every voice written by a model that learned chorales,
each phrase closing on a held chord with a fermata in the score."""

from __future__ import annotations

import music21
import torch

import songform
from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Template
from songform.render.musicxml import write_musicxml
from songform.symbolic.cadence import hold_cadences, phrase_ends
from songform.symbolic.checkpoint import CheckpointInfo, save_checkpoint
from songform.symbolic.model import ModelConfig, MusicTransformer
from songform.symbolic.song import bar_lines
from songform.symbolic.tokenizer import SongTokenizer
from songform.symbolic.voice_leading import chorale_idioms
from songform.symbolic.writers import note_writer

VOICES = ("bass", "counter-melody", "harmony", "melody")


def _idiom_checkpoint(folder):
    tokenizer = SongTokenizer()
    torch.manual_seed(0)
    model = MusicTransformer(ModelConfig(vocab_size=len(tokenizer), dim=16, depth=1, heads=2,
                                         max_relative=32))
    save_checkpoint(folder, model, CheckpointInfo.for_songs(
        tokenizer, "pop909:2,jsb:1,folk:1", VOICES, idiom_roles={
            "pop": ("counter-melody", "harmony", "melody"), "chorale": VOICES,
            "folk": ("melody",)}))
    return folder


def test_the_chorale_form_is_phrases_in_bar_form():
    plan = plan_song(Template(style="chorale"), seed=4)
    assert {s.kind for s in plan.sections} == {"phrase"}
    labels = [phrase.label for _, phrase in plan.phrases()]
    assert labels[:4] == ["A", "B", "A", "B"] and "C" in labels[4:]  # Stollen twice, Abgesang
    restated = [phrase.repeat_of for _, phrase in plan.phrases()]
    assert restated[2:4] == [0, 1]


def test_a_model_of_chorales_writes_all_four_voices(tmp_path):
    writer = note_writer("model", _idiom_checkpoint(tmp_path / "ckpt"))
    plan = plan_song(Template(style="chorale", form="phrase:A2 phrase:B2"), seed=1)
    assert all(writer.player(plan, t.name) is None for t in plan.tracks)  # no arranger track
    pop = plan_song(Template(style="pop", form="verse:2"), seed=1)
    assert writer.player(pop, "Bass") == "the model does not write bass"
    tokens = writer.song_model.tokenizer.plan_tokens(next(iter(plan.bars())), plan, VOICES)
    assert tokens[0] == "Idiom_chorale" and "Tracks_bass+counter-melody+harmony+melody" in tokens
    song = writer.write(plan, 2)
    assert [t.name for t in song.score.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]


def test_phrases_close_on_held_chords_with_fermatas(tmp_path):
    song = songform.compose(Template(style="chorale"), seed=2, notes="arranger")
    measured = chorale_idioms(song)
    assert measured.cadences == 1.0 and measured.four_voices > 0.95
    alone = song.score.tracks[0].notes
    song.score.tracks[0].notes = alone[: len(alone) // 2]  # the soprano stops half way
    assert chorale_idioms(song).four_voices < 0.8 and chorale_idioms(song).cadences < 1.0
    song.score.tracks[0].notes = alone
    assert hold_cadences(song).score.tracks[0].notes == song.score.tracks[0].notes  # idempotent
    lines = bar_lines(song.plan, song.tpq)
    bars = list(song.plan.bars())
    for index in phrase_ends(song.plan):
        hold, end = lines[index + 1] - 2 * song.tpq, lines[index + 1]
        tones = bars[index].chord_at(2.0).pitch_classes
        for track in song.score.tracks:
            assert not [n for n in track.notes if hold < n.time < end]
            held = [n for n in track.notes if n.time <= hold < n.time + n.duration]
            assert all(n.time + n.duration == end and n.pitch % 12 in tones for n in held)
    path = write_musicxml(song, tmp_path / "chorale.musicxml")
    parsed = music21.converter.parse(str(path))
    clefs = [type(part.recurse().getElementsByClass("Clef").first()).__name__
             for part in parsed.parts]
    assert clefs[2:] == ["Treble8vbClef", "BassClef"]  # the tenor in the octave treble clef
    for part in parsed.parts:
        marked = [m.number for m in part.getElementsByClass("Measure")
                  if any(type(e).__name__ == "Fermata" for n in m.notes for e in n.expressions)]
        assert marked == [i + 1 for i in phrase_ends(song.plan)]
    pop = songform.compose(Template(style="pop", form="verse:4"), seed=2, notes="arranger")
    assert "fermata" not in write_musicxml(pop, tmp_path / "pop.musicxml").read_text()


def test_each_chorale_phrase_label_has_its_own_cadence():
    plan = plan_song(Template(style="chorale"), seed=4)
    chords = {phrase.label: [e.symbol for bar in phrase.chords for e in bar]
              for _, phrase in plan.phrases()}
    assert len({tuple(c) for c in chords.values()}) == len(chords)  # no two labels alike
    tonic = plan.sections[0].key.tonic_name
    last = [phrase for _, phrase in plan.phrases()][-1]
    assert last.chords[-1][-1].symbol == tonic  # the chorale closes on its tonic


def test_a_fiddle_tune_plays_aabb_with_a_b_strain_of_its_own():
    for style, meter in (("folk", "4/4"), ("jig", "6/8")):
        plan = plan_song(Template(style=style), seed=3)
        strains = [[phrase.label for phrase in s.phrases] for s in plan.sections]
        assert strains == [["A", "B"], ["A", "B"], ["C", "D"], ["C", "D"]]
        assert {str(s.meter) for s in plan.sections} == {meter}
        chords = [[e.symbol for p in s.phrases for bar in p.chords for e in bar]
                  for s in plan.sections]
        assert chords[0] == chords[1] != chords[2] == chords[3]
        restated = [p.repeat_of for _, p in plan.phrases()]
        assert restated == [None, None, 0, 1, None, None, 4, 5]


def test_no_arranger_part_fills_a_chorale_the_model_sings_whole(tmp_path, monkeypatch):
    from songform.symbolic import mixdown

    filled = []
    monkeypatch.setattr(mixdown, "_fill_silent_sections",
                        lambda notes, arranged, plan, tpq: filled.append(plan.style))
    writer = note_writer("model", _idiom_checkpoint(tmp_path / "ckpt"))
    writer.write(plan_song(Template(style="chorale", form="phrase:A2"), seed=1), 1)
    writer.write(plan_song(Template(style="pop", form="verse:2"), seed=1), 1)
    assert filled == ["pop"]  # a pop part the model leaves silent is still the arranger's
