"""A corpus song's analysed plan restated in its idiom's terms: the style it was written in
(so its plan tokens carry the idiom) and the section kind its form is made of (a chorale's
phrases, a dance tune's strains)."""

from __future__ import annotations

from dataclasses import replace

from songform.hierarchy.plan import SongPlan


def idiom_plan(plan: SongPlan, style: str, kind: str, section_per_phrase: bool = False
               ) -> SongPlan:
    """``plan`` with ``style`` and every section of ``kind``; with ``section_per_phrase``,
    each phrase its own section (a chorale's form is its phrases)."""
    sections = []
    for section in plan.sections:
        parts = ([(phrase,) for phrase in section.phrases] if section_per_phrase
                 else [section.phrases])
        sections += [replace(section, kind=kind, phrases=phrases) for phrases in parts]
    return replace(plan, style=style, sections=tuple(sections))
