"""MIDI files that open cleanly in a DAW.

Type 1, 480 ticks per quarter; a conductor track (title, tempo map, time and key signatures
where sections change them, a marker per section such as "Chorus 2", chord symbols as text
events, the GM2 reverb type of the style's room); then one named track per part with its
program change and its place in the mix (CC7 volume, CC10 pan, CC91 reverb, CC93 chorus, from
``render.mix``) on its own channel (drums on channel 10), notes inside the instrument's range
and played with each section's swing (``render.feel``), no overlapping notes of one pitch on
one channel, and every track's end at the song's end.
"""

from __future__ import annotations

from pathlib import Path

import mido

from songform.core.fileio import atomic_path
from songform.hierarchy.plan import TrackSpec
from songform.symbolic.song import PlannedScore
from songform.symbolic.ticks import DRUM_CHANNEL, quarters_to_ticks

from .feel import humanized, pump_events, swing_warp
from .mix import gm2_reverb_type, room_for, track_mix
from .ranges import fold_into_range

EXPRESSION = 11  # CC11, the controller a sidechain pump rides

_MAJOR_BY_FIFTHS = {-7: "Cb", -6: "Gb", -5: "Db", -4: "Ab", -3: "Eb", -2: "Bb", -1: "F", 0: "C",
                    1: "G", 2: "D", 3: "A", 4: "E", 5: "B", 6: "F#", 7: "C#"}
_MINOR_BY_FIFTHS = {-7: "Abm", -6: "Ebm", -5: "Bbm", -4: "Fm", -3: "Cm", -2: "Gm", -1: "Dm",
                    0: "Am", 1: "Em", 2: "Bm", 3: "F#m", 4: "C#m", 5: "G#m", 6: "D#m", 7: "A#m"}


def channels_for(is_drum: list[bool], kept: list[int | None] | None = None) -> list[int]:
    """A distinct channel per part: a part's ``kept`` channel where it has one (a user's
    track), drums on 9, the others on the free channels of 0-8 and 10-15 in order."""
    kept = kept or [None] * len(is_drum)
    taken = {channel for channel in kept if channel is not None}
    free = [c for c in range(16) if c != DRUM_CHANNEL and c not in taken]
    out = []
    for drum, channel in zip(is_drum, kept, strict=True):
        if channel is not None:
            out.append(channel)
        elif drum:
            out.append(DRUM_CHANNEL)
        else:
            if not free:
                raise ValueError("more than 15 pitched parts do not fit in 16 MIDI channels")
            out.append(free.pop(0))
    return out


def _to_track(events: list[tuple[int, int, mido.Message | mido.MetaMessage]], end: int
              ) -> mido.MidiTrack:
    """Absolute-time events -> a track with delta times and end-of-track at ``end`` (each
    message is taken as it is, its delta time set: they are built for this track alone)."""
    track = mido.MidiTrack()
    now = 0
    for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
        message.time = tick - now  # checked by mido, as a copy would be, without a copy
        track.append(message)
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, end - now)))
    return track


