"""Phrase labels (POP909's ``i4A4A4B8x4B8o4``) -> sections and phrases, and the repeat rule.

One mapping serves the planner (a label form string) and the corpus reader (the human labels),
so the two derive identical sections and phrases.

Label letters (Dai, Zhang and Dannenberg 2020): upper case phrases carry melody; ``A``-``H``
recur (equal letter = same material), ``X`` never recurs. Lower case phrases have no melody:
``i`` intro, ``o`` outro, ``b`` and ``x`` instrumental interludes or transitions.

Sections: consecutive phrases with the same letter form one section. Its kind:

1. ``i`` -> intro, ``o`` -> outro, ``b``/``x`` -> interlude.
2. The **verse** is the first melodic letter (A-H) to appear (POP909's annotators, like most
   pop songs, start the sung part with the verse).
3. The **chorus** is, among the other melodic letters, the one that recurs (two or more
   sections) covering the most bars; a tie goes to the letter that appears first. With no
   recurring other letter, the other letter covering the most bars; with none, no chorus.
4. A remaining melodic letter (or an ``X`` section) is a **pre-chorus** when every one of its
   sections is directly followed by a chorus section; otherwise it is a **bridge**.

Repeats: a phrase restates (``repeat_of``) the first phrase with the same label; ``X`` and
``x`` never do. A returning chorus restates the first chorus, not the chorus before it, so
that variations do not pile up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from songform.core.limits import MAX_BARS, MAX_DIGITS, MAX_PHRASES

from .errors import TemplateError, expected
from .plan import NEVER_REPEATED_LABELS

_LABEL_STRING_RE = re.compile(r"^(?:[A-Za-z]\d+)+$")
_PHRASE_RE = re.compile(r"([A-Za-z])(\d+)")
MELODIC_LETTERS = frozenset("ABCDEFGH")
INSTRUMENTAL_KINDS = {"i": "intro", "o": "outro", "b": "interlude", "x": "interlude"}
KNOWN_LETTERS = MELODIC_LETTERS | {"X"} | set(INSTRUMENTAL_KINDS)


@dataclass(frozen=True)
class LabelledPhrase:
    label: str
    bars: int


@dataclass(frozen=True)
class LabelledSection:
    kind: str
    phrases: tuple[LabelledPhrase, ...]

    @property
    def bars(self) -> int:
        return sum(p.bars for p in self.phrases)


def parse_count(text: str, what: str, limit: int = MAX_BARS) -> int:
    """A count written in text (bars, a section number): ASCII digits, at most
    ``MAX_DIGITS`` of them, from 1 to ``limit``.

    Raises:
        TemplateError: anything else, naming ``what`` (``"bars"``, ``"section number"``).
    """
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS \
            or not 1 <= int(text) <= limit:
        shown = text if len(text) <= 12 else f"{text[:12]}... ({len(text)} characters)"
        raise TemplateError(f'expected a positive {what} (at most {limit}), got "{shown}"')
    return int(text)


def is_label_string(text: str) -> bool:
    """Whether ``text`` is a POP909-style label string such as ``i4A8B8o4``."""
    return bool(_LABEL_STRING_RE.match(text.strip()))


def parse_label_string(text: str) -> tuple[LabelledPhrase, ...]:
    """Split ``i4A4B8`` into phrases; letters outside ``ABCDEXibox`` or zero bars are errors."""
    stripped = text.strip()
    if not _LABEL_STRING_RE.match(stripped):
        raise expected("a phrase-label string such as i4A8B8A8B8o4", text)
    phrases = []
    for letter, digits in _PHRASE_RE.findall(stripped):
        if letter not in KNOWN_LETTERS:
            raise TemplateError(
                f'phrase label "{letter}{digits}": expected a letter among '
                f"{''.join(sorted(KNOWN_LETTERS))}"
            )
        try:
            bars = parse_count(digits, "bar count")
        except TemplateError as error:
            raise TemplateError(f'phrase label "{letter}{digits[:12]}": {error.detail}'
                                ) from None
        phrases.append(LabelledPhrase(letter, bars))
        if len(phrases) > MAX_PHRASES:
            raise TemplateError(f"more than {MAX_PHRASES} phrases")
    total = sum(p.bars for p in phrases)
    if total > MAX_BARS:
        raise TemplateError(f"the phrases add up to {total} bars, more than {MAX_BARS}")
    return tuple(phrases)


def group_sections(phrases: Sequence[LabelledPhrase]) -> list[list[LabelledPhrase]]:
    """Group consecutive phrases of one letter."""
    groups: list[list[LabelledPhrase]] = []
    for phrase in phrases:
        if groups and groups[-1][0].label == phrase.label:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
    return groups


def sections_from_labels(phrases: Sequence[LabelledPhrase]) -> tuple[LabelledSection, ...]:
    """Apply the documented section rule to labelled phrases."""
    groups = group_sections(phrases)
    letters = [g[0].label for g in groups]
    melodic_bars: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    section_counts: dict[str, int] = {}
    for position, group in enumerate(groups):
        letter = group[0].label
        section_counts[letter] = section_counts.get(letter, 0) + 1
        if letter in MELODIC_LETTERS:
            melodic_bars[letter] = melodic_bars.get(letter, 0) + sum(p.bars for p in group)
            first_seen.setdefault(letter, position)
    verse = min(first_seen, key=first_seen.get) if first_seen else None
    others = [k for k in melodic_bars if k != verse]
    recurring = [k for k in others if section_counts[k] >= 2] or others
    chorus = max(recurring, key=lambda k: (melodic_bars[k], -first_seen[k]), default=None)

    def follows_chorus(letter: str) -> bool:
        positions = [i for i, x in enumerate(letters) if x == letter]
        return chorus is not None and all(
            i + 1 < len(letters) and letters[i + 1] == chorus for i in positions
        )

    sections = []
    for group in groups:
        letter = group[0].label
        if letter in INSTRUMENTAL_KINDS:
            kind = INSTRUMENTAL_KINDS[letter]
        elif letter == chorus:
            kind = "chorus"
        elif letter == verse:
            kind = "verse"
        else:
            kind = "pre-chorus" if follows_chorus(letter) else "bridge"
        sections.append(LabelledSection(kind, tuple(group)))
    return tuple(sections)


def assign_repeats(sections: Sequence[tuple[str, Sequence[str]]]) -> list[int | None]:
    """The documented repeat rule.

    Args:
        sections: ``(kind, labels of its phrases)`` per section, in song order.

    Returns:
        For every phrase in song order, the index of the earlier phrase it restates, or None.
    """
    result: list[int | None] = []
    first_of_label: dict[str, int] = {}
    index = 0
    for _, labels in sections:
        for label in labels:
            source = None
            if label not in NEVER_REPEATED_LABELS:
                source = first_of_label.setdefault(label, index)
                source = None if source == index else source
            result.append(source)
            index += 1
    return result


@dataclass(frozen=True)
class PlacedPhrase(LabelledPhrase):
    """A labelled phrase placed in its song: first bar, song-wide index, the phrase it
    restates (the repeat rule)."""

    first_bar: int = 0
    index: int = 0
    repeat_of: int | None = None


@dataclass(frozen=True)
class PlacedSection(LabelledSection):
    """A section of placed phrases (``phrases`` are :class:`PlacedPhrase`)."""

    @property
    def first_bar(self) -> int:
        return self.phrases[0].first_bar

    @property
    def end_bar(self) -> int:
        """The bar after the section's last."""
        return self.phrases[-1].first_bar + self.phrases[-1].bars


def place_sections(phrases: Sequence[LabelledPhrase]) -> tuple[PlacedSection, ...]:
    """Labelled phrases -> sections (the section rule) whose phrases know their first bar,
    index and ``repeat_of`` (the repeat rule): what the POP909 reader and the analysis of
    unlabelled music both build their plans from."""
    sections = sections_from_labels(phrases)
    repeats = assign_repeats([(s.kind, [p.label for p in s.phrases]) for s in sections])
    placed, bar, index = [], 0, 0
    for section in sections:
        section_phrases = []
        for phrase in section.phrases:
            section_phrases.append(PlacedPhrase(phrase.label, phrase.bars, bar, index,
                                                repeats[index]))
            bar += phrase.bars
            index += 1
        placed.append(PlacedSection(section.kind, tuple(section_phrases)))
    return tuple(placed)
