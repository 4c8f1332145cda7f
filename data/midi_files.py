"""Any MIDI file as a ``PlannedScore``, with its plan derived by analysis; broken files are rejected
with a reason, never fatal."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from symusic import Score

from songform.hierarchy.plan import DRUM_MIDI_CHANNEL
from songform.symbolic.midi_input import MidiFacts, MidiInputError, read_midi_bytes, scan_midi
from songform.symbolic.song import PlannedScore
from songform.symbolic.ticks import at_standard_resolution

from .analysis import derive_plan
from .errors import CorpusError

MIDI_SUFFIXES = (".mid", ".midi", ".kar")


def read_midi_score(path: str | Path) -> Score:
    """A MIDI file's notes at 480 ticks per quarter, its bytes scanned before any reader
    builds objects from them.

    Raises:
        CorpusError: the file is missing, broken or too large.
    """
    return _read(Path(path))[0]


def read_midi_tracks(path: str | Path) -> tuple[Score, list[int | None]]:
    """A MIDI file's notes (as :func:`read_midi_score`) and each track's channel in the file
    (:func:`track_channels`).

    Raises:
        CorpusError: the file is missing, broken or too large.
    """
    score, facts = _read(Path(path))
    return score, track_channels(score, facts)


def _read(path: Path) -> tuple[Score, MidiFacts]:
    if not path.is_file():
        raise CorpusError(f"no such file {path}")
    try:
        data = read_midi_bytes(path)
        facts = scan_midi(data, path.name)
    except MidiInputError as error:
        raise CorpusError(str(error)) from None
    try:
        return at_standard_resolution(Score.from_midi(data)), facts
    except Exception as error:  # symusic raises its own runtime errors on malformed data
        raise CorpusError(f"{path.name}: unreadable MIDI ({error})") from None


def track_channels(score: Score, facts: MidiFacts) -> list[int | None]:
    """Each of ``score``'s tracks' MIDI channel in the file, where the file says it plainly
    (every track chunk with notes plays on one channel, one chunk to a track); else ``None``
    for every track."""
    sounding = [channels for channels in facts.channels if channels]
    tracks = [index for index, track in enumerate(score.tracks) if len(track.notes)]
    if any(len(channels) != 1 for channels in sounding) or len(sounding) != len(tracks):
        return [None] * len(score.tracks)
    found: list[int | None] = [None] * len(score.tracks)
    for index, channels in zip(tracks, sounding, strict=True):
        drum = bool(score.tracks[index].is_drum)
        if (channels[0] == DRUM_MIDI_CHANNEL) != drum:
            return [None] * len(score.tracks)
        found[index] = channels[0]
    return found


def read_midi_song(path: str | Path) -> PlannedScore:
    """A MIDI file as a ``PlannedScore`` (480 ticks per quarter) with an analysed plan.

    Raises:
        CorpusError: the file is broken, empty of notes, or too large.
    """
    path = Path(path)
    score, facts = _read(path)
    if not any(len(t.notes) for t in score.tracks):
        raise CorpusError(f"{path.name}: no notes")
    try:
        plan = derive_plan(score, title=path.stem)
    except ValueError as error:
        raise CorpusError(f"{path.name}: {error}") from None
    if len(plan.tracks) == len(score.tracks):  # one plan track per track: keep the channels
        plan = dataclasses.replace(plan, tracks=tuple(
            dataclasses.replace(spec, channel=channel) for spec, channel in
            zip(plan.tracks, track_channels(score, facts), strict=True)))
    return PlannedScore(plan=plan, score=score)


def midi_files(folder: str | Path) -> list[Path]:
    """MIDI files under ``folder``, recursively, in a stable order."""
    return sorted(p for p in Path(folder).rglob("*")
                  if p.is_file() and p.suffix.lower() in MIDI_SUFFIXES)
