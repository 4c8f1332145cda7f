"""Edits of a song's plan: a new tempo or key that change no note choice, a section's
energy or chords, after which the bars they touch are written again, and a section made
longer, whose new bars are written, and a track added (written by the model around the
song, or played by the arranger) or taken out (``songform edit --tempo / --transpose / --set
/ --extend / --add-track / --remove-track``; ``Song.with_tempo``, ``Song.transposed``,
``Song.edit``, ``Song.extended``, ``Song.with_track``, ``Song.without_track``).
"""

from __future__ import annotations

import dataclasses
import math

from symusic import Note, Track

from songform.core.errors import InputError
from songform.core.limits import PLAN_TEMPO_RANGE
from songform.hierarchy.chordgrid import fit_grid, parse_chord_grid, realise_bar
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.plan import ChordEvent, PhrasePlan, SongPlan, TrackSpec
from songform.symbolic.song import PlannedScore, conductor_score
from songform.symbolic.splice import drop_program
from songform.symbolic.ticks import quarters_to_ticks
from songform.symbolic.tokenizer import ROLE_PROGRAMS, token_number
from songform.symbolic.writers import ArrangerWriter

from .project import section_bars

SETTABLE = ("energy", "chords")


def with_tempo(song: PlannedScore, bpm: float) -> PlannedScore:
    """``song`` at ``bpm`` (the first section's tempo; every section keeps its ratio to it):
    every note keeps its onset and length in beats."""
    low, high = PLAN_TEMPO_RANGE
    if not math.isfinite(bpm):
        raise InputError(f"--tempo: expected a tempo in BPM, got {bpm}")
    factor = bpm / song.plan.sections[0].tempo
    sections = []
    for section in song.plan.sections:
        tempo = round(section.tempo * factor, 3)
        if not low <= tempo <= high:
            raise InputError(f"--tempo {bpm:g}: a section would be at {tempo:g} BPM "
                             f"({low:g}-{high:g})")
        sections.append(dataclasses.replace(section, tempo=tempo))
    return _restaged(song, dataclasses.replace(song.plan, sections=tuple(sections)),
                     shift=0)


def transposed(song: PlannedScore, semitones: int) -> PlannedScore:
    """``song`` moved by ``semitones``: keys, chords and every pitched note (drums stay);
    onsets and intervals unchanged."""
    if not -24 <= semitones <= 24:
        raise InputError(f"--transpose {semitones}: at most two octaves either way")
    sections = []
    for section in song.plan.sections:
        key = section.key.transpose(semitones)
        phrases = tuple(dataclasses.replace(phrase, chords=tuple(
            tuple(ChordEvent(event.offset, event.chord.transpose(semitones).symbol(
                prefer_flats=key.prefers_flats)) for event in bar) for bar in phrase.chords))
            for phrase in section.phrases)
        sections.append(dataclasses.replace(section, key=key, phrases=phrases))
    plan = dataclasses.replace(song.plan, sections=tuple(sections))
    pitched = [n.pitch for t in song.score.tracks if not t.is_drum for n in t.notes]
    if pitched and not 0 <= min(pitched) + semitones <= max(pitched) + semitones <= 127:
        raise InputError(f"--transpose {semitones}: notes would leave the MIDI range 0-127")
    return _restaged(song, plan, shift=semitones)


def with_section(plan: SongPlan, name: str, **changes: str) -> tuple[SongPlan, list[int]]:
    """``plan`` with section ``name``'s ``energy`` (0-7) or ``chords`` (a grid such as
    ``"vi IV I V"`` or ``"| C G | Am F |"``, cycled over its bars) changed; and the bars that
    must be written again."""
    unknown = set(changes) - set(SETTABLE)
    if unknown:
        raise InputError(f"--set: can set {', '.join(SETTABLE)}, not {', '.join(unknown)}")
    bars = section_bars(plan, name)
    index = next(b.section_index for b in plan.bars() if b.index == bars[0])
    section = plan.sections[index]
    try:
        if "energy" in changes:
            section = dataclasses.replace(section, energy=int(changes["energy"]))
        if "chords" in changes:
            grid = fit_grid(parse_chord_grid(changes["chords"]), section.bars)
            cells = iter(grid)
            phrases = tuple(dataclasses.replace(phrase, chords=tuple(
                realise_bar(next(cells), section.key, section.meter)
                for _ in range(phrase.bars))) for phrase in section.phrases)
            section = dataclasses.replace(section, phrases=phrases)
    except (TemplateError, ValueError) as error:
        raise InputError(f"--set {name}: {error}") from None
    sections = list(plan.sections)
    sections[index] = section
    return dataclasses.replace(plan, sections=tuple(sections)), bars


