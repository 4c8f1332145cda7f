"""Form strings: ``"intro:4 verse:8 chorus:8 outro:4"`` and POP909 labels ``"i4A8B8A8B8o4"``."""

from __future__ import annotations

import re

from .errors import TemplateError
from .labels import is_label_string, parse_count, parse_label_string, sections_from_labels
from .section import Section, normalize_kind, parse_phrases

_TOKEN_RE = re.compile(r"[^\s,]+")
_PHRASES_RE = re.compile(r"(?:[A-Za-z]\d+)+")  # strain:A4B4


def parse_form(text: str) -> tuple[Section, ...]:
    """Parse a form string into template sections.

    ``kind:bars`` tokens (``bars`` optional: the style's default length is used) or
    ``kind:PHRASES`` (labelled phrases, ``strain:A4B4``) separated by spaces or commas; or a
    POP909 phrase-label string, whose sections and kinds follow
    ``hierarchy.labels``.

    Raises:
        TemplateError: with ``column`` set to the offending token's position.
    """
    if not isinstance(text, str) or not text.strip():
        raise TemplateError("expected a form such as \"intro:4 verse:8 chorus:8\", got an "
                            "empty form", field="form")
    if is_label_string(text):
        try:
            labelled = sections_from_labels(parse_label_string(text))
        except TemplateError as error:
            raise TemplateError(error.detail, field="form") from None
        return tuple(
            Section(kind=s.kind, phrases=tuple((p.label, p.bars) for p in s.phrases))
            for s in labelled
        )
    sections = []
    for match in _TOKEN_RE.finditer(text):
        token = match.group(0)
        kind_text, _, bars_text = token.partition(":")
        try:
            kind = normalize_kind(kind_text)
            bars = None
            if _PHRASES_RE.fullmatch(bars_text):
                sections.append(Section(kind=kind, phrases=parse_phrases(bars_text)))
                continue
            if bars_text:
                bars = parse_count(bars_text, 'number of bars after ":"')
            sections.append(Section(kind=kind, bars=bars))
        except TemplateError as error:
            raise TemplateError(error.detail, field="form", line=1,
                                column=match.start() + 1) from None
    return tuple(sections)
