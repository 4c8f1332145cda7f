"""FluidSynth plays each part of a MIDI file on its own, dry: one stereo signal per part,
sample-aligned and of one length, for the desk (``render.desk``) to place and mix.

A part is a track (or, where tracks share channels or the file is type 0, a channel). Its
events are fed to a synthesiser of its own in time order and the samples between them pulled
with ``get_samples``. FluidSynth's own reverb and chorus are off and the pan, reverb and
chorus controllers (CC10, CC91, CC93) are left to the desk; volume and expression (CC7, CC11)
and every other event play as the file says. SoundFont samples load only for the presets a
part selects, so MuseScore's compressed SoundFont starts in a moment.
"""

from __future__ import annotations

import bisect
import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import mido
import numpy as np

from songform.symbolic.ticks import DRUM_CHANNEL

from .errors import RenderError
from .mix import CHORUS, GM_DEFAULTS, PAN, REVERB, Room, room_from_sysex

DESK_CONTROLS = (PAN, REVERB, CHORUS)
"""Controllers the desk applies instead of FluidSynth."""

SYNTH_SETTINGS = {"synth.reverb.active": 0, "synth.chorus.active": 0,
                  "synth.dynamic-sample-loading": 1}


@dataclass
class Part:
    """One part of a MIDI file: its name, channels, events at their second, and the first
    value of each mix controller it sets (GM defaults for the rest)."""

    name: str
    events: list[tuple[float, mido.Message]] = field(default_factory=list)
    controls: dict[int, int] = field(default_factory=lambda: dict(GM_DEFAULTS))

    @property
    def channels(self) -> list[int]:
        return sorted({message.channel for _, message in self.events})

    @property
    def is_drum(self) -> bool:
        return self.channels == [DRUM_CHANNEL]


@dataclass
class Parts:
    """A MIDI file split into parts, with its room (from a GM2 reverb-type message) and its
    length in seconds."""

    parts: list[Part]
    room: Room | None
    seconds: float


def _load_fluidsynth():
    try:
        import fluidsynth
    except (ImportError, OSError) as error:  # pyfluidsynth missing, or libfluidsynth absent
        raise RenderError(
            f"FluidSynth is not available ({error}): install the system packages "
            "`fluidsynth libfluidsynth3` (done by `make setup`) and pyfluidsynth") from None
    if not hasattr(fluidsynth, "Synth"):
        raise RenderError("the installed `fluidsynth` module is not pyfluidsynth")
    return fluidsynth


class _Clock:
    """Ticks -> seconds through a file's tempo map (tempo changes from any track)."""

    def __init__(self, midi: mido.MidiFile) -> None:
        changes: dict[int, int] = {}
        for track in midi.tracks:
            tick = 0
            for message in track:
                tick += message.time
                if message.type == "set_tempo":
                    changes[tick] = message.tempo
        self.tpq = midi.ticks_per_beat
        self.ticks = [0]
        self.tempos = [changes.pop(0, 500_000)]
        self.seconds = [0.0]
        for tick in sorted(changes):
            self.seconds.append(self.at(tick))
            self.ticks.append(tick)
            self.tempos.append(changes[tick])

    def at(self, tick: int) -> float:
        i = bisect.bisect_right(self.ticks, tick) - 1
        return self.seconds[i] + (tick - self.ticks[i]) * self.tempos[i] / 1e6 / self.tpq


def split_parts(midi: mido.MidiFile) -> Parts:
    """``midi``'s parts: one per track that plays notes when no two tracks share a channel,
    else one per channel; named by track (``Channel N`` where no one track owns it)."""
    clock = _Clock(midi)
    room = None
    timed: list[tuple[int, str, list[tuple[float, mido.Message]]]] = []
    for index, track in enumerate(midi.tracks):
        tick, name, events = 0, "", []
        for message in track:
            tick += message.time
            if message.type == "track_name" and not name:
                name = message.name.strip()
            elif message.type == "sysex":
                room = room_from_sysex(message.data) or room
            elif not message.is_meta and hasattr(message, "channel"):
                events.append((clock.at(tick), message))
        timed.append((index, name, events))
    playing = [(i, name, events) for i, name, events in timed
               if any(m.type == "note_on" and m.velocity > 0 for _, m in events)]
    channel_sets = [{m.channel for _, m in events} for _, _, events in playing]
    by_track = sum(len(c) for c in channel_sets) == len(set().union(*channel_sets))
    if by_track:
        groups = [(name or f"Track {i}", events) for i, name, events in playing]
    else:
        groups = _by_channel(timed, playing)
    parts = []
    seen: set[str] = set()
    for name, events in groups:
        unique, n = name, 2
        while unique.lower() in seen:
            unique, n = f"{name} {n}", n + 1
        seen.add(unique.lower())
        part = Part(unique, sorted(events, key=lambda e: e[0]))
        first: dict[int, int] = {}
        for _, message in part.events:
            if message.type == "control_change" and message.control in GM_DEFAULTS:
                first.setdefault(message.control, message.value)
        part.controls = {**GM_DEFAULTS, **first}
        parts.append(part)
    return Parts(parts, room, float(midi.length))


