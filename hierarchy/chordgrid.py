"""Chord grids as users write them: ``"I V vi IV"`` (a chord a bar) or ``"| C G | Am F |"``.

Bars are separated by ``|`` when any is present, otherwise every token is a bar. Tokens are
roman numerals (read in the section's key) or chord symbols; ``%`` repeats the previous bar,
``N`` is no chord. Several chords in one bar share it evenly, on beats where they fit.
"""

from __future__ import annotations

from fractions import Fraction

from .chord import Chord
from .errors import TemplateError, expected
from .key import Key
from .meter import Meter
from .plan import BarChords, ChordEvent
from .roman import is_roman, roman_to_chord

ChordGrid = tuple[tuple[str, ...], ...]
_CHECK_KEY = Key(0, "major")


def parse_chord_grid(text: str) -> ChordGrid:
    """Split a grid into bars of tokens, checking every token; ``%`` is expanded.

    Raises:
        TemplateError: empty grid, empty bar, ``%`` first, or a token that is neither a roman
            numeral nor a chord symbol.
    """
    if not isinstance(text, str):
        raise expected('chords as text such as "I V vi IV" or "| C G | Am F |"', text)
    if "|" in text:
        cells = [cell.split() for cell in text.strip().strip("|").split("|")]
    else:
        cells = [[token] for token in text.split()]
    if not cells or not any(cells):
        raise expected('chords such as "I V vi IV" or "| C G | Am F |"', text)
    bars: list[tuple[str, ...]] = []
    for number, tokens in enumerate(cells, start=1):
        if not tokens:
            raise TemplateError(f'chords "{text.strip()}": bar {number} is empty')
        if tokens == ["%"]:
            if not bars:
                raise TemplateError(f'chords "{text.strip()}": "%" has no previous bar to repeat')
            bars.append(bars[-1])
            continue
        for token in tokens:
            check_chord_token(token)
        bars.append(tuple(tokens))
    return tuple(bars)


def check_chord_token(token: str) -> None:
    """Raise ``TemplateError`` unless ``token`` is a roman numeral or a chord symbol."""
    try:
        if is_roman(token):
            roman_to_chord(token, _CHECK_KEY)
        else:
            Chord.parse(token)
    except TemplateError:
        raise TemplateError(
            f'unknown chord "{token}": expected a chord symbol (C, Am7, Bb/D, G:maj7) '
            "or a roman numeral (I, vi, V7, bVII, V/V)"
        ) from None


def token_to_chord(token: str, key: Key, symbol_shift: int = 0) -> Chord:
    """A grid token as a chord in ``key``: a numeral is read in the key, a symbol is moved by
    ``symbol_shift`` semitones (the key it was written for -> ``key``)."""
    if is_roman(token):
        return roman_to_chord(token, key)
    return Chord.parse(token).transpose(symbol_shift)


def realise_bar(tokens: tuple[str, ...], key: Key, meter: Meter, symbol_shift: int = 0
                ) -> BarChords:
    """Chord events for one bar: chords spelled for the key, placed on beats where they fit;
    chord symbols move by ``symbol_shift`` semitones (see :func:`token_to_chord`)."""
    beats = meter.beat_offsets
    length = meter.quarters_per_bar
    events = []
    for i, token in enumerate(tokens):
        if len(tokens) <= len(beats):
            offset = beats[(i * len(beats)) // len(tokens)]
        else:
            offset = Fraction(i) * length / len(tokens)
        symbol = token_to_chord(token, key, symbol_shift).symbol(
            prefer_flats=key.prefers_flats)
        if events and events[-1].symbol == symbol:
            continue
        events.append(ChordEvent(float(offset), symbol))
    return tuple(events)


def fit_grid(grid: ChordGrid, bars: int) -> ChordGrid:
    """Cycle a grid over ``bars`` bars; a grid longer than the section is an error."""
    if len(grid) > bars:
        raise TemplateError(f"{len(grid)} bars of chords do not fit in {bars} bars")
    return tuple(grid[i % len(grid)] for i in range(bars))