MAX_EXTENSION = 64


def extended(song: PlannedScore, name: str, bars: int) -> tuple[PlannedScore, list[int]]:
    """``song`` with ``bars`` more bars at the end of section ``name`` (a phrase of the
    section's last label, its chords the section's last bars' chords), every later note moved
    on by their length; and the new bars' indices (to be written). The new bars hold no
    notes and no tokens yet."""
    if not 1 <= bars <= MAX_EXTENSION:
        raise InputError(f"--extend: 1 to {MAX_EXTENSION} bars, got {bars}")
    plan = song.plan
    old_bars = section_bars(plan, name)
    index = next(b.section_index for b in plan.bars() if b.index == old_bars[0])
    section = plan.sections[index]
    chords = [bar for phrase in section.phrases for bar in phrase.chords]
    tail = chords[-bars:] if bars <= len(chords) else chords
    added = PhrasePlan(section.phrases[-1].label, bars,
                       tuple(tail[i % len(tail)] for i in range(bars)))
    inserted_at = sum(len(s.phrases) for s in plan.sections[:index + 1])  # phrase index
    sections = []
    for number, old in enumerate(plan.sections):
        phrases = tuple(dataclasses.replace(p, repeat_of=p.repeat_of + 1)
                        if p.repeat_of is not None and p.repeat_of >= inserted_at else p
                        for p in old.phrases)
        if number == index:
            phrases += (added,)
        sections.append(dataclasses.replace(old, phrases=phrases))
    new_plan = dataclasses.replace(plan, sections=tuple(sections))
    first_new = old_bars[-1] + 1
    point = quarters_to_ticks(next(b.start + b.length for b in plan.bars()
                                   if b.index == old_bars[-1]), song.tpq)
    shift = quarters_to_ticks(float(section.meter.quarters_per_bar) * bars, song.tpq)
    score = conductor_score(new_plan, song.tpq)
    for track in song.score.tracks:
        moved = Track(name=track.name, program=track.program, is_drum=track.is_drum)
        for note in track.notes:
            at = note.time + shift if note.time >= point else note.time
            moved.notes.append(Note(at, note.duration, note.pitch, note.velocity))
        score.tracks.append(moved)
    written = song.written
    if written is not None:
        written = written[:first_new] + ((),) * bars + written[first_new:]
    new = list(range(first_new, first_new + bars))
    return type(song)(plan=new_plan, score=score, written=written), new


ROLE_PROGRAMS_GM = {"melody": 80, "counter-melody": 48, "harmony": 0, "bass": 33, "drums": 0}
"""The General MIDI program a track added by role gets unless one is given."""


ADDED_PART_CHORD_BIAS = 1.0
"""Chord guidance for an added accompaniment part the model writes, unless one is given: it
cannot hear the forced notes of later roles at its own onsets (the stream puts the harmony
after the counter-melody), so without it a counter-melody over a finished song clashes more
than the song's own (bench/added_track.py). A melody keeps the writer's setting."""


