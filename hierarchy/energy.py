"""Energy: one integer level 0-7 computed from notes, shared by styles and corpus analysis.

Definition (the only one in songform). Over a span of music (a bar, a phrase, a section), take
the pitched notes (drums excluded) and compute

- density: note onsets per quarter note, scored ``log2(1 + density) / log2(1 + 8)``
  (8 onsets per quarter note and above score 1);
- loudness: mean MIDI velocity, scored ``(velocity - 40) / (110 - 40)``;
- register: mean pitch, scored ``(pitch - 48) / (84 - 48)`` (C3 to C6).

Each score is clipped to [0, 1]; the level is ``round(7 * (0.5 density + 0.3 loudness +
0.2 register))``. A span with no notes has energy 0. Density dominates because arrangement
thickness is what listeners hear first as "bigger"; loudness and register break ties.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

MAX_ENERGY = 7
DENSITY_SATURATION = 8.0  # onsets per quarter note that score a full 1.0
VELOCITY_RANGE = (40.0, 110.0)
REGISTER_RANGE = (48.0, 84.0)
WEIGHTS = (0.5, 0.3, 0.2)  # density, loudness, register


@dataclass(frozen=True)
class EnergyFeatures:
    """The three measured features behind an energy level."""

    density: float  # onsets per quarter note
    velocity: float  # mean MIDI velocity
    pitch: float  # mean MIDI pitch

    @property
    def level(self) -> int:
        density_score = math.log2(1 + self.density) / math.log2(1 + DENSITY_SATURATION)
        low_velocity, high_velocity = VELOCITY_RANGE
        low_pitch, high_pitch = REGISTER_RANGE
        loudness_score = (self.velocity - low_velocity) / (high_velocity - low_velocity)
        register_score = (self.pitch - low_pitch) / (high_pitch - low_pitch)
        scores = [min(1.0, max(0.0, s)) for s in (density_score, loudness_score, register_score)]
        raw = sum(w * s for w, s in zip(WEIGHTS, scores, strict=True))
        return int(round(MAX_ENERGY * raw))


def energy_features(
    notes: Iterable[tuple[float, int, int]], span_quarters: float
) -> EnergyFeatures:
    """Features of pitched ``notes`` given as ``(onset_quarters, pitch, velocity)``.

    Args:
        notes: the span's pitched notes; onsets are only counted, not positioned.
        span_quarters: the span's length in quarter notes (> 0).
    """
    if span_quarters <= 0:
        raise ValueError(f"span must be positive, got {span_quarters}")
    onsets, pitch_sum, velocity_sum = 0, 0.0, 0.0
    for _, pitch, velocity in notes:
        onsets += 1
        pitch_sum += pitch
        velocity_sum += velocity
    if onsets == 0:
        return EnergyFeatures(0.0, 0.0, 0.0)
    return EnergyFeatures(onsets / span_quarters, velocity_sum / onsets, pitch_sum / onsets)


def energy_level(notes: Iterable[tuple[float, int, int]], span_quarters: float) -> int:
    """Energy level 0-7 of pitched ``notes`` (``(onset_quarters, pitch, velocity)``)."""
    features = energy_features(list(notes), span_quarters)
    if features.density == 0:
        return 0
    return features.level