def _remove_overlaps(notes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """(start, end, pitch, velocity) with no two notes of one pitch sounding at once."""
    kept: list[list[int]] = []
    sounding: dict[int, list[int]] = {}
    for start, end, pitch, velocity in sorted(notes):
        previous = sounding.get(pitch)
        if previous is not None and previous[1] > start:
            previous[1] = start  # the earlier note stops where the new one starts
        note = [start, end, pitch, velocity]
        kept.append(note)
        sounding[pitch] = note
    return [tuple(n) for n in kept if n[1] > n[0]]  # type: ignore[misc]


def _playable_notes(track, end: int) -> list[tuple[int, int, int, int]]:
    """A track's notes as the file holds them: ``(start, stop, pitch, velocity)``, pitches
    folded into the instrument's range (drums as they are), no overlaps of one pitch, every
    note ending by ``end``."""
    raw = [(int(n.time), int(n.time + n.duration),
            n.pitch if track.is_drum else fold_into_range(int(n.pitch), int(track.program)),
            int(n.velocity)) for n in track.notes]
    return [(start, min(stop, end), pitch, velocity)
            for start, stop, pitch, velocity in _remove_overlaps(raw) if min(stop, end) > start]


def playable(song: PlannedScore) -> PlannedScore:
    """``song`` with the notes its MIDI file holds (see :func:`midi_file`), on the plan's
    straight grid (the file plays swung sections' off-beats late): for measures taken before
    it is written."""
    from symusic import Note

    score = song.score.copy()
    end = max(song.end_tick, int(score.end()))
    for track in score.tracks:
        notes = _playable_notes(track, end)
        track.notes.clear()
        for start, stop, pitch, velocity in notes:
            track.notes.append(Note(start, stop - start, pitch, velocity))
    return type(song)(plan=song.plan, score=score, written=song.written)


def midi_file(song: PlannedScore) -> mido.MidiFile:
    """Build the DAW-ready ``mido.MidiFile`` for ``song``."""
    plan, score, tpq = song.plan, song.score, song.tpq
    end = max(song.end_tick, int(score.end()))
    conductor: list[tuple[int, int, mido.Message | mido.MetaMessage]] = [
        (0, 0, mido.MetaMessage("track_name", name=plan.title))]
    for tempo in score.tempos:
        conductor.append((int(tempo.time), 1, mido.MetaMessage(
            "set_tempo", tempo=mido.bpm2tempo(float(tempo.qpm)))))
    for signature in score.time_signatures:
        conductor.append((int(signature.time), 1, mido.MetaMessage(
            "time_signature", numerator=signature.numerator,
            denominator=signature.denominator)))
    for key in score.key_signatures:
        names = _MINOR_BY_FIFTHS if key.tonality else _MAJOR_BY_FIFTHS
        conductor.append((int(key.time), 1, mido.MetaMessage("key_signature",
                                                             key=names[int(key.key)])))
    for marker in score.markers:
        conductor.append((int(marker.time), 2, mido.MetaMessage("marker", text=marker.text)))
    previous_symbol = None
    for bar in plan.bars():
        for event in bar.chords:
            if event.symbol != previous_symbol:
                tick = quarters_to_ticks(bar.start + event.offset, tpq)
                conductor.append((tick, 3, mido.MetaMessage("text", text=event.symbol)))
                previous_symbol = event.symbol
    conductor.append((0, 1, mido.Message("sysex", data=gm2_reverb_type(room_for(plan.style)))))
    tracks = [_to_track(conductor, end)]
    specs = {spec.name: spec for spec in plan.tracks}
    kept = [specs[t.name].channel if t.name in specs else None for t in score.tracks]
    if len({c for c in kept if c is not None}) != sum(c is not None for c in kept):
        kept = None  # two parts claim one channel: every part gets its own instead
    channels = channels_for([bool(t.is_drum) for t in score.tracks], kept)
    warp = swing_warp(plan, tpq)
    for track, channel in zip(score.tracks, channels, strict=True):
        events: list[tuple[int, int, mido.Message | mido.MetaMessage]] = [
            (0, 0, mido.MetaMessage("track_name", name=track.name))]
        if not track.is_drum:
            events.append((0, 1, mido.Message("program_change", channel=channel,
                                              program=int(track.program))))
        spec = specs.get(track.name) or _spec_of(track)
        for control, value in track_mix(spec, plan.style).controllers():
            events.append((0, 1, mido.Message("control_change", channel=channel,
                                              control=control, value=value)))
        for tick, value in pump_events(plan, track.name, tpq):  # a house pad breathes
            events.append((tick, 1, mido.Message("control_change", channel=channel,
                                                 control=EXPRESSION, value=value)))
        played = _played(_playable_notes(track, end), warp, plan, tpq, len(tracks), end)
        for start, stop, pitch, velocity in played:
            events.append((start, 3, mido.Message("note_on", channel=channel, note=pitch,
                                                  velocity=velocity)))
            events.append((stop, 2, mido.Message("note_off", channel=channel, note=pitch,
                                                 velocity=0)))
        tracks.append(_to_track(events, end))
    midi = mido.MidiFile(type=1, ticks_per_beat=tpq, charset="utf-8")  # names in any script
    midi.tracks.extend(tracks)
    return midi


def _played(notes: list[tuple[int, int, int, int]], warp, plan, tpq: int, track_index: int,
            end: int) -> list[tuple[int, int, int, int]]:
    """``notes`` as performed (``render.feel``): each section's swing and the plan's
    humanising; no note shorter than a tick or past ``end``, none of one pitch overlapping."""
    if warp is None and not plan.humanize:
        return notes
    if warp is not None:
        notes = [(warp(start), max(warp(start) + 1, warp(stop)), pitch, velocity)
                 for start, stop, pitch, velocity in notes]
    notes = humanized(notes, plan, tpq, track_index)
    return [(start, min(stop, end), pitch, velocity)
            for start, stop, pitch, velocity in _remove_overlaps(notes)
            if start < min(stop, end)]


def _spec_of(track) -> TrackSpec:
    """A plan's view of a score track the plan does not name (an added or foreign part)."""
    return TrackSpec(str(track.name) or "Track", int(track.program),
                     "drums" if track.is_drum else "harmony")


def write_midi(song: PlannedScore, path: str | Path) -> Path:
    """Write ``song`` as a DAW-ready MIDI file, atomically. Returns the path."""
    path = Path(path)
    midi = midi_file(song)
    with atomic_path(path) as temp:
        midi.save(str(temp))
    return path


def note_ons(midi: mido.MidiFile) -> list[tuple[str, int, int, int]]:
    """What a MIDI file strikes: ``(track name, pitch, tick, velocity)`` for every note-on
    with a velocity, in track then time order (the conductor track strikes nothing)."""
    struck = []
    for track in midi.tracks:
        now = 0
        for message in track:
            now += message.time
            if message.type == "note_on" and message.velocity:
                struck.append((track.name, message.note, now, message.velocity))
    return struck
