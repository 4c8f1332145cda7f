"""MIDI files from outside, checked before any reader builds objects from them.

A small scanner walks the bytes once (chunk lengths, variable-length quantities, running status,
meta events) with constant memory, and refuses what no song should come from: a damaged
structure, type-2 files, SMPTE or zero divisions, tempi, keys or meters no score has, more notes
or minutes than ``core.limits`` allows. Only a file that passes goes on to mido, symusic or
FluidSynth, whose own failures on hostile data range from exceptions to aborts and unbounded
memory.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from songform.core.errors import InputError
from songform.core.limits import (
    MAX_MIDI_BYTES,
    MAX_MIDI_MINUTES,
    MAX_MIDI_NOTES,
    MIDI_TEMPO_RANGE,
)

DEFAULT_TEMPO = 500_000  # microseconds per quarter: 120 BPM
_DATA_BYTES = {0x80: 2, 0x90: 2, 0xA0: 2, 0xB0: 2, 0xC0: 1, 0xD0: 1, 0xE0: 2}


class MidiInputError(InputError):
    """A MIDI file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class MidiFacts:
    """What the scan found."""

    midi_type: int
    tracks: int
    division: int
    notes: int
    end_tick: int
    seconds: float
    channels: tuple[tuple[int, ...], ...] = ()
    """Per track chunk, the channels its notes sound on, in the order they first do."""