def with_track(song: PlannedScore, spec: str, seed: int, writer=None,
               chord_bias: float | None = None) -> PlannedScore:
    """``song`` with a track ``"Name:role[:program]"`` playing in every section; every other
    note and track unchanged. The model writes the new part when ``writer`` plays it
    (``NoteWriter.player``: a model that writes the role, and no track of the song has it
    yet): the song's tokens are forced note for note in every bar and the model samples only
    the new role's notes around them, each onset in the stream's role order (``chord_bias``:
    default :data:`ADDED_PART_CHORD_BIAS` for an accompaniment role, the writer's own for a
    melody). Otherwise the arranger plays it with ``seed`` and the model's tokens stay as
    they were."""
    parts = [part.strip() for part in spec.split(":")]
    if len(parts) not in (2, 3) or not parts[0]:
        raise InputError(f'--add-track: expected "Name:role" or "Name:role:program", got '
                         f'"{spec}"')
    name, role = parts[0], parts[1]
    if any(t.name.lower() == name.lower() for t in song.plan.tracks):
        raise InputError(f'--add-track: the song already has a track "{name}"')
    try:
        program = int(parts[2]) if len(parts) == 3 else ROLE_PROGRAMS_GM.get(role, 0)
        track = TrackSpec(name, program, role)
    except (TemplateError, ValueError) as error:
        raise InputError(f"--add-track {spec}: {error}") from None
    plan = song.plan
    sections = tuple(dataclasses.replace(s, tracks=(*s.tracks, name)) for s in plan.sections)
    new_plan = dataclasses.replace(plan, tracks=(*plan.tracks, track), sections=sections)
    score = song.score.copy()
    score.tracks.append(Track(name=name, program=program, is_drum=track.is_drum))
    around = type(song)(plan=new_plan, score=score, written=song.written)
    writer = writer or ArrangerWriter()
    if writer.player(new_plan, name) is None:  # the model writes it: a chord bias of its own
        if chord_bias is None and role != "melody":
            chord_bias = ADDED_PART_CHORD_BIAS
        if chord_bias is not None:
            writer = dataclasses.replace(writer, config=dataclasses.replace(
                writer.config, chord_bias=chord_bias))
    return writer.write(new_plan, seed, around=around, tracks=[name])


def without_track(song: PlannedScore, name: str) -> PlannedScore:
    """``song`` without track ``name``: gone from the plan, every section and the notes (and
    from the model's tokens when no other track plays its role); nothing else moves."""
    plan = song.plan
    names = [t.name for t in plan.tracks]
    match = next((t for t in plan.tracks if t.name.lower() == name.lower()), None)
    if match is None:
        raise InputError(f'no track "{name}" in this song; its tracks are '
                         f"{', '.join(names)}")
    if len(plan.tracks) == 1:
        raise InputError(f'"{match.name}" is the song\'s only track')
    sections = tuple(dataclasses.replace(s, tracks=tuple(t for t in s.tracks
                                                         if t != match.name))
                     for s in plan.sections)
    kept = tuple(t for t in plan.tracks if t.name != match.name)
    new_plan = dataclasses.replace(plan, tracks=kept, sections=sections)
    score = song.score.copy()
    score.tracks = [t for t in song.score.tracks if t.name != match.name]
    written = song.written
    if written is not None and all(t.role != match.role for t in kept):
        program = f"Program_{ROLE_PROGRAMS[match.role]}"
        written = tuple(tuple(drop_program(bar, program)) for bar in written)
    return type(song)(plan=new_plan, score=score, written=written)


def _restaged(song: PlannedScore, plan: SongPlan, shift: int) -> PlannedScore:
    """The notes of ``song`` (pitched ones moved by ``shift``) under ``plan``'s tempo, meter,
    key maps and markers; its tokens moved too."""
    score = conductor_score(plan, song.tpq)
    for track in song.score.tracks:
        moved = Track(name=track.name, program=track.program, is_drum=track.is_drum)
        for note in track.notes:
            pitch = note.pitch if track.is_drum else note.pitch + shift
            moved.notes.append(Note(note.time, note.duration, pitch, note.velocity))
        score.tracks.append(moved)
    written = song.written
    if written is not None and shift:
        written = tuple(tuple(f"Pitch_{token_number(t) + shift}" if t.startswith("Pitch_") else t
                              for t in bar) for bar in written)
    return type(song)(plan=plan, score=score, written=written)
