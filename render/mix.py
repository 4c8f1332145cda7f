"""Where every instrument sits: each track's pan, level and reverb and chorus sends, from its
role and General MIDI program and the style's room, unless the template sets them.

The same settings go into the MIDI file (CC7 volume, CC10 pan, CC91 reverb, CC93 chorus at the
start of each track, and a GM2 reverb-type message in the conductor track) so that a DAW opens
the balance the audio was mixed with; the desk (``render.desk``) reads them back from any MIDI
file.
"""

from __future__ import annotations

from dataclasses import dataclass

from songform.hierarchy.plan import TrackSpec

VOLUME, PAN, REVERB, CHORUS = 7, 10, 91, 93
"""The MIDI controllers the mix is written as."""

GM_DEFAULTS = {VOLUME: 100, PAN: 64, REVERB: 40, CHORUS: 0}
"""What a General MIDI synthesiser assumes where a file sets none."""


@dataclass(frozen=True)
class Room:
    """A reverb room, in GM2's reverb types and pedalboard's Freeverb settings.

    Args:
        name: what the room is, for tables.
        gm2_type: GM2 reverb type (0 small room, 1 medium room, 2 large room, 3 medium hall,
            4 large hall, 8 plate).
        room_size, damping, width: ``pedalboard.Reverb`` settings (0-1).
        send: the reverb send (CC91) of a lead instrument in this room.
    """

    name: str
    gm2_type: int
    room_size: float
    damping: float
    width: float
    send: int


ROOMS = {
    "small room": Room("small room", 0, 0.30, 0.70, 0.6, 24),
    "medium room": Room("medium room", 1, 0.50, 0.55, 0.7, 36),
    "club": Room("club", 2, 0.60, 0.50, 0.7, 40),
    "medium hall": Room("medium hall", 3, 0.70, 0.45, 0.8, 44),
    "large hall": Room("large hall", 4, 0.85, 0.35, 0.9, 64),
}
GM2_ROOMS = {room.gm2_type: room for room in ROOMS.values()}
STYLE_ROOMS = {"pop": "medium hall", "ballad": "large hall", "rock": "small room",
               "blues": "medium room", "jazz": "medium room", "chorale": "large hall",
               "house": "club", "waltz": "large hall"}
DEFAULT_ROOM = ROOMS["medium hall"]


def room_for(style: str) -> Room:
    """The room a style plays in (a medium hall for styles without one)."""
    return ROOMS.get(STYLE_ROOMS.get(style, ""), DEFAULT_ROOM)


def gm2_reverb_type(room: Room) -> list[int]:
    """The GM2 Global Parameter Control system exclusive message (without F0/F7) that sets
    the reverb type to ``room``'s."""
    return [0x7F, 0x7F, 0x04, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, room.gm2_type]


def room_from_sysex(data: list[int] | tuple[int, ...]) -> Room | None:
    """The room a GM2 reverb-type message names, or ``None`` for any other message."""
    data = list(data)
    if len(data) == 11 and data[:10] == gm2_reverb_type(DEFAULT_ROOM)[:10]:
        return GM2_ROOMS.get(data[10])
    return None


@dataclass(frozen=True)
class TrackMix:
    """One track's place in the mix.

    Args:
        pan: -1 (left) to 1 (right).
        volume, reverb, chorus: MIDI controller values 0-127.
    """

    pan: float
    volume: int
    reverb: int
    chorus: int

    def controllers(self) -> list[tuple[int, int]]:
        """``(controller, value)`` pairs in the order they are written: CC7, CC10, CC91,
        CC93."""
        return [(VOLUME, self.volume), (PAN, pan_to_cc(self.pan)), (REVERB, self.reverb),
                (CHORUS, self.chorus)]


def pan_to_cc(pan: float) -> int:
    """-1..1 -> CC10's 0..127, centre 64."""
    return max(0, min(127, round(64 + pan * 64)))


def cc_to_pan(value: int) -> float:
    """CC10's 0..127 -> -1..1 (64 is the centre; 0 is hard left, 127 hard right)."""
    return max(-1.0, min(1.0, (value - 64) / (63 if value >= 64 else 64)))


def _family(program: int) -> str:
    """The General MIDI family of a program, as far as the mix cares."""
    if 40 <= program <= 51 or 88 <= program <= 95:
        return "wide"      # strings, ensembles, pads
    if 16 <= program <= 23 or 4 <= program <= 5:
        return "keys"      # organs, harmonica, accordion, electric pianos
    if 24 <= program <= 31:
        return "guitar"
    return "other"


# role -> (pan, volume, reverb send as a share of the room's, chorus)
_ROLE_MIX = {
    "melody": (0.0, 108, 1.0, 0),
    "counter-melody": (-0.35, 88, 1.2, 0),
    "harmony": (0.3, 92, 1.0, 0),
    "bass": (0.0, 100, 0.3, 0),
    "drums": (0.0, 100, 0.6, 0),
}


def track_mix(track: TrackSpec, style: str) -> TrackMix:
    """``track``'s place in the mix: the template's settings where it gives them, else by
    role and instrument in the style's room (bass and kick centred, the lead forward and
    centred, the counter-melody left and the harmony right, strings and pads centred and
    wide with a chorus send)."""
    pan, volume, share, chorus = _ROLE_MIX[track.role]
    family = "drums" if track.is_drum else _family(track.program)
    if family == "wide":
        pan, chorus = pan * 0.3, 24
    elif family == "keys":
        chorus = 16
    reverb = min(127, round(room_for(style).send * share))
    return TrackMix(pan=track.pan if track.pan is not None else pan,
                    volume=track.volume if track.volume is not None else volume,
                    reverb=track.reverb if track.reverb is not None else reverb,
                    chorus=track.chorus if track.chorus is not None else chorus)
