"""A user's melody arranged into a song (``songform arrange``).

The melody is kept note for note as the lead. Its plan is derived from it: phrases and
sections by self-similarity (or a form the user gives, ``--form``), the key from its pitch
classes, the chords either given (a grid such as ``"| C G | Am F |"``, cycled over the
bars) or harmonised from the melody
(``data/harmonize.py``: diatonic triads by Viterbi over how well each holds the melody). The
style gives the other tracks. While the model writes, the melody's note tokens are forced at
their positions and only the other roles are sampled around them (``NoteWriter.write`` around
the melody):
at each onset the melody is written first, as POP909's streams put it, so the accompaniment
there already hears it. The arranger plays the roles the model does not write. The melody in
the output is the user's own notes (the tokens are quantised; the notes are not).
"""

from __future__ import annotations

import dataclasses

from symusic import Note, Score, Track

from songform.core.errors import InputError
from songform.data.analysis import derive_plan
from songform.data.harmonize import harmonize, melody_key
from songform.hierarchy.chord import Chord
from songform.hierarchy.chordgrid import fit_grid, parse_chord_grid, realise_bar
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.key import Key
from songform.hierarchy.plan import ChordEvent, SongPlan, TrackSpec
from songform.hierarchy.planner import check_meter, plan_song
from songform.hierarchy.template import Template
from songform.hierarchy.template_yaml import read_yaml_template
from songform.symbolic.song import PlannedScore
from songform.symbolic.ticks import ticks_to_quarters

from .sketch import with_conductor


def melody_of(score: Score, track_name: str | None = None
              ) -> tuple[Track, list[str], int]:
    """The melody track (the one named, else the only pitched one) as one voice: the highest
    note at each onset, each note cut where the next begins; notes on what was done; and the
    index of the track it came from."""
    indexed = [(i, t) for i, t in enumerate(score.tracks) if not t.is_drum and len(t.notes)]
    if track_name is not None:
        indexed = [(i, t) for i, t in indexed if t.name.lower() == track_name.lower()]
    pitched = [t for _, t in indexed]
    if track_name is not None and not pitched:
        names = ", ".join(t.name or "(unnamed)" for t in score.tracks) or "none"
        raise InputError(f'--melody-track: no track "{track_name}" with notes; the '
                         f"file's tracks: {names}")
    if not pitched:
        raise InputError("the melody has no pitched notes")
    if len(pitched) > 1:
        names = ", ".join(f'"{t.name}"' for t in pitched)
        raise InputError(f"several tracks could be the melody ({names}): name one with "
                         "--melody-track")
    track = pitched[0]
    highest: dict[int, Note] = {}
    for note in track.notes:
        if note.time not in highest or note.pitch > highest[note.time].pitch:
            highest[note.time] = note
    onsets = sorted(highest)
    voice = Track(name=track.name or "Melody", program=track.program)
    cut = 0
    for index, time in enumerate(onsets):
        note = highest[time]
        end = note.time + note.duration
        if index + 1 < len(onsets) and end > onsets[index + 1]:
            end, cut = onsets[index + 1], cut + 1
        voice.notes.append(Note(note.time, max(1, end - note.time), note.pitch, note.velocity))
    notes = []
    if len(voice.notes) < len(track.notes) or cut:
        notes.append(f"the melody: the highest voice of {track.name or 'its track'} taken "
                     f"({len(track.notes) - len(voice.notes)} lower notes left out, {cut} "
                     "notes cut where the next begins)")
    return voice, notes, indexed[0][0]