def _by_channel(timed, playing) -> list[tuple[str, list]]:
    owners: dict[int, set[str]] = {}
    for i, name, events in playing:
        for _, message in events:
            owners.setdefault(message.channel, set()).add(name or f"Track {i}")
    merged: dict[int, list] = {}
    for _, _, events in timed:
        for when, message in events:
            merged.setdefault(message.channel, []).append((when, message))
    return [(next(iter(owners[c])) if len(owners[c]) == 1 else f"Channel {c + 1}",
             merged[c]) for c in sorted(owners)]


def render_parts(parts: Parts, soundfont, sample_rate: int, gain: float,
                 tail_seconds: float) -> list[np.ndarray]:
    """Each part played alone, dry, on a synthesiser of its own: float32 ``[frames, 2]``
    arrays of one length (the song and its tail), as many side by side as this process has
    cores."""
    fluidsynth = _load_fluidsynth()
    _bind_write_float(fluidsynth)
    total = int(round((parts.seconds + tail_seconds) * sample_rate))

    def play(part: Part) -> np.ndarray:
        return _render(fluidsynth, part, str(soundfont), sample_rate, gain, total)

    workers = min(len(parts.parts), render_workers())
    if workers <= 1:
        return [play(part) for part in parts.parts]
    with ThreadPoolExecutor(workers) as pool:  # FluidSynth runs outside the GIL
        return list(pool.map(play, parts.parts))


_LOADING = threading.Lock()
"""Held while a synthesiser is made or loads samples: FluidSynth loads a compressed (sf3)
SoundFont's samples through shared state, and two loading at once play differently."""


def render_workers() -> int:
    """Parts played side by side: one per core this process may use (each synthesiser is
    independent, so a busy neighbour only shares the cores)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _render(fluidsynth, part: Part, soundfont: str, sample_rate: int, gain: float,
            total: int) -> np.ndarray:
    with _LOADING:
        synth = fluidsynth.Synth(gain=gain, samplerate=float(sample_rate), **SYNTH_SETTINGS)
    out = np.zeros((total, 2), dtype=np.float32)
    try:
        with _LOADING:
            font_id = synth.sfload(soundfont)
        if font_id < 0:
            raise RenderError(f"FluidSynth could not load the SoundFont {soundfont}")
        for channel in part.channels:
            first = next((m.program for _, m in part.events
                          if m.type == "program_change" and m.channel == channel), 0)
            with _LOADING:
                synth.program_select(channel, font_id, _bank(channel), first)
        done = 0
        for when, message in part.events:
            target = min(total, int(round(when * sample_rate)))
            if target > done:
                _write(synth, out[done:target])
                done = target
            _send(synth, font_id, message)
        _write(synth, out[done:])
    finally:
        synth.delete()
    return out


def _write(synth, out: np.ndarray) -> None:
    """Fill the C-ordered float32 ``[frames, 2]`` view ``out`` with the synth's next frames
    (FluidSynth's float output: no dither, no rounding to 16 bits)."""
    if out.shape[0]:
        pointer = out.ctypes.data
        _write_float(synth.synth, out.shape[0], pointer, 0, 2, pointer + 4, 0, 2)


_write_float: Any = None
FLUID_WARN, FLUID_INFO = 2, 3  # FluidSynth's log levels


def _bind_write_float(fluidsynth) -> None:
    """``fluid_synth_write_float`` from the library pyfluidsynth loaded (pyfluidsynth offers
    only 16-bit dithered output), and FluidSynth's warnings silenced (MuseScore's SoundFont
    prints one per synthesiser about a modulator FluidSynth does not know; errors still
    print)."""
    global _write_float
    if _write_float is None:
        set_log = fluidsynth._fl.fluid_set_log_function
        set_log.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
        for level in (FLUID_WARN, FLUID_INFO):
            set_log(level, None, None)
        function = fluidsynth._fl.fluid_synth_write_float
        function.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                             ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        function.restype = ctypes.c_int
        _write_float = function


def _bank(channel: int) -> int:
    return 128 if channel == DRUM_CHANNEL else 0


def _send(synth, font_id: int, message: mido.Message) -> None:
    kind = message.type
    if kind == "note_on" and message.velocity > 0:
        synth.noteon(message.channel, message.note, message.velocity)
    elif kind in ("note_off", "note_on"):
        synth.noteoff(message.channel, message.note)
    elif kind == "program_change":
        with _LOADING:
            synth.program_select(message.channel, font_id, _bank(message.channel),
                                 message.program)
    elif kind == "control_change" and message.control not in DESK_CONTROLS:
        synth.cc(message.channel, message.control, message.value)
    elif kind == "pitchwheel":
        synth.pitch_bend(message.channel, message.pitch)
