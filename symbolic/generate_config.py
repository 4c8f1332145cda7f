"""The sampling settings of the note writer (:class:`GenerateConfig`), checked on
construction; light to import (no torch), so that a project file can be checked without the
model."""

from __future__ import annotations

from dataclasses import dataclass, fields

from songform.core.errors import InputError

MAX_TAKES = 16


@dataclass(frozen=True)
class GenerateConfig:
    """Sampling settings.

    Args:
        temperature: softmax temperature.
        top_p: nucleus sampling mass (1 keeps every allowed token).
        context: tokens of context the model attends back (its training window is a good
            choice): each row's ring cache holds this many (a chunk of plan tokens or a
            copied bar attends to the ring and to itself before it is stored).
        max_tokens_per_bar: a bar that reaches this many note tokens is closed.
        copy_repeats: restated bars copy their source's notes (with probability
            ``1 - variation``); off, every bar is sampled.
        chord_bias: added to the logits of pitches in the chord the plan sounds at the
            note's position: plan guidance at decoding time. 0 (the default since the
            retrained model, whose own chord tones are POP909's share) lets the
            model alone decide; bench/RESULTS.md measures what each setting does to the share
            of chord tones and to the melody's intervals.
        register_lift: logits per semitone per energy level added to the melody's pitches,
            level counted from the song's mean energy: a section above the mean tilts its
            melody up, one below tilts it down (POP909's choruses sit 2.9 semitones above
            their verses; the model, which sees no energy in training, put them 1.1 above).
        density_lift: logits per energy level added to the melody's ``Program`` token
            where a note may start, so that livelier sections have more melody onsets
            (POP909's chorus melodies are 1.03x as dense as their verses; the model's 0.9x).
        takes: each section is written this many times side by side in one batch, and the
            take that best keeps the plan is kept (``symbolic.takes`` states the score); 1
            writes each section once, as without takes.
        source_in_context: when a phrase restates an earlier one with ``variation`` above
            0, the source phrase's tokens are placed in the cache just before the new phrase
            (positions and onsets of "one phrase ago"), so that a freshly sampled bar is a
            variation of its source rather than a bar from nowhere.
    """

    temperature: float = 1.0
    top_p: float = 0.95
    context: int = 384
    max_tokens_per_bar: int = 192
    copy_repeats: bool = True
    chord_bias: float = 0.0
    register_lift: float = 0.08
    density_lift: float = 0.5
    takes: int = 1
    source_in_context: bool = True

    def __post_init__(self) -> None:
        for name, (low, high) in SAMPLING_RANGES.items():
            value = getattr(self, name)
            whole = name in ("context", "max_tokens_per_bar", "takes")
            if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) \
                    or not low <= value <= high or (name in OPEN_BELOW and value == low):
                kind = "an integer" if whole else "a number"
                where = (f"above {low:g} and at most {high:g}" if name in OPEN_BELOW
                         else f"from {low:g} to {high:g}")
                raise InputError(f"{name}: expected {kind} {where}, got {value!r}")
        for name in ("copy_repeats", "source_in_context"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"{name}: expected true or false, got "
                                 f"{getattr(self, name)!r}")

    @classmethod
    def from_dict(cls, data: object) -> GenerateConfig:
        """The settings a project or caller stored (unknown keys ignored), checked."""
        if not isinstance(data, dict):
            raise InputError(f"sampling settings: expected an object, got {data!r:.40}")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


SAMPLING_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 100.0), "top_p": (0.0, 1.0), "context": (16, 8192),
    "max_tokens_per_bar": (4, 4096), "chord_bias": (-100.0, 100.0),
    "register_lift": (-10.0, 10.0), "density_lift": (-10.0, 10.0), "takes": (1, MAX_TAKES)}
"""The range of every sampling setting (NaN and infinities are outside every range)."""
OPEN_BELOW = frozenset({"temperature", "top_p"})
"""Settings that must lie strictly above their lower bound."""
