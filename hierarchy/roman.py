"""Roman numerals in a key, both ways: ``I V vi IV``, ``ii7 V7 I``, ``bVII``, ``V/V``, ``I/3``.

Conventions (one set, used by the planner, the chord model and the corpus side):
- Degrees count the key's scale: major, or natural minor for minor keys (in A minor ``III`` is
  C major and ``V`` is E major, the case giving the quality). ``b``/``#`` alter the degree.
- Upper case is a major triad, lower case minor; ``o`` (or ``°``) diminished, ``+`` augmented.
- The suffix follows the pop chord suffix: ``7`` is a dominant seventh on upper case and a
  minor seventh on lower case, ``maj7``, ``ø7`` (half-diminished), ``o7``, ``sus4``, ``add9``...
- ``/`` followed by a numeral is an applied chord (``V/V``, ``vii o7/ii``); followed by a
  chord degree it is the bass (``I/3`` = first inversion, ``V7/b7``).
"""

from __future__ import annotations

import re

from .chord import INTERVAL_DEGREE, QUALITIES, Chord, degree_to_semitones
from .errors import expected
from .key import Key

_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII")
_ROMAN_RE = re.compile(r"^(b|#)?(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(.*)$")
_BASS_DEGREE_RE = re.compile(r"^(?:b|#)?[0-9]{1,2}$")
# Minor-family qualities and their suffix on a lower-case numeral (Am7 in C -> vi7).
_MINOR_SUFFIXES = {"min": "", "min7": "7", "min6": "6", "min9": "9", "min11": "11",
                   "min13": "13", "minmaj7": "maj7", "madd9": "add9"}


def is_roman(text: str) -> bool:
    """Whether ``text`` looks like a roman numeral rather than a chord symbol."""
    return bool(_ROMAN_RE.match(text.strip()))


def _quality_intervals(upper: bool, suffix: str, numeral: str) -> tuple[int, ...]:
    """Intervals for a numeral's case plus its suffix."""
    suffix = suffix.replace("°", "o").replace("ø", "h")
    if suffix.startswith("o"):
        return (0, 3, 6, 9) if suffix[1:] == "7" else (0, 3, 6) if suffix == "o" else ()
    if suffix.startswith("h"):
        return (0, 3, 6, 10) if suffix in ("h", "h7") else ()
    if suffix.startswith("+"):
        return (0, 4, 8, 10) if suffix == "+7" else (0, 4, 8) if suffix == "+" else ()
    # Lower case: the pop suffix of the minor chord ("7" -> m7, "" -> m, "maj7" -> m(maj7)).
    if not upper:
        by_suffix = {roman_suffix: name for name, roman_suffix in _MINOR_SUFFIXES.items()}
        return QUALITIES[by_suffix[suffix]][0] if suffix in by_suffix else ()
    for name, (intervals, pop_suffix, _) in QUALITIES.items():
        if pop_suffix == suffix and name not in _MINOR_SUFFIXES:
            return intervals
    return {"M7": (0, 4, 7, 11), "sus": (0, 5, 7)}.get(suffix, ())


def roman_to_chord(numeral: str, key: Key) -> Chord:
    """The chord that ``numeral`` names in ``key`` (``vi`` in C -> Am; ``V/V`` in C -> D)."""
    text = numeral.strip()
    if not text:
        raise expected("a roman numeral such as I, vi, V7 or bVII", numeral)
    head, applied, bass_text = text, None, None
    if "/" in text:
        head, tail = text.split("/", 1)
        if _BASS_DEGREE_RE.match(tail):
            bass_text = tail
        else:
            applied = tail
    if applied is not None:
        target = roman_to_chord(applied, key)
        if target.root is None or target.quality not in ("maj", "min", "7", "min7", "maj7"):
            raise expected("an applied chord whose target is a major or minor chord", numeral)
        target_mode = "minor" if 3 in target.intervals else "major"
        return roman_to_chord(head, Key(target.root, target_mode))
    match = _ROMAN_RE.match(head)
    if not match:
        raise expected("a roman numeral such as I, vi, V7 or bVII", numeral)
    accidental, roman, suffix = match.groups()
    suffix_match = re.fullmatch(r"([^()]*)(?:\(([^()]*)\))?", suffix)
    intervals: tuple[int, ...] = ()
    if suffix_match:
        base_suffix, extension_list = suffix_match.groups()
        intervals = _quality_intervals(roman.isupper(), base_suffix, numeral)
        if intervals and extension_list:
            intervals = _with_extensions(intervals, extension_list)
    if not intervals:
        raise expected("a roman numeral suffix such as 7, maj7, o7, ø7, sus4 or add9", numeral)
    degree = _NUMERALS.index(roman.upper()) + 1
    shift = {"b": -1, "#": 1, None: 0}[accidental]
    root = key.degree_pitch_class(degree, shift)
    bass = degree_to_semitones(bass_text) % 12 if bass_text else None
    if bass_text and int(bass_text.lstrip("#b")) > 7:
        raise expected(f"a bass degree within the octave, 1-7 (/{bass_text} is not; write "
                       "/2 for the ninth in the bass)", numeral)
    return Chord(root, intervals, bass)


def chord_to_roman(chord: Chord, key: Key) -> str:
    """The roman numeral of ``chord`` in ``key`` (Am in C -> ``vi``; Bb in C -> ``bVII``).

    ``N`` (no chord) stays ``N``. The result always maps back to the same chord.
    """
    if chord.root is None:
        return "N"
    degree, accidental = key.degree_of(chord.root)
    prefix = {-1: "b", 1: "#", 0: ""}[accidental]
    numeral = _NUMERALS[degree - 1]
    intervals = chord.intervals
    special = {
        (0, 3, 6): ("lower", "o"), (0, 3, 6, 9): ("lower", "o7"),
        (0, 3, 6, 10): ("lower", "ø7"), (0, 4, 8): ("upper", "+"),
        (0, 4, 8, 10): ("upper", "+7"),
    }
    quality, extensions = chord.quality, chord.extensions
    if intervals in special:
        case, suffix = special[intervals]
        text = prefix + (numeral.lower() if case == "lower" else numeral) + suffix
    elif quality in _MINOR_SUFFIXES:
        text = prefix + numeral.lower() + _MINOR_SUFFIXES[quality]
        if extensions:
            text += _extension_text(extensions)
    else:
        text = prefix + numeral + QUALITIES[quality][1] + _extension_text(extensions)
    if chord.bass is not None:
        text += "/" + _bass_degree(chord.bass)
    return text


def _with_extensions(intervals: tuple[int, ...], extension_list: str) -> tuple[int, ...]:
    present = set(intervals)
    for item in extension_list.split(","):
        semitones = degree_to_semitones(item)
        if semitones in (6, 8) and item.strip().endswith("5"):
            present.discard(7)
        present.add(semitones)
    return tuple(sorted(present))


def _extension_text(extensions: tuple[int, ...]) -> str:
    return "(" + ",".join(INTERVAL_DEGREE[i] for i in extensions) + ")" if extensions else ""


def _bass_degree(bass: int) -> str:
    return INTERVAL_DEGREE[bass]
