"""The baseline arranger: chord tones on strong beats, exact restatements, determinism,
meters."""

from __future__ import annotations

import mido
import pytest

from songform.hierarchy.chord import Chord
from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Section, Template
from songform.render.midi import midi_file, write_midi
from songform.symbolic.arranger import arrange
from songform.symbolic.ticks import quarters_to_ticks


def _chord_at(bar, offset):
    current = bar.chords[0]
    for event in bar.chords:
        if event.offset <= offset + 1e-9:
            current = event
    return Chord.parse(current.symbol)


def _accent_checks(song) -> int:
    """Asserts every harmony, bass and counter-melody note on an accent is a chord tone;
    returns how many it checked."""
    plan, tpq = song.plan, song.tpq
    bars = list(plan.bars())
    roles = {t.name: t.role for t in plan.tracks}
    checked = 0
    for track in song.score.tracks:
        if roles[track.name] not in ("harmony", "bass", "counter-melody"):
            continue
        starts = {}
        for bar in bars:
            for accent in bar.meter.accent_offsets:
                starts[quarters_to_ticks(bar.start + float(accent), tpq)] = (bar, float(accent))
        for note in track.notes:
            if note.time in starts:
                bar, offset = starts[note.time]
                assert note.pitch % 12 in _chord_at(bar, offset).pitch_classes, (
                    plan.style, track.name, bar.index, offset)
                checked += 1
    return checked


@pytest.mark.parametrize("style", ["pop", "jazz", "waltz", "chorale", "house"])
def test_accompaniment_on_strong_beats_plays_chord_tones(style):
    assert _accent_checks(arrange(plan_song(Template(style=style), seed=3))) > 50


def _melody_by_phrase(song):
    plan, tpq = song.plan, song.tpq
    melody = next(t for t in song.score.tracks if t.name == plan.tracks[0].name)
    bars = list(plan.bars())
    first_bar = {}
    for bar in bars:
        first_bar.setdefault(bar.phrase_index, bar)
    spans = {}
    for index, bar in first_bar.items():
        phrase_bars = [b for b in bars if b.phrase_index == index]
        end = phrase_bars[-1].start + phrase_bars[-1].length
        spans[index] = (quarters_to_ticks(bar.start, tpq), quarters_to_ticks(end, tpq))
    return {index: [(n.time - start, n.duration, n.pitch) for n in melody.notes
                    if start <= n.time < end] for index, (start, end) in spans.items()}


def test_restatement_with_variation_zero_is_note_for_note():
    template = Template(sections=[Section("verse", bars=8), Section("chorus", bars=8),
                                  Section(repeat="verse 1", variation=0.0),
                                  Section(repeat="chorus 1", variation=0.0)],
                        style="pop", key="C")
    song = arrange(plan_song(template, seed=5))
    melodies = _melody_by_phrase(song)
    compared = 0
    for index, (_, phrase) in enumerate(song.plan.phrases()):
        if phrase.repeat_of is not None and phrase.variation == 0.0:
            assert melodies[index] == melodies[phrase.repeat_of] and melodies[index]
            compared += 1
    assert compared >= 4


def test_variation_changes_some_notes_but_keeps_rhythm():
    template = Template(sections=[Section("verse", bars=8), Section(repeat="verse 1",
                                                                    variation=1.0)],
                        style="pop", key="C")
    song = arrange(plan_song(template, seed=5))
    melodies = _melody_by_phrase(song)
    source, restated = melodies[0], melodies[2]
    assert [(t, d) for t, d, _ in source] == [(t, d) for t, d, _ in restated]
    assert [p for *_, p in source] != [p for *_, p in restated]


def test_same_seed_same_midi_bytes(tmp_path):
    template = Template(style="rock")
    a = write_midi(arrange(plan_song(template, seed=9)), tmp_path / "a.mid").read_bytes()
    b = write_midi(arrange(plan_song(template, seed=9)), tmp_path / "b.mid").read_bytes()
    c = write_midi(arrange(plan_song(template, seed=10)), tmp_path / "c.mid").read_bytes()
    assert a == b and a != c


