"""Chord symbols: parse and format pop symbols (``F#m7b5``, ``Bb/D``, ``C7(#9)``) and
Harte-style labels (``G:maj7``, ``A:min/b3``, ``C:sus4(b7)``, ``N``) as one ``Chord`` type.

A chord is a root pitch class, a set of intervals above it (semitones; a ninth is 14, not 2)
and an optional bass. Its *quality* is derived: the largest named quality contained in the
interval set, the remaining intervals being extensions. So ``C:sus4(b7)`` and ``C7sus4`` are
equal chords, and ``Cm7(b5)`` is ``Cm7b5``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import TemplateError, expected
from .pitch import pitch_class, pitch_class_name

# name -> (intervals, pop suffix, Harte shorthand). Order breaks ties in the decomposition.
QUALITIES: dict[str, tuple[tuple[int, ...], str, str]] = {
    "maj": ((0, 4, 7), "", "maj"),
    "min": ((0, 3, 7), "m", "min"),
    "dim": ((0, 3, 6), "dim", "dim"),
    "aug": ((0, 4, 8), "aug", "aug"),
    "sus2": ((0, 2, 7), "sus2", "sus2"),
    "sus4": ((0, 5, 7), "sus4", "sus4"),
    "5": ((0, 7), "5", "(1,5)"),
    "maj6": ((0, 4, 7, 9), "6", "maj6"),
    "min6": ((0, 3, 7, 9), "m6", "min6"),
    "7": ((0, 4, 7, 10), "7", "7"),
    "maj7": ((0, 4, 7, 11), "maj7", "maj7"),
    "min7": ((0, 3, 7, 10), "m7", "min7"),
    "minmaj7": ((0, 3, 7, 11), "m(maj7)", "minmaj7"),
    "dim7": ((0, 3, 6, 9), "dim7", "dim7"),
    "hdim7": ((0, 3, 6, 10), "m7b5", "hdim7"),
    "aug7": ((0, 4, 8, 10), "aug7", "aug(b7)"),
    "7sus4": ((0, 5, 7, 10), "7sus4", "sus4(b7)"),
    "add9": ((0, 4, 7, 14), "add9", "maj(9)"),
    "madd9": ((0, 3, 7, 14), "madd9", "min(9)"),
    "69": ((0, 4, 7, 9, 14), "69", "maj6(9)"),
    "9": ((0, 4, 7, 10, 14), "9", "9"),
    "maj9": ((0, 4, 7, 11, 14), "maj9", "maj9"),
    "min9": ((0, 3, 7, 10, 14), "m9", "min9"),
    "9sus4": ((0, 5, 7, 10, 14), "9sus4", "sus4(b7,9)"),
    "11": ((0, 4, 7, 10, 14, 17), "11", "11"),
    "min11": ((0, 3, 7, 10, 14, 17), "m11", "min11"),
    "13": ((0, 4, 7, 10, 14, 17, 21), "13", "13"),
    "maj13": ((0, 4, 7, 11, 14, 17, 21), "maj13", "maj13"),
    "min13": ((0, 3, 7, 10, 14, 17, 21), "m13", "min13"),
}
_HARTE_SHORTHANDS = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8),
    "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10), "7": (0, 4, 7, 10), "dim7": (0, 3, 6, 9),
    "hdim7": (0, 3, 6, 10), "minmaj7": (0, 3, 7, 11), "maj6": (0, 4, 7, 9), "min6": (0, 3, 7, 9),
    "9": (0, 4, 7, 10, 14), "maj9": (0, 4, 7, 11, 14), "min9": (0, 3, 7, 10, 14),
    "sus2": (0, 2, 7), "sus4": (0, 5, 7), "11": (0, 4, 7, 10, 14, 17),
    "min11": (0, 3, 7, 10, 14, 17), "13": (0, 4, 7, 10, 14, 17, 21),
    "maj13": (0, 4, 7, 11, 14, 17, 21), "min13": (0, 3, 7, 10, 14, 17, 21),
    "1": (0,), "5": (0, 7),
}
_POP_ALIASES: dict[str, tuple[int, ...]] = {
    suffix: intervals for intervals, suffix, _ in QUALITIES.values()
}
_POP_ALIASES.update({
    "M": (0, 4, 7), "maj": (0, 4, 7), "min": (0, 3, 7), "-": (0, 3, 7), "°": (0, 3, 6),
    "o": (0, 3, 6), "+": (0, 4, 8), "sus": (0, 5, 7), "maj6": (0, 4, 7, 9), "M6": (0, 4, 7, 9),
    "min6": (0, 3, 7, 9), "-6": (0, 3, 7, 9), "M7": (0, 4, 7, 11), "Δ": (0, 4, 7, 11),
    "Δ7": (0, 4, 7, 11), "^7": (0, 4, 7, 11), "ma7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
    "-7": (0, 3, 7, 10), "mM7": (0, 3, 7, 11), "mmaj7": (0, 3, 7, 11), "m(M7)": (0, 3, 7, 11),
    "minmaj7": (0, 3, 7, 11), "-(maj7)": (0, 3, 7, 11), "°7": (0, 3, 6, 9), "o7": (0, 3, 6, 9),
    "ø": (0, 3, 6, 10), "ø7": (0, 3, 6, 10), "min7b5": (0, 3, 6, 10), "-7b5": (0, 3, 6, 10),
    "+7": (0, 4, 8, 10), "7#5": (0, 4, 8, 10), "7sus": (0, 5, 7, 10), "M9": (0, 4, 7, 11, 14),
    "Δ9": (0, 4, 7, 11, 14), "min9": (0, 3, 7, 10, 14), "-9": (0, 3, 7, 10, 14),
    "m(add9)": (0, 3, 7, 14), "6(9)": (0, 4, 7, 9, 14), "9sus": (0, 5, 7, 10, 14),
    "min11": (0, 3, 7, 10, 14, 17), "-11": (0, 3, 7, 10, 14, 17), "dom7": (0, 4, 7, 10),
})
_POP_SUFFIXES = sorted(_POP_ALIASES, key=len, reverse=True)

_DEGREE_SEMITONES = {1: 0, 2: 2, 3: 4, 4: 5, 5: 7, 6: 9, 7: 11, 8: 12, 9: 14, 10: 16, 11: 17,
                     12: 19, 13: 21}
INTERVAL_DEGREE = {
    0: "1", 1: "b2", 2: "2", 3: "b3", 4: "3", 5: "4", 6: "b5", 7: "5", 8: "#5", 9: "6",
    10: "b7", 11: "7", 12: "8", 13: "b9", 14: "9", 15: "#9", 16: "10", 17: "11", 18: "#11",
    19: "12", 20: "b13", 21: "13", 22: "#13", 23: "14",
}
_ROOT_RE = re.compile(r"^([A-G](?:#|b|\u266f|\u266d)?)")
_DEGREE_RE = re.compile(r"^(\*)?((?:b|#)*)(\d+)$")
_POP_ITEM_RE = re.compile(r"(add|no|omit)?((?:b|#)?)(\d+)")
_FLAT_ROOTS = {1, 3, 8, 10}


def degree_to_semitones(text: str) -> int:
    """Semitones of a chord degree such as ``3``, ``b7``, ``#9`` or ``b13``."""
    match = _DEGREE_RE.match(text.strip())
    if not match or match.group(1):
        raise expected("a chord degree such as 3, b7 or #9", text)
    accidentals, number = match.group(2), int(match.group(3))
    if number not in _DEGREE_SEMITONES:
        raise expected("a chord degree 1-13", text)
    return _DEGREE_SEMITONES[number] + accidentals.count("#") - accidentals.count("b")


