"""Held cadences: a chorale's phrase closes on a chord all voices hold (a fermata). In the last
bar of each phrase, from the bar's last :data:`HOLD_BEATS` beats on, each voice holds what it
sounds there to the phrase's end (or what it strikes first after, moved onto the hold), on a
tone of the planned chord there: the nearest (its own pitch first) that keeps the voices in
order without parallel fifths or octaves into the chord or out of it, else the nearest (struck
at the hold when it changes); and it strikes nothing after it."""

from __future__ import annotations

from dataclasses import dataclass

from symusic import Note

from songform.hierarchy.plan import BarPlan, SongPlan
from songform.hierarchy.styles import four_part

from .song import PlannedScore, bar_lines
from .ticks import quarters_to_ticks, ticks_to_quarters
from .voice_leading import parallel_perfect, voice_names

HOLD_BEATS = 2.0  # the cadence chord on beat 3 of a 4/4 bar, held to the bar line


def phrase_ends(plan: SongPlan) -> list[int]:
    """The index of each phrase's last bar."""
    ends, bar = [], 0
    for _, phrase in plan.phrases():
        bar += phrase.bars
        ends.append(bar - 1)
    return ends


def chord_tones(bar: BarPlan, offset: float) -> frozenset[int]:
    """The pitch classes of the chord sounding ``offset`` quarters into ``bar`` (none for a
    bar without chords or a no-chord)."""
    chord = bar.chord_at(offset)
    return frozenset(chord.pitch_classes) if chord is not None and chord.root is not None \
        else frozenset()


def _candidates(pitch: int, tones: frozenset[int]) -> list[int]:
    """Pitches for a voice at ``pitch`` to hold: ``pitch`` itself when it is a tone of the
    chord (or there are none), then the chord's tones within a fifth, nearest first."""
    if not tones:
        return [pitch]
    near = sorted((p for p in range(pitch - 7, pitch + 8) if p % 12 in tones and p != pitch),
                  key=lambda p: (abs(p - pitch), p))
    return ([pitch] if pitch % 12 in tones else []) + near


@dataclass
class _Voice:
    """One voice at a cadence: the note it holds, the pitch it sounds before the hold and the
    one it sings first after the phrase (``None`` where there is none)."""

    name: str
    held: Note | None
    before: int | None
    after: int | None
    pitch: int | None = None


def _sounding_at(notes: list[Note], time: int) -> int | None:
    return next((n.pitch for n in notes if n.time <= time < n.time + n.duration), None)


def _cadence_voice(name: str, notes: list[Note], hold: int, end: int) -> _Voice:
    """What ``notes`` hold from ``hold`` to ``end``: the note sounding there, else the first
    struck after it (moved onto the hold)."""
    held = next((n for n in notes if n.time <= hold < n.time + n.duration), None)
    if held is None:
        later = [n for n in notes if hold < n.time < end]
        held = Note(hold, end - hold, later[0].pitch, later[0].velocity) if later else None
    before = held.pitch if held is not None and held.time < hold else \
        _sounding_at(notes, hold - 1)
    ringing = [n.pitch for n in notes if hold <= n.time < end < n.time + n.duration]
    after = ringing[0] if ringing else next(
        (n.pitch for n in sorted(notes, key=lambda n: n.time) if n.time >= end), None)
    return _Voice(name, held, before, after)


def _voice_cadence(voices: list[_Voice], tones: frozenset[int]) -> None:
    """Choose each voice's held pitch, highest voice first: the nearest tone of the chord
    that keeps the voices in order and moves in no parallel fifth or octave with another
    voice, into the cadence or out of it (the nearest tone when none does)."""
    for index, voice in enumerate(voices):
        if voice.held is None:
            continue
        options = _candidates(voice.held.pitch, tones)
        voice.pitch = options[0]
        for option in options:
            if _fits(voices, index, option):
                voice.pitch = option
                break


def _fits(voices: list[_Voice], index: int, option: int) -> bool:
    voice = voices[index]
    for other_index, other in enumerate(voices):
        if other_index == index or other.held is None:
            continue
        pitch = other.pitch if other.pitch is not None else other.held.pitch
        upper = other_index < index
        if (option > pitch) if upper else (option < pitch):
            return False  # out of order
        for first, second in ((voice.before, option), (option, voice.after)):
            other_first, other_second = ((other.before, pitch) if first == voice.before
                                         else (pitch, other.after))
            if None in (first, second, other_first, other_second):
                continue
            pair = ((other_first, first), (other_second, second)) if upper else \
                ((first, other_first), (second, other_second))
            if parallel_perfect(*pair):
                return False
    return True


def _held(notes: list[Note], voice: _Voice, hold: int, end: int) -> list[Note]:
    """``notes`` holding ``voice``'s chosen pitch from ``hold`` to ``end``: the note that
    sounded there is held (struck again at ``hold`` when its pitch changes); nothing is
    struck between, and a note struck there that rang into the next phrase keeps only its
    part there."""
    kept = [n for n in notes if (n.time + n.duration <= hold or n.time >= end)]
    kept += [Note(end, n.time + n.duration - end, n.pitch, n.velocity) for n in notes
             if hold <= n.time < end < n.time + n.duration and n is not voice.held]
    note = voice.held
    if note is None:
        return notes
    if voice.pitch == note.pitch:
        kept.append(Note(note.time, end - note.time, note.pitch, note.velocity))
    else:
        if note.time < hold:  # what sounded before the cadence chord stays as it was
            kept.append(Note(note.time, hold - note.time, note.pitch, note.velocity))
        kept.append(Note(hold, end - hold, voice.pitch, note.velocity))
    return sorted(kept, key=lambda n: (n.time, n.pitch))


def hold_cadences(song: PlannedScore) -> PlannedScore:
    """``song`` with its four voices holding the chord that closes each phrase (a copy; the
    song itself is not changed). Songs of other styles come back as they are."""
    plan = song.plan
    if not four_part(plan.style):
        return song
    lines = bar_lines(plan, song.tpq)
    bars = list(plan.bars())
    names = voice_names(plan)
    score = song.score.copy()
    tracks = {t.name: t for t in score.tracks}
    parts = {name: list(tracks[name].notes) for name in names if name in tracks}
    for index in phrase_ends(plan):
        end = lines[index + 1]
        hold = max(lines[index], end - quarters_to_ticks(HOLD_BEATS, song.tpq))
        tones = chord_tones(bars[index], ticks_to_quarters(hold - lines[index], song.tpq))
        voices = [_cadence_voice(name, notes, hold, end) for name, notes in parts.items()]
        _voice_cadence(voices, tones)
        for voice in voices:
            parts[voice.name] = _held(parts[voice.name], voice, hold, end)
    for name, notes in parts.items():
        tracks[name].notes.clear()
        tracks[name].notes.extend(notes)
    return type(song)(plan=plan, score=score, written=song.written)
