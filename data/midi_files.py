"""Any MIDI file as a ``PlannedScore``, with its plan derived by analysis; broken files are rejected
with a reason, never fatal."""

from __future__ import annotations

import io
from pathlib import Path

import mido
from symusic import Score

from songform.symbolic.song import PlannedScore
from songform.symbolic.ticks import at_standard_resolution

from .analysis import derive_plan
from .errors import CorpusError

MAX_NOTES = 200_000
TEMPO_RANGE = (10.0, 400.0)
MIDI_SUFFIXES = (".mid", ".midi", ".kar")


def check_midi_bytes(data: bytes, name: str) -> None:
    """Raise ``CorpusError`` with a reason for files no song should come from."""
    if not data:
        raise CorpusError(f"{name}: empty file")
    if not data.startswith(b"MThd"):
        raise CorpusError(f"{name}: not a MIDI file (no MThd header)")
    try:
        midi = mido.MidiFile(file=io.BytesIO(data))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as error:
        raise CorpusError(f"{name}: unreadable MIDI ({str(error) or type(error).__name__})"
                          ) from None
    if midi.type == 2:
        raise CorpusError(f"{name}: type-2 MIDI (independent sequences) is not supported")
    for track in midi.tracks:
        for message in track:
            if message.type == "set_tempo":
                bpm = mido.tempo2bpm(message.tempo)
                if not TEMPO_RANGE[0] <= bpm <= TEMPO_RANGE[1]:
                    raise CorpusError(f"{name}: absurd tempo {bpm:.1f} BPM")


def read_midi_song(path: str | Path) -> PlannedScore:
    """A MIDI file as a ``PlannedScore`` (480 ticks per quarter) with an analysed plan.

    Raises:
        CorpusError: the file is broken, empty of notes, or too large.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorpusError(f"{path.name}: {error.strerror or error}") from None
    check_midi_bytes(data, path.name)
    try:
        score = Score.from_midi(data)
    except Exception as error:  # symusic raises its own runtime errors on malformed data
        raise CorpusError(f"{path.name}: unreadable MIDI ({error})") from None
    notes = sum(len(t.notes) for t in score.tracks)
    if notes == 0:
        raise CorpusError(f"{path.name}: no notes")
    if notes > MAX_NOTES:
        raise CorpusError(f"{path.name}: {notes} notes is more than {MAX_NOTES}")
    score = at_standard_resolution(score)
    try:
        plan = derive_plan(score, title=path.stem)
    except ValueError as error:
        raise CorpusError(f"{path.name}: {error}") from None
    return PlannedScore(plan=plan, score=score)


def midi_files(folder: str | Path) -> list[Path]:
    """MIDI files under ``folder``, recursively, in a stable order."""
    return sorted(p for p in Path(folder).rglob("*")
                  if p.is_file() and p.suffix.lower() in MIDI_SUFFIXES)
