"""The model's token stream into the plan's tracks, as a mix engineer would hand it over: a
role's notes to the plan's track of that role, the arranger's tracks for the roles the model
does not write (and where it left a planned track silent), velocities levelled and scaled by
the plan's energy, and each section's level ridden toward its energy."""

from __future__ import annotations

import bisect
import math

from symusic import Note, Track

from songform.hierarchy.plan import SongPlan
from songform.hierarchy.styles import four_part

from .arranger import arrange
from .legato import chorale_phrasing
from .song import PlannedScore, bar_lines, conductor_score, truncate_score
from .ticks import quarters_to_ticks
from .tokenizer import PROGRAM_ROLES, SongTokenizer
from .voice_leading import VOICE_ROLES

ENERGY_DB_PER_LEVEL = 2.5  # the model's dynamics: each energy level this much louder
MIDDLE_ENERGY = 4
HELD_QUARTERS = 2  # how long a held note counts toward a section's loudness
MAX_RIDE_DB = 6.0
LEVELLING_RANGE = (0.7, 1.4)  # how far a section's velocities move toward the track's mean


def _energy_dynamics(notes: dict[str, list[Note]], plan: SongPlan, tpq: int) -> None:
    """Scale the model's velocities by each section's planned energy (in place): POP909 gives
    the model no energy to follow, so a chorus would come back no louder than its verse.
    First each track's sections are levelled to the track's mean velocity over the song
    (within ``LEVELLING_RANGE``: the model's own drift from section to section is not the
    plan's), keeping the accents inside a section; then ``ENERGY_DB_PER_LEVEL`` dB a level
    around ``MIDDLE_ENERGY``. FluidSynth's loudness goes with velocity squared, so the
    velocity factor is ``10 ** (dB / 40)``."""
    starts = [low for low, _ in _section_spans(plan, tpq)]
    bounds = [(start, section.energy) for start, section in zip(starts, plan.sections,
                                                                 strict=True)]
    low, high = LEVELLING_RANGE
    for track in notes.values():
        if not track:
            continue
        song_mean = sum(n.velocity for n in track) / len(track)
        by_section: dict[int, list[Note]] = {}
        for note in track:
            by_section.setdefault(max(0, bisect.bisect_right(starts, note.time) - 1),
                                  []).append(note)
        for index, members in by_section.items():
            section_mean = sum(n.velocity for n in members) / len(members)
            level = min(high, max(low, song_mean / max(1.0, section_mean)))
            gain = level * 10 ** ((bounds[index][1] - MIDDLE_ENERGY) * ENERGY_DB_PER_LEVEL
                                  / 40)
            for note in members:
                note.velocity = int(min(127, max(1, round(note.velocity * gain))))


def _section_spans(plan: SongPlan, tpq: int) -> list[tuple[int, int]]:
    """Each section's first and end tick (its bar lines)."""
    lines = bar_lines(plan, tpq)
    spans, first = [], 0
    for section in plan.sections:
        spans.append((lines[first], lines[first + section.bars]))
        first += section.bars
    return spans


def _level_sections(notes: dict[str, list[Note]], drums: set[str], plan: SongPlan,
                    tpq: int) -> None:
    """Ride each section's level so that the notes' loudness follows the planned energy
    (in place), as a mix engineer rides the faders: instruments, density and note lengths
    change from section to section (a sustained clarinet intro outweighs a busy violin
    chorus), so velocities alone do not order the sections. The loudness of a section is
    estimated from its notes (velocity to the fourth power, FluidSynth's amplitude going
    with velocity squared, times the held length up to ``HELD_QUARTERS``, drums counted as
    half a beat, per tick of the section); its target is the song's bar-weighted mean plus
    ``ENERGY_DB_PER_LEVEL`` a level from the mean energy; the gain moves at most
    ``MAX_RIDE_DB`` either way."""
    held, drum_length = HELD_QUARTERS * tpq, tpq // 2
    spans = _section_spans(plan, tpq)
    starts = [low for low, _ in spans]
    power = [0.0] * len(spans)
    for name, track in notes.items():
        for note in track:
            index = max(0, bisect.bisect_right(starts, note.time) - 1)
            length = drum_length if name in drums else min(note.duration, held)
            power[index] += (note.velocity / 127) ** 4 * length
    levels = [10 * math.log10(max(p / max(1, high - low), 1e-12))
              for p, (low, high) in zip(power, spans, strict=True)]
    weights = [s.bars for s in plan.sections]
    heard = [(lvl, w, s.energy) for lvl, w, s, p in zip(levels, weights, plan.sections, power,
                                                         strict=True) if p > 0]
    if len(heard) < 2:
        return
    total = sum(w for _, w, _ in heard)
    mean_level = sum(lvl * w for lvl, w, _ in heard) / total
    mean_energy = sum(e * w for _, w, e in heard) / total
    gains = []
    for level, section, p in zip(levels, plan.sections, power, strict=True):
        target = mean_level + ENERGY_DB_PER_LEVEL * (section.energy - mean_energy)
        ride = 0.0 if p == 0 else min(MAX_RIDE_DB, max(-MAX_RIDE_DB, target - level))
        gains.append(10 ** (ride / 40))
    for track in notes.values():
        for note in track:
            gain = gains[max(0, bisect.bisect_right(starts, note.time) - 1)]
            note.velocity = int(min(127, max(1, round(note.velocity * gain))))