def melody_plan(derived: SongPlan, voice: Track, tpq: int, style: str | None, seed: int,
                chords: str | None, key: Key | None, channel: int | None = None) -> SongPlan:
    """The plan to arrange ``voice`` under: ``derived``'s sections and phrases (analysis of
    the melody), one key for the song (given, or the melody's), chords given or harmonised,
    the melody as the melody track and the style's other tracks in every section."""
    notes = [(ticks_to_quarters(n.time, tpq), ticks_to_quarters(n.time + n.duration, tpq),
              n.pitch) for n in voice.notes]
    key = key or melody_key(notes)
    meter = derived.sections[0].meter
    bars = derived.num_bars
    if chords is not None:
        try:
            grid = fit_grid(parse_chord_grid(chords), bars)
            per_bar = [realise_bar(cell, key, meter) for cell in grid]
        except (TemplateError, ValueError) as error:
            raise InputError(f"--chords: {error}") from None
    else:
        per_bar = [tuple(ChordEvent(offset, _symbol(chord, key)) for offset, chord in bar)
                   for bar in harmonize(notes, meter, bars, key)]
    style_plan = plan_song(Template(style=style, bars=8), seed)
    others = tuple(t for t in style_plan.tracks if t.role != "melody")
    name = voice.name or "Melody"
    while any(t.name.lower() == name.lower() for t in others):
        name += " (melody)"
    lead = TrackSpec(name, max(0, int(voice.program)), "melody", channel=channel)
    tracks = (lead, *others)
    sections, bar = [], 0
    for section in derived.sections:
        phrases = []
        for phrase in section.phrases:
            phrases.append(dataclasses.replace(phrase, chords=tuple(per_bar[bar:bar
                                                                           + phrase.bars])))
            bar += phrase.bars
        sections.append(dataclasses.replace(section, key=key, phrases=tuple(phrases),
                                            tracks=tuple(t.name for t in tracks)))
    return SongPlan(title=derived.title, style=style_plan.style, seed=seed, tracks=tracks,
                    sections=tuple(sections),
                    notes=(f"chords: {'given' if chords else 'harmonised from the melody'}; "
                           f"key {key}",))


def _symbol(chord: Chord, key: Key) -> str:
    return chord.symbol(prefer_flats=key.prefers_flats)


def form_plan(form: Template, derived: SongPlan, style: str | None, seed: int) -> SongPlan:
    """The sections and phrases of a form the user gives (a form string or a YAML template)
    in the melody's meter, in place of those found by self-similarity; its bars must be the
    melody's."""
    try:
        template = dataclasses.replace(form, form=None, style=style or form.style,
                                       meter=form.meter or derived.sections[0].meter,
                                       title=derived.title)
        plan = plan_song(template, seed)
    except TemplateError as error:
        raise InputError(f"--form: {error}") from None
    if plan.num_bars != derived.num_bars:
        raise InputError(f"--form: the form has {plan.num_bars} bars and the melody "
                         f"{derived.num_bars}; give a form of {derived.num_bars} bars")
    return plan


def read_form(form: str | None) -> Template | None:
    """The sections a user gives a melody (``--form``): a YAML template file or a form
    string; ``None`` when not given.

    Raises:
        InputError: naming ``--form``.
    """
    if form is None:
        return None
    try:
        return (read_yaml_template(form) if form.endswith((".yaml", ".yml"))
                else Template(form=form))
    except (TemplateError, OSError) as error:
        raise InputError(f"--form: {error}") from None


def read_key(key: str | None) -> Key | None:
    """The key a user gives a melody (``--key``); ``None`` when not given.

    Raises:
        InputError: naming ``--key``.
    """
    try:
        return Key.parse(key) if key is not None else None
    except ValueError as error:
        raise InputError(f"--key: {error}") from None


def arrange_melody(score: Score, writer, *, style: str | None = None, seed: int = 0,
                   chords: str | None = None, key: Key | None = None,
                   melody_track: str | None = None, title: str = "melody",
                   progress=None, form: Template | None = None,
                   channels: list[int | None] | None = None) -> PlannedScore:
    """``score``'s melody arranged (see the module docstring); ``form`` gives the sections
    instead of the melody's self-similarity; ``channels`` (per track of ``score``) the MIDI
    channel the melody keeps."""
    voice, notes, index = melody_of(score, melody_track)
    lead = Score(score.ticks_per_quarter)
    lead.tempos, lead.time_signatures = score.tempos, score.time_signatures
    lead.tracks.append(voice.copy())
    try:
        derived = derive_plan(lead, title=title, melody_form=form is None)
    except ValueError as error:
        raise InputError(f"the melody: {error}") from None
    for section in derived.sections:
        check_meter(section.meter)
    if form is not None:
        derived = form_plan(form, derived, style, seed)
    channel = channels[index] if channels is not None else None
    plan = melody_plan(derived, voice, score.ticks_per_quarter, style, seed, chords, key,
                       channel)
    plan = dataclasses.replace(plan, notes=plan.notes + tuple(notes))
    voice.name = plan.tracks[0].name
    lead.tracks[0].name = voice.name
    melody_song = PlannedScore(plan=plan, score=lead)
    others = [t.name for t in plan.tracks if t.name != voice.name]
    written = writer.write(plan, seed, progress, around=melody_song,
                           fresh=range(plan.num_bars), tracks=others)
    return with_conductor(written, score, plan.num_bars)
