"""Held cadences: a chorale's phrase closes on a chord all voices hold (a fermata). In the last
bar of each phrase, from the bar's last :data:`HOLD_BEATS` beats on, each voice holds what it
sounds there to the phrase's end (or what it strikes first after, moved onto the hold), on a
tone of the planned chord there (the nearest one, struck at the hold, when it is none), and
strikes nothing after it."""

from __future__ import annotations

from symusic import Note

from songform.hierarchy.plan import SongPlan
from songform.hierarchy.styles import four_part

from .song import PlannedScore, bar_lines
from .ticks import quarters_to_ticks, ticks_to_quarters
from .voice_leading import VOICE_ROLES

HOLD_BEATS = 2.0  # the cadence chord on beat 3 of a 4/4 bar, held to the bar line


def phrase_ends(plan: SongPlan) -> list[int]:
    """The index of each phrase's last bar."""
    ends, bar = [], 0
    for _, phrase in plan.phrases():
        bar += phrase.bars
        ends.append(bar - 1)
    return ends


def _nearest(pitch: int, tones: frozenset[int]) -> int:
    """The pitch of ``tones`` (pitch classes) nearest ``pitch`` (``pitch`` itself when it is
    one, or when there are none)."""
    if not tones or pitch % 12 in tones:
        return pitch
    return min((p for p in range(pitch - 6, pitch + 7) if p % 12 in tones),
               key=lambda p: (abs(p - pitch), p))


def _held(notes: list[Note], hold: int, end: int, tones: frozenset[int]) -> list[Note]:
    """``notes`` with the chord at ``hold`` held to ``end``: a note sounding there is held
    (struck again at ``hold`` on the nearest tone of the chord when it is none of its tones);
    with none sounding, what is struck first after it moves onto it; nothing is struck
    between."""
    sounding = [n for n in notes if n.time <= hold < n.time + n.duration]
    later = [n for n in notes if hold < n.time < end]
    kept = [n for n in notes if (n.time + n.duration <= hold or n.time >= end)]
    if not sounding and later:
        sounding = [Note(hold, end - hold, n.pitch, n.velocity) for n in later
                    if n.time == later[0].time]
    for note in sounding:
        pitch = _nearest(note.pitch, tones)
        if pitch == note.pitch:
            kept.append(Note(note.time, end - note.time, note.pitch, note.velocity))
            continue
        if note.time < hold:  # what sounded before the cadence chord stays as it was
            kept.append(Note(note.time, hold - note.time, note.pitch, note.velocity))
        kept.append(Note(hold, end - hold, pitch, note.velocity))
    return sorted(kept, key=lambda n: (n.time, n.pitch))


def hold_cadences(song: PlannedScore) -> PlannedScore:
    """``song`` with its four voices holding the chord that closes each phrase (a copy; the
    song itself is not changed). Songs of other styles come back as they are."""
    plan = song.plan
    if not four_part(plan.style):
        return song
    lines = bar_lines(plan, song.tpq)
    bars = list(plan.bars())
    voices = {next((t.name for t in plan.tracks if t.role == role), None)
              for role in VOICE_ROLES} - {None}
    score = song.score.copy()
    for track in score.tracks:
        if track.name not in voices:
            continue
        notes = list(track.notes)
        for index in phrase_ends(plan):
            end = lines[index + 1]
            hold = max(lines[index], end - quarters_to_ticks(HOLD_BEATS, song.tpq))
            chord = bars[index].chord_at(ticks_to_quarters(hold - lines[index], song.tpq))
            tones = frozenset(chord.pitch_classes) if chord is not None and chord.root \
                is not None else frozenset()
            notes = _held(notes, hold, end, tones)
        track.notes.clear()
        track.notes.extend(notes)
    return type(song)(plan=plan, score=score, written=song.written)
