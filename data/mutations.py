"""Hostile variants of a real MIDI file, for the robustness fuzzer (tests and
bench/robustness.py): what a damaged download, a buggy exporter or a malicious file looks like.
Pure functions of bytes and a seeded ``random.Random``."""

from __future__ import annotations

import random
import struct
from collections.abc import Callable, Iterator

Mutation = Callable[[bytes, random.Random], bytes]


def _chunks(data: bytes) -> list[tuple[int, bytes, int]]:
    """``(offset, kind, length)`` of each chunk header that parses."""
    out, at = [], 0
    while at + 8 <= len(data):
        kind, length = data[at:at + 4], struct.unpack(">I", data[at + 4:at + 8])[0]
        out.append((at, kind, length))
        at += 8 + length
    return out


def bit_flips(data: bytes, rng: random.Random) -> bytes:
    """A few random bits flipped anywhere."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        index = rng.randrange(len(out))
        out[index] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncated(data: bytes, rng: random.Random) -> bytes:
    """Cut short anywhere (a broken download)."""
    return data[:rng.randrange(1, max(2, len(data)))]


def inflated_chunk(data: bytes, rng: random.Random) -> bytes:
    """A chunk that claims far more bytes than the file holds."""
    chunks = _chunks(data)
    offset = rng.choice(chunks)[0] if chunks else 0
    out = bytearray(data)
    out[offset + 4:offset + 8] = struct.pack(">I", rng.choice([2**31 - 1, 2**32 - 1,
                                                                len(data) * 1000]))
    return bytes(out)


def huge_delta(data: bytes, rng: random.Random) -> bytes:
    """A delta time of 2^28 - 1 ticks (the largest variable-length quantity) before the end of
    the first track: a song hours or days long."""
    chunks = [c for c in _chunks(data) if c[1] == b"MTrk"]
    if not chunks:
        return data
    offset, _, length = chunks[-1]
    body = data[offset + 8:offset + 8 + length]
    # insert a note-on / note-off pair separated by the largest delta before end of track
    event = b"\x00\x90\x3c\x40" + b"\xff\xff\xff\x7f" + b"\x80\x3c\x00"
    cut = max(0, len(body) - 4)
    new_body = body[:cut] + event + body[cut:]
    return (data[:offset] + b"MTrk" + struct.pack(">I", len(new_body)) + new_body
            + data[offset + 8 + length:])


def header_field(field: str, value: int) -> Mutation:
    """Set one header field: ``format`` (0-2, or junk) or ``division`` (0 is invalid)."""
    at = {"format": 8, "tracks": 10, "division": 12}[field]

    def mutate(data: bytes, rng: random.Random) -> bytes:
        return data[:at] + struct.pack(">H", value) + data[at + 2:]

    mutate.__name__ = f"{field}_{value}"
    return mutate


def meta_event(kind: int, payload: bytes) -> Mutation:
    """Insert a meta event at the start of the first track (tempo 0, a key with 57 sharps,
    a time signature of 0/0, ...)."""

    def mutate(data: bytes, rng: random.Random) -> bytes:
        chunks = [c for c in _chunks(data) if c[1] == b"MTrk"]
        if not chunks:
            return data
        offset, _, length = chunks[0]
        event = b"\x00\xff" + bytes([kind, len(payload)]) + payload
        body = event + data[offset + 8:offset + 8 + length]
        return (data[:offset] + b"MTrk" + struct.pack(">I", len(body)) + body
                + data[offset + 8 + length:])

    mutate.__name__ = f"meta_{kind:02x}_{payload.hex()}"
    return mutate


MUTATIONS: dict[str, Mutation] = {
    "bit flips": bit_flips,
    "truncated": truncated,
    "inflated chunk length": inflated_chunk,
    "huge delta": huge_delta,
    "type 2": header_field("format", 2),
    "format 7": header_field("format", 7),
    "division 0": header_field("division", 0),
    "SMPTE division": header_field("division", 0xE728),
    "tempo 0": meta_event(0x51, b"\x00\x00\x00"),
    "key with 57 sharps": meta_event(0x59, bytes([57, 0])),
    "time signature 0/0": meta_event(0x58, bytes([0, 0, 24, 8])),
    "time signature 255/2^255": meta_event(0x58, bytes([255, 255, 24, 8])),
}


def many_notes(count: int, ticks_apart: int = 1) -> bytes:
    """A valid type-0 file of ``count`` short notes (a million-note file is 8 MB): built as
    bytes, since building it through a MIDI library would itself take gigabytes."""
    event = bytes([0x00, 0x90, 60, 80]) + _quantity(ticks_apart) + bytes([0x80, 60, 0])
    body = event * count + b"\x00\xff\x2f\x00"
    return (b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480) + b"MTrk" + struct.pack(">I", len(body))
            + body)


def _quantity(value: int) -> bytes:
    """A MIDI variable-length quantity (7 bits a byte, high bit: more follow)."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def mutants(seed_files: dict[str, bytes], per_kind: int, seed: int = 0
            ) -> Iterator[tuple[str, str, bytes]]:
    """``(mutation, source name, bytes)`` for ``per_kind`` mutants of each kind, round robin
    over the seed files; the same seed gives the same mutants."""
    rng = random.Random(seed)
    names = sorted(seed_files)
    for kind, mutate in MUTATIONS.items():
        for index in range(per_kind):
            name = names[index % len(names)]
            yield kind, name, mutate(seed_files[name], rng)
