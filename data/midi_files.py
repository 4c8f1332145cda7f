"""Any MIDI file as a ``PlannedScore``, with its plan derived by analysis; broken files are rejected
with a reason, never fatal."""

from __future__ import annotations

from pathlib import Path

from symusic import Score

from songform.symbolic.midi_input import MidiInputError, read_midi_bytes, scan_midi
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
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"no such file {path}")
    try:
        data = read_midi_bytes(path)
        scan_midi(data, path.name)
    except MidiInputError as error:
        raise CorpusError(str(error)) from None
    try:
        return at_standard_resolution(Score.from_midi(data))
    except Exception as error:  # symusic raises its own runtime errors on malformed data
        raise CorpusError(f"{path.name}: unreadable MIDI ({error})") from None


def read_midi_song(path: str | Path) -> PlannedScore:
    """A MIDI file as a ``PlannedScore`` (480 ticks per quarter) with an analysed plan.

    Raises:
        CorpusError: the file is broken, empty of notes, or too large.
    """
    path = Path(path)
    score = read_midi_score(path)
    if not any(len(t.notes) for t in score.tracks):
        raise CorpusError(f"{path.name}: no notes")
    try:
        plan = derive_plan(score, title=path.stem)
    except ValueError as error:
        raise CorpusError(f"{path.name}: {error}") from None
    return PlannedScore(plan=plan, score=score)


def midi_files(folder: str | Path) -> list[Path]:
    """MIDI files under ``folder``, recursively, in a stable order."""
    return sorted(p for p in Path(folder).rglob("*")
                  if p.is_file() and p.suffix.lower() in MIDI_SUFFIXES)