@dataclass(frozen=True)
class Chord:
    """A chord, or no chord (``root is None``, written ``N``).

    Args:
        root: pitch class 0-11 of the root, or ``None`` for no chord.
        intervals: sorted semitone intervals above the root, 0 included (ninth = 14).
        bass: semitones (0-11) from the root up to the bass note, or ``None`` for root position.
    """

    root: int | None
    intervals: tuple[int, ...] = (0, 4, 7)
    bass: int | None = None

    def __post_init__(self) -> None:
        if self.root is None:
            object.__setattr__(self, "intervals", ())
            object.__setattr__(self, "bass", None)
            return
        object.__setattr__(self, "root", self.root % 12)
        intervals = tuple(sorted(set(self.intervals) | {0}))
        if any(i < 0 or i > 23 for i in intervals):
            raise TemplateError(f"chord intervals must be 0-23 semitones, got {intervals}")
        object.__setattr__(self, "intervals", intervals)
        bass = None if self.bass is None or self.bass % 12 == 0 else self.bass % 12
        object.__setattr__(self, "bass", bass)

    # -- derived views -------------------------------------------------------------------
    @property
    def is_none(self) -> bool:
        return self.root is None

    @property
    def quality(self) -> str:
        """The largest named quality within the chord (``maj``, ``min7``, ``7sus4``...)."""
        if self.root is None:
            return "none"
        return _decompose(self.intervals)[0]

    @property
    def extensions(self) -> tuple[int, ...]:
        """Intervals beyond the quality (``C7(#9)`` -> ``(15,)``)."""
        return _decompose(self.intervals)[1]

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """Sorted pitch classes of the chord tones, bass included."""
        if self.root is None:
            return ()
        pcs = {(self.root + i) % 12 for i in self.intervals}
        if self.bass is not None:
            pcs.add((self.root + self.bass) % 12)
        return tuple(sorted(pcs))

    @property
    def bass_pitch_class(self) -> int | None:
        if self.root is None:
            return None
        return (self.root + (self.bass or 0)) % 12

    def transpose(self, semitones: int) -> Chord:
        if self.root is None:
            return self
        return Chord(self.root + semitones, self.intervals, self.bass)

    # -- parsing -------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Chord:
        """Parse a pop symbol (``Am7``, ``Bb/D``) or a Harte label (``A:min/b3``); ``N`` = none."""
        if not isinstance(text, str):
            raise expected("a chord symbol such as C, Am7 or G:maj7", text)
        symbol = text.strip().replace(" ", "")
        if symbol in ("N", "NC", "N.C.", "X"):
            return cls(None)
        if ":" in symbol:
            return _parse_harte(symbol, text)
        return _parse_pop(symbol, text)

    # -- formatting ----------------------------------------------------------------------
    def symbol(self, prefer_flats: bool | None = None) -> str:
        """Pop symbol: ``C``, ``Am7``, ``F#m7b5``, ``Bb/D``, ``C7(#9)``."""
        if self.root is None:
            return "N"
        flats = self.root in _FLAT_ROOTS if prefer_flats is None else prefer_flats
        quality, extensions = _decompose(self.intervals)
        text = pitch_class_name(self.root, flats) + QUALITIES[quality][1]
        if extensions:
            text += "(" + ",".join(INTERVAL_DEGREE[i] for i in extensions) + ")"
        if self.bass is not None:
            bass_flats = flats or self.bass in (1, 3, 8, 10)
            text += "/" + pitch_class_name(self.root + self.bass, bass_flats)
        return text

    def harte(self, prefer_flats: bool | None = None) -> str:
        """Harte-style label: ``G:maj7``, ``A:min/b3``, ``C:sus4(b7)``, ``N``."""
        if self.root is None:
            return "N"
        flats = self.root in _FLAT_ROOTS if prefer_flats is None else prefer_flats
        quality, extensions = _decompose(self.intervals)
        shorthand = QUALITIES[quality][2]
        degrees = [INTERVAL_DEGREE[i] for i in extensions]
        if shorthand.startswith("("):  # a shorthand-free interval list such as (1,5)
            inner = shorthand[1:-1].split(",") + degrees
            text = f"{pitch_class_name(self.root, flats)}:({','.join(inner)})"
        elif "(" in shorthand:
            base, inner = shorthand[:-1].split("(")
            text = f"{pitch_class_name(self.root, flats)}:{base}({','.join([inner, *degrees])})"
        else:
            text = f"{pitch_class_name(self.root, flats)}:{shorthand}"
            if degrees:
                text += f"({','.join(degrees)})"
        if self.bass is not None:
            text += "/" + INTERVAL_DEGREE[self.bass]
        return text

    def __str__(self) -> str:
        return self.symbol()


