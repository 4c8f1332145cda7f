"""Held cadences: a chorale's phrase closes on a chord all voices hold (a fermata). In the last
bar of each phrase, from the bar's last :data:`HOLD_BEATS` beats on, each voice holds what it
sounds there to the phrase's end (or what it strikes first after, moved onto the hold), and
strikes nothing after it."""

from __future__ import annotations

from symusic import Note

from songform.hierarchy.plan import SongPlan
from songform.hierarchy.styles import four_part

from .song import PlannedScore, bar_lines
from .ticks import quarters_to_ticks

HOLD_BEATS = 2.0  # the cadence chord on beat 3 of a 4/4 bar, held to the bar line
VOICE_ROLES = ("melody", "counter-melody", "harmony", "bass")


def holds_cadences(plan: SongPlan) -> bool:
    """Whether ``plan``'s style closes its phrases on held chords (the chorale)."""
    return four_part(plan.style)


def phrase_ends(plan: SongPlan) -> list[int]:
    """The index of each phrase's last bar."""
    ends, bar = [], 0
    for _, phrase in plan.phrases():
        bar += phrase.bars
        ends.append(bar - 1)
    return ends


def _held(notes: list[Note], hold: int, end: int) -> list[Note]:
    """``notes`` with those sounding at ``hold`` held to ``end`` (or, with none, the first
    struck after it moved onto it) and none struck between."""
    sounding = [n for n in notes if n.time <= hold < n.time + n.duration]
    later = [n for n in notes if hold < n.time < end]
    kept = [n for n in notes if (n.time + n.duration <= hold or n.time >= end)]
    if sounding:
        kept += [Note(n.time, end - n.time, n.pitch, n.velocity) for n in sounding]
    elif later:
        first = later[0]
        kept += [Note(hold, end - hold, n.pitch, n.velocity) for n in later
                 if n.time == first.time]
    return sorted(kept, key=lambda n: (n.time, n.pitch))


def hold_cadences(song: PlannedScore) -> PlannedScore:
    """``song`` with its four voices holding the chord that closes each phrase (a copy; the
    song itself is not changed). Songs of other styles come back as they are."""
    plan = song.plan
    if not holds_cadences(plan):
        return song
    lines = bar_lines(plan, song.tpq)
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
            notes = _held(notes, hold, end)
        track.notes.clear()
        track.notes.extend(notes)
    return type(song)(plan=plan, score=score, written=song.written)