def read_midi_bytes(path: str | Path) -> bytes:
    """The bytes of a MIDI file, refusing a missing, unreadable or oversized one."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_MIDI_BYTES:
            raise MidiInputError(f"{path.name}: {size:,} bytes, more than the "
                                 f"{MAX_MIDI_BYTES:,} a MIDI file may have")
        return path.read_bytes()
    except OSError as error:
        raise MidiInputError(f"{path.name}: {error.strerror or error}") from None


def scan_midi(data: bytes, name: str = "<midi>") -> MidiFacts:
    """Check ``data`` as a Standard MIDI File and count what it holds.

    Raises:
        MidiInputError: with ``name`` and the first problem found.
    """

    def refuse(reason: str) -> MidiInputError:
        return MidiInputError(f"{name}: {reason}")

    if not data:
        raise refuse("empty file")
    if len(data) > MAX_MIDI_BYTES:
        raise refuse(f"{len(data):,} bytes, more than {MAX_MIDI_BYTES:,}")
    if len(data) < 14 or data[:4] != b"MThd":
        raise refuse("not a MIDI file (no MThd header)")
    length, midi_type, declared, division = struct.unpack(">IHHH", data[4:14])
    if length < 6 or 8 + length > len(data):
        raise refuse(f"a header of {length} bytes")
    if midi_type == 2:
        raise refuse("type-2 MIDI (independent sequences) is not supported")
    if midi_type > 2:
        raise refuse(f"unknown MIDI format {midi_type}")
    if division & 0x8000:
        raise refuse("SMPTE time division is not supported (only ticks per quarter)")
    if division == 0:
        raise refuse("a division of 0 ticks per quarter")
    at, tracks, notes, end_tick = 8 + length, 0, 0, 0
    tempi: list[tuple[int, int]] = []
    channels: list[tuple[int, ...]] = []
    while at + 8 <= len(data):
        kind, size = data[at:at + 4], struct.unpack(">I", data[at + 4:at + 8])[0]
        if at + 8 + size > len(data):
            raise refuse(f"a {kind!r} chunk claims {size:,} bytes, the file has "
                         f"{len(data) - at - 8:,} left (truncated or damaged)")
        if kind == b"MTrk":
            count, last, track_tempi, track_channels = _scan_track(
                data, at + 8, at + 8 + size, refuse, MAX_MIDI_NOTES - notes)
            channels.append(track_channels)
            notes += count
            end_tick = max(end_tick, last)
            tempi += track_tempi
            tracks += 1
            if notes > MAX_MIDI_NOTES:
                raise refuse(f"more than {MAX_MIDI_NOTES:,} notes")
        at += 8 + size
    if tracks == 0:
        raise refuse("no tracks")
    seconds = _seconds(end_tick, sorted(tempi), division)
    if seconds > MAX_MIDI_MINUTES * 60:
        raise refuse(f"{seconds / 60:,.0f} minutes of music, more than "
                     f"{MAX_MIDI_MINUTES:.0f}")
    return MidiFacts(midi_type, tracks, division, notes, end_tick, seconds, tuple(channels))


def _scan_track(data: bytes, at: int, end: int, refuse, budget: int
                ) -> tuple[int, int, list[tuple[int, int]], tuple[int, ...]]:
    """Notes, last tick, tempo changes ``(tick, microseconds per quarter)`` and the channels
    of the notes (in the order they first sound) of one track; stops counting once the notes
    pass ``budget`` (the file is refused anyway)."""
    tick, notes, status = 0, 0, 0
    channels: dict[int, None] = {}
    tempi: list[tuple[int, int]] = []

    def quantity(position: int) -> tuple[int, int]:
        value = 0
        for offset in range(4):
            if position + offset >= end:
                raise refuse("a track ends inside a number")
            byte = data[position + offset]
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                return value, position + offset + 1
        raise refuse("a variable-length number longer than 4 bytes")

    while at < end:
        delta, at = quantity(at)
        tick += delta
        if at >= end:
            raise refuse("a track ends after a delta time")
        byte = data[at]
        if byte == 0xFF:  # meta event
            if at + 1 >= end:
                raise refuse("a track ends inside a meta event")
            meta = data[at + 1]
            size, at = quantity(at + 2)
            if at + size > end:
                raise refuse("a meta event runs past its track")
            _check_meta(meta, data[at:at + size], refuse)
            if meta == 0x51:
                tempi.append((tick, int.from_bytes(data[at:at + 3], "big")))
            at += size
            if meta == 0x2F:  # end of track
                break
            continue
        if byte in (0xF0, 0xF7):  # system exclusive
            size, at = quantity(at + 1)
            if at + size > end:
                raise refuse("a system-exclusive message runs past its track")
            at += size
            continue
        if byte & 0x80:
            if byte >= 0xF0:
                raise refuse(f"status byte {byte:#04x} inside a track")
            status, at = byte, at + 1
        elif not status:
            raise refuse("a data byte with no status before it")
        size = _DATA_BYTES[status & 0xF0]
        if at + size > end or any(b & 0x80 for b in data[at:at + size]):
            raise refuse("a channel message with missing or invalid data bytes")
        if status & 0xF0 == 0x90 and data[at + 1] > 0:
            notes += 1
            channels.setdefault(status & 0x0F)
            if notes > budget:
                break
        at += size
    return notes, tick, tempi, tuple(channels)


def _check_meta(meta: int, payload: bytes, refuse) -> None:
    if meta == 0x51:
        if len(payload) != 3:
            raise refuse("a tempo event without 3 bytes")
        tempo = int.from_bytes(payload, "big")
        bpm = 60_000_000 / tempo if tempo else float("inf")
        low, high = MIDI_TEMPO_RANGE
        if not low <= bpm <= high:
            raise refuse(f"a tempo of {bpm:,.1f} BPM (expected {low:g}-{high:g})")
    elif meta == 0x58:
        if len(payload) < 2 or payload[0] == 0 or payload[1] > 6:
            raise refuse("a time signature no score has")
    elif meta == 0x59:
        if len(payload) != 2:
            raise refuse("a key signature without 2 bytes")
        sharps = payload[0] - 256 if payload[0] > 127 else payload[0]
        if not -7 <= sharps <= 7 or payload[1] > 1:
            raise refuse(f"a key signature of {sharps} sharps (expected -7 to 7)")


def _seconds(end_tick: int, tempi: list[tuple[int, int]], division: int) -> float:
    """Seconds from the start to ``end_tick`` under the tempo changes."""
    seconds, tick, tempo = 0.0, 0, DEFAULT_TEMPO
    for at, new_tempo in tempi:
        if at >= end_tick:
            break
        seconds += (at - tick) * tempo / 1e6 / division
        tick, tempo = at, new_tempo
    return seconds + (end_tick - tick) * tempo / 1e6 / division
