"""The mixing desk: each part's dry signal narrowed where its preset phases itself apart,
panned, and sent to a reverb and a chorus bus (pedalboard's Freeverb and chorus), the returns
and the dry parts summed into the mix, and the mix narrowed where it would still fold badly to
mono.

Everything on the desk is linear and starts from silence, so a part's stem (its dry signal plus
what its own sends return) summed over the parts is the mix, to float precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .mix import CHORUS, DEFAULT_ROOM, PAN, REVERB, Room, cc_to_pan

MIN_PART_CORRELATION = 0.3
"""A part whose left/right correlation is below this is narrowed to it: a preset whose two
channels cancel would vanish on a mono speaker."""

MIN_MIX_CORRELATION = 0.35
"""The mix is narrowed to this where the parts and the room together come out wider (the
same width is then given to every stem, so the stems still sum to the mix)."""

REVERB_RETURN = 0.5   # the reverb bus's return level
CHORUS_RETURN = 0.6   # the chorus bus's return level


@dataclass(frozen=True)
class Channel:
    """A part on the desk: its name, dry stereo signal (placed), sends, and width used."""

    name: str
    dry: np.ndarray
    reverb_send: float
    chorus_send: float
    width: float


def correlation(samples: np.ndarray) -> float:
    """Left/right correlation of stereo ``samples`` (1: mono; 0: unrelated; -1: opposed);
    1 for silence or an exactly mono signal."""
    left = np.ascontiguousarray(samples[:, 0])
    right = np.ascontiguousarray(samples[:, 1])
    energy = math.sqrt(float(np.dot(left, left)) * float(np.dot(right, right)))
    return 1.0 if energy == 0 else float(np.dot(left, right)) / energy


def narrowed(samples: np.ndarray, minimum: float = MIN_PART_CORRELATION
             ) -> tuple[np.ndarray, float]:
    """``samples`` with its side signal scaled down until the correlation reaches ``minimum``
    (unchanged when it already does); returns the signal and the side's scale."""
    if correlation(samples) >= minimum:
        return samples, 1.0
    mid, side = _mid_side(samples)
    mm, ss, ms = float(mid @ mid), float(side @ side), float(mid @ side)

    def correlation_at(width: float) -> float:  # of mid + width * side, mid - width * side
        left = mm + 2 * width * ms + width * width * ss
        right = mm - 2 * width * ms + width * width * ss
        return (mm - width * width * ss) / math.sqrt(max(left * right, 1e-30))

    low, high = 0.0, 1.0
    for _ in range(40):  # the correlation falls as the side grows: bisect for the width
        width = (low + high) / 2
        low, high = (width, high) if correlation_at(width) >= minimum else (low, width)
    return _joined(samples, mid, side, low), low


def _mid_side(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    left = np.ascontiguousarray(samples[:, 0])
    right = np.ascontiguousarray(samples[:, 1])
    return (left + right) * np.float32(0.5), (left - right) * np.float32(0.5)


def with_width(samples: np.ndarray, width: float) -> np.ndarray:
    """``samples`` with the side signal scaled by ``width`` (1: as it is; 0: mono)."""
    if width == 1.0:
        return samples
    return _joined(samples, *_mid_side(samples), width)


def _joined(samples: np.ndarray, mid: np.ndarray, side: np.ndarray, width: float
            ) -> np.ndarray:
    """Left and right again from ``mid`` and ``width`` times ``side``."""
    out = np.empty_like(samples)
    out[:, 0] = mid + np.float32(width) * side
    out[:, 1] = mid - np.float32(width) * side
    return out


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power balance gains (left, right): -1 left, 0 as it is (1, 1), 1 right."""
    angle = (pan + 1.0) * math.pi / 4
    return math.sqrt(2) * math.cos(angle), math.sqrt(2) * math.sin(angle)


def panned(samples: np.ndarray, pan: float) -> np.ndarray:
    """``samples`` balanced to ``pan``, in place."""
    samples *= np.array(pan_gains(pan), dtype=np.float32)
    return samples


def channel(name: str, dry: np.ndarray, controls: dict[int, int]) -> Channel:
    """A part's dry signal on the desk, placed by its controllers (CC10 pan, CC91 reverb and
    CC93 chorus sends); ``dry`` is taken over (changed in place)."""
    narrow, width = narrowed(dry)
    return Channel(name, panned(narrow, cc_to_pan(controls[PAN])), controls[REVERB] / 127,
                   controls[CHORUS] / 127, width)


def _buses(room: Room, sample_rate: int):
    from pedalboard import Chorus, Reverb

    reverb = Reverb(room_size=room.room_size, damping=room.damping, width=room.width,
                    wet_level=1.0, dry_level=0.0)
    chorus = Chorus(rate_hz=0.8, depth=0.3, centre_delay_ms=8.0, feedback=0.0, mix=1.0)

    def returns(reverb_in: np.ndarray, chorus_in: np.ndarray) -> np.ndarray:
        out = np.zeros_like(reverb_in)
        for bus, level, signal in ((reverb, REVERB_RETURN, reverb_in),
                                   (chorus, CHORUS_RETURN, chorus_in)):
            if np.any(signal):
                out += np.float32(level) * bus(np.ascontiguousarray(signal.T), sample_rate,
                                               reset=True).T
        return out

    return returns


def mix(channels: list[Channel], room: Room | None, sample_rate: int,
        stems: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
    """The mix of ``channels`` in ``room``, and (when ``stems``) each channel's stem: its dry
    signal and its own sends' returns, so that the stems sum to the mix."""
    if not channels:
        return np.zeros((0, 2), dtype=np.float32), []
    returns = _buses(room or DEFAULT_ROOM, sample_rate)
    total = np.zeros_like(channels[0].dry)
    reverb_in, chorus_in, scratch = (np.zeros_like(total) for _ in range(3))
    for part in channels:
        total += part.dry
        for bus, send in ((reverb_in, part.reverb_send), (chorus_in, part.chorus_send)):
            if send:
                bus += np.multiply(part.dry, np.float32(send), out=scratch)
    total += returns(reverb_in, chorus_in)
    total, width = narrowed(total, MIN_MIX_CORRELATION)
    parts = [with_width(part.dry + returns(part.dry * np.float32(part.reverb_send),
                                           part.dry * np.float32(part.chorus_send)), width)
             for part in channels] if stems else []
    return total, parts
