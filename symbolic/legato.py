"""A chorale's voices sing through their phrases, one note at a time: each note lasts until
its voice's next note (at least to the phrase's end when it is the phrase's last), and a voice
that enters late in a phrase enters on its first beat, its first note drawn back to the
phrase's start, when that note is a tone of the chord there. No note is dropped or repitched;
songs of other styles come back as they are."""

from __future__ import annotations

import bisect

from symusic import Note

from songform.hierarchy.plan import SongPlan
from songform.hierarchy.styles import four_part

from .cadence import chord_tones, hold_cadences, phrase_ends
from .song import PlannedScore, bar_lines
from .voice_leading import voice_names


def phrase_starts(song: PlannedScore) -> list[int]:
    """The tick where each phrase starts, then the song's end."""
    lines = bar_lines(song.plan, song.tpq)
    return [0, *(lines[index + 1] for index in phrase_ends(song.plan))]


def _opening_tones(plan: SongPlan) -> list[frozenset[int]]:
    """The pitch classes of the chord that opens each phrase (empty where there is none)."""
    bars = list(plan.bars())
    return [chord_tones(bars[first], 0.0)
            for first in [0, *(index + 1 for index in phrase_ends(plan)[:-1])]]


def _sung_through(notes: list[Note], starts: list[int], opening: list[frozenset[int]]
                  ) -> list[Note]:
    """``notes`` of one voice with its rests inside phrases closed (see the module)."""
    ordered = sorted(notes, key=lambda n: (n.time, n.pitch))
    result: list[Note] = []
    for index, note in enumerate(ordered):
        phrase = bisect.bisect_right(starts, note.time) - 1
        begin = starts[max(phrase, 0)]
        time = note.time
        sounding_at_begin = any(n.time <= begin < n.time + n.duration for n in ordered[:index])
        if (time > begin and not sounding_at_begin and phrase < len(opening)
                and (note.pitch % 12 in opening[phrase] or not opening[phrase])
                and all(n.time < begin for n in ordered[:index])):
            time = begin  # the voice's first note in this phrase, entering late
        later = [n.time for n in ordered[index + 1:] if n.time > note.time]
        phrase_end = starts[min(phrase + 1, len(starts) - 1)]
        end = min([max(note.time + note.duration, phrase_end), *later[:1]])
        result.append(Note(time, end - time, note.pitch, note.velocity))
    return result


def sing_through(song: PlannedScore) -> PlannedScore:
    """``song`` with its four voices singing through their phrases (a copy)."""
    plan = song.plan
    if not four_part(plan.style):
        return song
    voices = set(voice_names(plan)) - {None}
    starts, opening = phrase_starts(song), _opening_tones(plan)
    score = song.score.copy()
    for track in score.tracks:
        if track.name in voices and len(track.notes):
            notes = _sung_through(list(track.notes), starts, opening)
            track.notes.clear()
            track.notes.extend(notes)
    return type(song)(plan=plan, score=score, written=song.written)


def chorale_phrasing(song: PlannedScore) -> PlannedScore:
    """``song``'s voices singing through their phrases, each phrase closing on a held chord
    (``cadence.hold_cadences``): the voices fill their rests first, so each has a note to hold
    at the cadence, and again after, where a held chord dropped a note that crossed into the
    next phrase. Songs of other styles come back as they are."""
    return sing_through(hold_cadences(sing_through(song)))
