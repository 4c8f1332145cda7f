"""A song's notes back from a DAW: ``songform edit song.json --midi edited.mid`` and
``Song.with_notes``. The edited file's tracks are matched to the song's by name (else by
program), each bar is compared with the notes songform itself wrote there, and the bars that
differ take the file's notes (swing played back to the straight grid the plan counts in) and
are tokenized again for the model; every other bar keeps the song's own notes and tokens.
The plan is kept, so any edit (``--regenerate bridge``) can run on the result and keeps
every note the person wrote outside the part."""

from __future__ import annotations

import bisect
import io
from pathlib import Path

from symusic import Note, Score, Track

from songform.core.errors import InputError
from songform.data.errors import CorpusError
from songform.data.midi_files import read_midi_score
from songform.render.feel import straight_warp
from songform.render.midi import midi_file
from songform.symbolic.song import PlannedScore, bar_lines, conductor_score
from songform.symbolic.splice import given_tokens

from .project import sha256

BarNotes = dict[int, set[tuple[str, int, int, int, int]]]


def read_edited_midi(path: str | Path) -> Score:
    """A MIDI file from outside, scanned before any reader sees it, at songform's
    resolution.

    Raises:
        InputError: missing, malformed or over the limits (naming the file).
    """
    try:
        return read_midi_score(path)
    except CorpusError as error:
        raise InputError(f"--midi: {error}") from None


def with_notes(song: PlannedScore, edited: Score, tokenizer=None,
               roles: tuple[str, ...] = (), every_bar: bool = False
               ) -> tuple[PlannedScore, list[int]]:
    """``song`` with the notes of ``edited`` (a MIDI file of it changed in a DAW) in every bar
    where they differ from the notes songform wrote (``every_bar``: in all bars, when the
    song's own notes are not known), and the indices of those bars. With a ``tokenizer``,
    those bars' note tokens are written again for the model's ``roles``.

    Raises:
        InputError: a track of the file matches none of the song's.
    """
    plan = song.plan
    tracks = list(edited.tracks)
    names = _matched_tracks(plan, tracks)
    lines = bar_lines(plan, song.tpq)
    before = _bar_notes(list(Score.from_midi(_midi_bytes(song)).tracks), lines)
    after = _bar_notes([t for i, t in enumerate(tracks) if i in names], lines,
                       [names[i] for i in range(len(tracks)) if i in names])
    changed = sorted(bar for bar in range(plan.num_bars)
                     if every_bar or before.get(bar, set()) != after.get(bar, set()))
    unwarp = straight_warp(plan, song.tpq)
    spans = [(lines[i], lines[i + 1]) for i in changed]

    def inside(time: int) -> bool:
        return any(low <= time < high for low, high in spans)

    fresh: dict[str, list[Note]] = {}
    for index, track in enumerate(tracks):
        if index not in names:
            continue
        for note in track.notes:
            start = unwarp(note.time) if unwarp else note.time
            end = unwarp(note.time + note.duration) if unwarp else note.time + note.duration
            if inside(note.time):
                fresh.setdefault(names[index], []).append(
                    Note(start, max(1, end - start), note.pitch, note.velocity))
    score = song.score.copy()
    rebuilt_tracks = []
    for track in song.score.tracks:
        kept = [n for n in track.notes if not inside(n.time)] + fresh.get(track.name, [])
        rebuilt = Track(name=track.name, program=track.program, is_drum=track.is_drum)
        for note in sorted(kept, key=lambda n: (n.time, n.pitch)):
            rebuilt.notes.append(Note(note.time, note.duration, note.pitch, note.velocity))
        rebuilt_tracks.append(rebuilt)
    score.tracks = rebuilt_tracks
    adopted = type(song)(plan=plan, score=score, written=song.written)
    if tokenizer is not None and changed:
        tokens = given_tokens(adopted, tokenizer, roles, plan.num_bars)
        old = song.written or tuple(() for _ in range(plan.num_bars))
        written = tuple(tuple(tokens.get(i, ())) if i in changed else bar
                        for i, bar in enumerate(old))
        adopted = type(song)(plan=plan, score=score, written=written)
    return adopted, changed


def _matched_tracks(plan, tracks: list[Track]) -> dict[int, str]:
    """Each of ``tracks`` with notes (by index) -> the song's track it is: the same name (any
    case), else the only unmatched track of the song with its program and drum flag."""
    songs = {t.name.lower(): t for t in plan.tracks}
    matched: dict[int, str] = {}
    left = list(plan.tracks)
    for index, track in enumerate(tracks):
        spec = songs.get(track.name.strip().lower())
        if spec is not None and spec in left:
            matched[index] = spec.name
            left.remove(spec)
    for index, track in enumerate(tracks):
        if index in matched or not len(track.notes):
            continue
        same = [t for t in left if t.is_drum == track.is_drum
                and (track.is_drum or t.program == track.program)]
        if len(same) != 1:
            raise InputError(f'--midi: the track "{track.name}" (program {track.program}) is '
                             "none of the song's tracks "
                             f"({', '.join(t.name for t in plan.tracks)}); a new part comes "
                             "in with --add-track")
        matched[index] = same[0].name
        left.remove(same[0])
    return matched


def _bar_notes(tracks: list[Track], lines: list[int], names: list[str] | None = None
               ) -> BarNotes:
    """Each bar's notes as ``(track, onset, duration, pitch, velocity)`` (a note in the bar
    it starts in), the tracks named ``names`` when given."""
    bars: BarNotes = {}
    for index, track in enumerate(tracks):
        name = names[index] if names is not None else track.name
        for note in track.notes:
            bar = bisect.bisect_right(lines, note.time) - 1
            bars.setdefault(bar, set()).add((name, note.time, note.duration, note.pitch,
                                             note.velocity))
    return bars


def _midi_bytes(song: PlannedScore) -> bytes:
    """The MIDI file songform writes for ``song``, in memory."""
    buffer = io.BytesIO()
    midi_file(song).save(file=buffer)
    return buffer.getvalue()


def project_with_midi(project, path: str | Path, writer) -> tuple[PlannedScore, list[int],
                                                                    str | None]:
    """A project's song with the notes of the MIDI file at ``path`` (see :func:`with_notes`),
    the bars that changed, and a line when the project's own MIDI file has changed since it
    was written (then every bar is taken from ``path``)."""
    edited = read_edited_midi(path)
    own = (project.folder or Path()) / project.midi
    model = writer.song_model
    tokenizer, roles = ((model.tokenizer, model.roles_for(project.plan)) if model is not None
                        else (None, ()))
    if own.is_file() and sha256(own) == project.midi_sha256:
        song, changed = with_notes(project.song(), edited, tokenizer, roles)
        return song, changed, None
    empty = conductor_score(project.plan, edited.ticks_per_quarter)
    for spec in project.plan.tracks:
        empty.tracks.append(Track(name=spec.name, program=spec.program, is_drum=spec.is_drum))
    bare = PlannedScore(plan=project.plan, score=empty, written=None)
    song, changed = with_notes(bare, edited, tokenizer, roles, every_bar=True)
    return song, changed, (f"{own} has changed since the project was written: every bar is "
                           f"taken from {Path(path).name}")
