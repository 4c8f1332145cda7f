"""A song written around another's notes: which bars and parts are kept, how a bar's tokens
lose a part, what a song's notes are as the model's tokens, and the splice that puts new
notes into an old song's bars."""

from __future__ import annotations

from symusic import Note, Track

from songform.hierarchy.plan import SongPlan

from .restatement import transposed_tokens
from .song import PlannedScore, bar_lines
from .tokenizer import OPENING_KINDS, ROLE_PROGRAMS, token_type


def varied_bars(plan: SongPlan, written) -> set[int]:
    """The bars whose tokens are not their plan source's, transposed to their key (every bar
    that restates nothing, and restatements the model varied)."""
    bars = list(plan.bars())
    return {bar.index for bar in bars if bar.repeat_of_bar is None
            or list(written[bar.index]) != transposed_tokens(
                list(written[bar.repeat_of_bar]),
                bars[bar.repeat_of_bar].key.interval_to(bar.key))}


def drop_program(tokens: tuple[str, ...] | list[str], program: str) -> list[str]:
    """A bar's note tokens without the notes of ``program`` (and positions left empty)."""
    out: list[str] = []
    position: str | None = None
    skipping = False
    for token in tokens:
        if token.startswith("Position_"):
            position, skipping = token, False
        elif token.startswith("Program_"):
            skipping = token == program
            if not skipping and position is not None:
                out.append(position)
                position = None
            if not skipping:
                out.append(token)
        elif not skipping:
            out.append(token)
    return out


def given_tokens(song: PlannedScore, tokenizer, roles: tuple[str, ...], bars: int
                 ) -> dict[int, list[str]]:
    """Each of the first ``bars`` bars' note tokens, as a model writing ``roles`` writes
    them (the notes of other roles left out)."""
    out: dict[int, list[str]] = {}
    bar = -1
    for token in tokenizer.encode(song).tokens:
        kind = token_type(token)
        if kind == "Bar":
            bar += 1
            if bar >= bars:
                break
            out[bar] = []
        elif kind not in OPENING_KINDS and bar >= 0:
            out[bar].append(token)
    for role, program in ROLE_PROGRAMS.items():
        if role not in roles:
            out = {i: drop_program(tokens, f"Program_{program}") for i, tokens in out.items()}
    return out


def splice(old: PlannedScore, new: PlannedScore, bars: set[int], tracks: set[str]
           ) -> PlannedScore:
    """``old``'s notes outside ``bars`` and ``new``'s inside them, in ``tracks`` (a note
    belongs to the bar it starts in; the other tracks are ``old``'s; a track of ``tracks``
    that ``old`` lacks joins at the end with ``new``'s notes in ``bars``); ``new``'s tokens,
    as ``old``'s type (a ``Song`` stays a ``Song``). A new
    note that would cut short an old note of its pitch still ringing into the part is left
    out, so that every old note outside the part keeps its length."""
    lines = bar_lines(old.plan, old.tpq)
    spans = [(lines[i], lines[i + 1]) for i in sorted(bars)]

    def inside(time: int) -> bool:
        return any(low <= time < high for low, high in spans)

    score = old.score.copy()
    fresh = {t.name: t for t in new.score.tracks}
    spliced_tracks = []
    for track in old.score.tracks:
        kept = [n for n in track.notes if not inside(n.time)]
        if track.name in fresh and track.name in tracks:
            ringing = [(n.pitch, n.time, n.time + n.duration) for n in kept]
            kept += [n for n in fresh[track.name].notes if inside(n.time) and not any(
                pitch == n.pitch and start <= n.time < end for pitch, start, end in ringing)]
        elif track.name in fresh:  # a part not written again stays exactly as it was
            spliced_tracks.append(track.copy())
            continue
        spliced = Track(name=track.name, program=track.program, is_drum=track.is_drum)
        for note in sorted(kept, key=lambda n: (n.time, n.pitch)):
            spliced.notes.append(Note(note.time, note.duration, note.pitch, note.velocity))
        spliced_tracks.append(spliced)
    present = {track.name for track in old.score.tracks}
    for track in new.score.tracks:  # a part the old song lacks (a melody's accompaniment)
        if track.name in tracks and track.name not in present:
            added = Track(name=track.name, program=track.program, is_drum=track.is_drum)
            for note in sorted((n for n in track.notes if inside(n.time)),
                               key=lambda n: (n.time, n.pitch)):
                added.notes.append(Note(note.time, note.duration, note.pitch, note.velocity))
            spliced_tracks.append(added)
    score.tracks = spliced_tracks
    return type(old)(plan=old.plan, score=score, written=new.written)