def _decompose(intervals: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    present = set(intervals)
    best, best_size = "5" if 7 in present else None, 0
    for name, (quality_intervals, _, _) in QUALITIES.items():
        if set(quality_intervals) <= present and len(quality_intervals) > best_size:
            best, best_size = name, len(quality_intervals)
    if best is None:  # no fifth, no triad: describe everything as extensions of a power chord
        return "5", tuple(sorted(present - {0}))
    if best == "5" and 7 not in present:
        return "5", tuple(sorted(present - {0}))
    return best, tuple(sorted(present - set(QUALITIES[best][0])))


def _apply_item(intervals: set[int], item: str, original: str) -> None:
    match = _POP_ITEM_RE.fullmatch(item)
    if not match:
        raise expected("a chord symbol such as C, Am7, F#m7b5, Bb/D or C7(#9)", original)
    mode, accidental, number_text = match.groups()
    number = int(number_text)
    if number not in _DEGREE_SEMITONES:
        raise expected("a chord symbol such as C, Am7, F#m7b5, Bb/D or C7(#9)", original)
    semitones = _DEGREE_SEMITONES[number] + {"": 0, "#": 1, "b": -1}[accidental]
    if mode in ("no", "omit"):
        intervals.difference_update({semitones, semitones - 1, semitones + 1} if number in (3, 5)
                                    else {semitones})
        return
    if number == 5 and accidental:  # an altered fifth replaces the perfect fifth
        intervals.discard(7)
    intervals.add(semitones)


def _parse_pop(symbol: str, original: str) -> Chord:
    match = _ROOT_RE.match(symbol)
    if not match:
        raise expected("a chord symbol such as C, Am7, F#m7b5, Bb/D or C7(#9)", original)
    root = pitch_class(match.group(1).replace("\u266f", "#").replace("\u266d", "b"))
    rest = symbol[match.end():]
    bass_text = None
    if "/" in rest:
        rest, bass_text = rest.rsplit("/", 1)
    suffix = next((s for s in _POP_SUFFIXES if rest.startswith(s)), "")
    intervals = set(_POP_ALIASES[suffix])
    tail = rest[len(suffix):]
    seen: set[str] = set()
    for group in re.findall(r"\(([^()]*)\)|([^()]+)", tail):
        body = group[0] or group[1]
        items = [i for i in re.split(r",|(?=add)|(?=no)|(?=omit)|(?<=\d)(?=[#b])", body) if i]
        for item in items:
            if item in seen:
                raise expected(f"each alteration once ({item} is repeated)", original)
            seen.add(item)
            _apply_item(intervals, item, original)
    if "(" in tail and tail.count("(") != tail.count(")"):
        raise expected("balanced parentheses in a chord symbol", original)
    bass = None
    if bass_text is not None:
        if _ROOT_RE.fullmatch(bass_text):
            bass = (pitch_class(bass_text) - root) % 12
        else:
            bass = degree_to_semitones(bass_text) % 12
    return Chord(root, tuple(intervals), bass)


def _parse_harte(symbol: str, original: str) -> Chord:
    root_text, _, rest = symbol.partition(":")
    if not _ROOT_RE.fullmatch(root_text):
        raise expected("a Harte chord label such as G:maj7 or A:min/b3", original)
    root = pitch_class(root_text)
    bass_text = None
    if "/" in rest:
        rest, bass_text = rest.rsplit("/", 1)
    match = re.fullmatch(r"([A-Za-z0-9]*)(?:\(([^()]*)\))?", rest)
    if not match:
        raise expected("a Harte chord label such as G:maj7 or A:min/b3", original)
    shorthand, degree_list = match.groups()
    if shorthand and shorthand not in _HARTE_SHORTHANDS:
        raise expected(f"a Harte shorthand ({', '.join(_HARTE_SHORTHANDS)})", shorthand)
    if not shorthand and not degree_list:
        raise expected("a Harte chord label such as G:maj7 or A:min/b3", original)
    intervals = set(_HARTE_SHORTHANDS[shorthand]) if shorthand else {0}
    for item in (degree_list or "").split(","):
        if not item:
            continue
        if item.startswith("*"):
            intervals.discard(degree_to_semitones(item[1:]))
        else:
            intervals.add(degree_to_semitones(item))
    bass = degree_to_semitones(bass_text) % 12 if bass_text else None
    return Chord(root, tuple(intervals), bass)