@pytest.mark.parametrize("template,meter", [
    (Template(style="waltz"), (3, 4)),
    (Template(form="intro:2 verse:8 chorus:8", meter="7/8:2+2+3", style="rock"), (7, 8)),
])
def test_odd_meters_come_out_in_their_meter(template, meter):
    song = arrange(plan_song(template, seed=1))
    midi = midi_file(song)
    signatures = [(m.numerator, m.denominator) for m in midi.tracks[0]
                  if m.type == "time_signature"]
    assert signatures == [meter]
    bar_ticks = quarters_to_ticks(4 * meter[0] / meter[1])
    assert song.end_tick == bar_ticks * song.plan.num_bars
    harmony = next(t for t, s in zip(song.score.tracks, song.plan.tracks, strict=True)
                   if s.role == "harmony")
    first = next(song.plan.bars())
    beats = [float(b) for b in first.meter.beat_offsets] + [first.length]
    grid = {quarters_to_ticks(x) for a, b in zip(beats, beats[1:], strict=False)
            for x in (a, (a + b) / 2)}
    assert all(n.time % bar_ticks in grid for n in harmony.notes)  # beats and half beats
    assert isinstance(midi, mido.MidiFile)


def test_seeds_vary_the_drums_and_section_kinds_play_them_differently():
    """Two seeds of a style never give the same drum bytes; a song's verse and chorus draw
    their own groove variants."""
    import hashlib
    import random

    from songform.hierarchy.plan import SECTION_KINDS
    from songform.symbolic import drums

    for style in ("pop", "rock", "blues", "house", "jazz", "ballad"):
        digests = set()
        for seed in range(10):
            song = arrange(plan_song(Template(style=style), seed), seed)
            hits = [(n.time, n.pitch, n.velocity) for t in song.score.tracks if t.is_drum
                    for n in t.notes]
            digests.add(hashlib.sha1(repr(hits).encode()).hexdigest())
        assert len(digests) == 10, style
    variants = {drums.GrooveVariant.draw(random.Random(f"songform-drums:3:{kind}"))
                for kind in SECTION_KINDS}
    assert len(variants) > 3


@pytest.mark.parametrize("style", ["pop", "ballad", "rock", "blues", "jazz", "chorale",
                                   "house", "waltz"])  # a fiddle tune's form is AABB always
def test_seeds_vary_the_form_of_every_style(style):
    """Two seeds of a style give different forms (kinds, lengths and phrase labels: a
    chorale's form is its phrases) in at least 9 of 10 seed pairs, and every form is one the
    style's slots allow."""
    from songform.hierarchy.styles import STYLES

    def form(seed):
        plan = plan_song(Template(style=style), seed)
        return tuple((s.kind, s.bars, tuple(p.label for p in s.phrases))
                     for s in plan.sections)

    differ = sum(form(2 * k) != form(2 * k + 1) for k in range(10))
    assert differ >= 9, style
    assert STYLES[style].form_options  # the variety comes from the style's own slots


@pytest.mark.parametrize("style", ["pop", "rock", "jazz", "house", "waltz"])
def test_seeds_vary_the_bass_and_comping_rhythms(style):
    """One plan arranged with ten seeds: the bass and the comping part play at least six
    different lines (onsets and pitches), where they used to play one. A walking bass keeps
    its every beat, so its seeds differ in the notes they walk through."""
    plan = plan_song(Template(style=style), 0)
    roles = {t.name: t.role for t in plan.tracks}
    rhythms: dict[str, set] = {"bass": set(), "harmony": set()}
    for seed in range(10):
        song = arrange(plan, seed)
        for track in song.score.tracks:
            if roles[track.name] in rhythms:
                if style in ("rock", "jazz", "house"):  # idioms: lines, onsets and pitches
                    line = tuple(sorted({(n.time, n.pitch) for n in track.notes}))
                else:  # the arranger's figures: rhythms alone
                    line = tuple(sorted({n.time for n in track.notes}))
                rhythms[roles[track.name]].add(line)
    assert len(rhythms["bass"]) >= 6, style
    if style != "waltz":  # the waltz keeps its oom-pah-pah
        assert len(rhythms["harmony"]) >= 6, style


def test_rhythm_figures_keep_the_chord_on_the_beat():
    """Whatever the figure, what sounds on a chord's accents is that chord (the broken chord
    starts as a full chord, a push lands before the change, an approach note off the beat)."""
    import random

    from songform.symbolic.comping import RhythmFigure

    figures = {RhythmFigure.draw(random.Random(f"songform-comping:{s}:verse"))
               for s in range(40)}
    assert len(figures) >= 10  # the figures all come up
    plan = plan_song(Template(style="pop"), 2)
    for seed in range(8):
        assert _accent_checks(arrange(plan, seed)) > 100
