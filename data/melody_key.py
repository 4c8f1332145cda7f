"""The key and mode of a melody: every one of the 24 keys scored by a few things a musician
hears, weighed by a conditional logit fitted on POP909's training melodies against their
labelled keys (``bench/key_mode.py --fit`` refits it; the test melodies are never seen).

What tells keys apart, beyond the pitch-class histogram that Krumhansl-Kessler correlation
reads (which confuses a key with its dominant, and minor with its relative major):
- the share of the melody's time inside the key's scale (natural minor for minor keys): the
  sixth and seventh that tell E minor (G, D) from E major (G#, D#);
- where phrases end (a note held two beats, or followed by a beat's rest, and the final
  note): on the tonic, on its triad;
- time on the tonic and on the tonic triad;
- the raised seventh of minor, the first and last notes, semitone steps up into the tonic,
  moves between tonic and dominant.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from songform.hierarchy.key import Key

from .analysis import MAJOR_PROFILE, MINOR_PROFILE

MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)
KEYS = tuple((tonic, mode) for tonic in range(12) for mode in ("major", "minor"))
FEATURES = ("in scale", "profile correlation", "phrase ends on the tonic",
            "phrase ends on the triad", "last note the tonic", "time on the tonic",
            "time on the triad", "raised seventh (minor)", "minor", "first note the tonic",
            "semitone up into the tonic", "tonic-dominant moves")
WEIGHTS = (13.932, -0.673, 1.895, -1.105, 1.129, -1.297, 22.128, -0.602, -0.934, 0.474,
           2.156, 6.511)
"""Fitted on POP909's 691 training melodies (``bench/key_mode.py --fit``): 89.3% of them get
their labelled key; the 86 test melodies 86.0% (bench/RESULTS.md)."""
PHRASE_END_REST = 1.0   # quarters of rest after a note that ends a phrase
PHRASE_END_LENGTH = 2.0  # quarters: a note this long ends a phrase
FINAL_WEIGHT = 4.0       # quarters added to the final note's weight as a phrase end

Notes = Sequence[tuple[float, float, int]]
"""``(start, end, pitch)`` in quarter notes."""


def key_features(notes: Notes) -> np.ndarray:
    """``[24, len(FEATURES)]``: each key's features (rows in :data:`KEYS` order)."""
    notes = sorted(notes)
    time_on, ends = np.zeros(12), np.zeros(12)
    moves = np.zeros((12, 12))
    for index, (start, end, pitch) in enumerate(notes):
        length = max(end - start, 0.0)
        time_on[pitch % 12] += length
        following = notes[index + 1][0] if index + 1 < len(notes) else None
        if following is None:
            ends[pitch % 12] += length + FINAL_WEIGHT
        elif following - end >= PHRASE_END_REST or length >= PHRASE_END_LENGTH:
            ends[pitch % 12] += length
        if following is not None and following - end < PHRASE_END_REST:
            moves[pitch % 12, notes[index + 1][2] % 12] += 1
    total, ended, moved = time_on.sum() or 1.0, ends.sum() or 1.0, moves.sum() or 1.0
    first, last = notes[0][2] % 12, notes[-1][2] % 12
    rows = []
    for tonic, mode in KEYS:
        minor = mode == "minor"
        scale = [(tonic + step) % 12 for step in (MINOR_SCALE if minor else MAJOR_SCALE)]
        triad = [(tonic + step) % 12 for step in ((0, 3, 7) if minor else (0, 4, 7))]
        profile = np.roll(MINOR_PROFILE if minor else MAJOR_PROFILE, tonic)
        dominant = (tonic + 7) % 12
        rows.append([
            time_on[scale].sum() / total,
            float(np.corrcoef(time_on, profile)[0, 1]) if time_on.std() > 0 else 0.0,
            ends[tonic] / ended,
            ends[triad].sum() / ended,
            float(last == tonic),
            time_on[tonic] / total,
            time_on[triad].sum() / total,
            time_on[(tonic + 11) % 12] / total if minor else 0.0,
            float(minor),
            float(first == tonic),
            moves[(tonic + 11) % 12, tonic] / moved,
            (moves[dominant, tonic] + moves[tonic, dominant]) / moved,
        ])
    return np.array(rows)


def key_scores(notes: Notes, weights: Sequence[float] = WEIGHTS) -> np.ndarray:
    """Each key's score (rows in :data:`KEYS` order); the best is the melody's key."""
    return key_features(notes) @ np.asarray(weights, dtype=float)


def melody_key(notes: Notes) -> Key:
    """The key of a melody (``(start, end, pitch)`` in quarters); C major for no notes."""
    if not notes:
        return Key(0)
    tonic, mode = KEYS[int(np.argmax(key_scores(notes)))]
    return Key(tonic, mode)


def fit_weights(melodies: Sequence[Notes], keys: Sequence[Key], steps: int = 3000,
                rate: float = 0.5, decay: float = 1e-3) -> tuple[float, ...]:
    """Weights of the conditional logit (softmax over the 24 keys of each melody) that best
    predict ``keys``, by gradient ascent on standardised features, returned unstandardised
    (the constant shift they imply is the same for every key, so it drops out)."""
    features = np.stack([key_features(notes) for notes in melodies])
    truth = np.array([KEYS.index((key.tonic, key.mode)) for key in keys])
    flat = features.reshape(-1, features.shape[-1])
    mean, spread = flat.mean(0), flat.std(0) + 1e-9
    standard = (features - mean) / spread
    weights = np.zeros(features.shape[-1])
    rows = np.arange(len(truth))
    for _ in range(steps):
        logits = standard @ weights
        logits -= logits.max(1, keepdims=True)
        chance = np.exp(logits)
        chance /= chance.sum(1, keepdims=True)
        gradient = (standard[rows, truth] - (chance[..., None] * standard).sum(1)).mean(0)
        weights += rate * (gradient - decay * weights)
    return tuple(round(float(w), 3) for w in weights / spread)