def _fill_silent_sections(notes: dict[str, list[Note]], arranged: dict[str, list[Note]],
                          plan: SongPlan, tpq: int) -> None:
    """Where the plan lists a track in a section but it sounds in fewer than half of the
    section's bars, that section of the track is the arranger's (in place)."""
    lines = bar_lines(plan, tpq)
    first = 0
    for section in plan.sections:
        low, high = lines[first], lines[first + section.bars]
        section_lines = lines[first:first + section.bars + 1]
        for name in section.tracks:
            inside = [n for n in notes[name] if low <= n.time < high]
            sounding = {sum(line <= n.time for line in section_lines) for n in inside}
            if 2 * len(sounding) < section.bars:
                notes[name] = [n for n in notes[name] if not low <= n.time < high] + [
                    n for n in arranged[name] if low <= n.time < high]
        first += section.bars


def song_from_stream(tokenizer: SongTokenizer, plan: SongPlan, stream: list[str],
          roles: tuple[str, ...], seed: int) -> PlannedScore:
    """Decode the stream into the plan's tracks (a role's notes go to the plan's first
    track of that role); roles the model does not write come from the arranger, and so does
    a planned track the model left silent in most of a section's bars (unless the model sings
    all four voices of a chorale); a chorale's voices sing through their phrases to held
    chords (``legato.chorale_phrasing``)."""
    score = conductor_score(plan)
    decoded = tokenizer.decode([tokenizer.vocab[t] for t in stream])
    decoded = decoded.resample(score.ticks_per_quarter, min_dur=1)
    end = quarters_to_ticks(plan.duration_quarters, score.ticks_per_quarter)
    decoded = truncate_score(decoded, end)  # notes ring no further than the last bar
    by_role = {}
    for track in plan.tracks:
        by_role.setdefault(track.role, track)
    notes: dict[str, list[Note]] = {t.name: [] for t in plan.tracks}
    for track in decoded.tracks:
        role = "drums" if track.is_drum else PROGRAM_ROLES.get(int(track.program))
        if role in by_role:
            notes[by_role[role].name].extend(track.notes)
    _energy_dynamics(notes, plan, score.ticks_per_quarter)
    arranged = {t.name: list(t.notes) for t in arrange(plan, seed).score.tracks}
    for track in plan.tracks:
        if track.role not in roles:
            notes[track.name] = arranged[track.name]
    if not (four_part(plan.style) and set(VOICE_ROLES) <= set(roles)):
        _fill_silent_sections(notes, arranged, plan, score.ticks_per_quarter)
    # (a model that sings every voice of a chorale fills its own rests: the arranger sings none)
    _level_sections(notes, {t.name for t in plan.tracks if t.is_drum}, plan,
                    score.ticks_per_quarter)
    for spec in plan.tracks:
        track = Track(name=spec.name, program=spec.program, is_drum=spec.is_drum)
        for note in sorted(notes[spec.name], key=lambda n: (n.time, n.pitch)):
            track.notes.append(Note(note.time, note.duration, note.pitch, note.velocity))
        score.tracks.append(track)
    return chorale_phrasing(PlannedScore(plan=plan, score=score))

