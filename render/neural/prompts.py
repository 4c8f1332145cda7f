"""Text prompts written from the plan, one per section."""

from __future__ import annotations

from songform.hierarchy.plan import SectionPlan, SongPlan

ENERGY_WORDS = ("silent", "very calm", "calm", "gentle", "steady", "lively", "energetic",
                "intense")


def section_prompt(plan: SongPlan, section: SectionPlan) -> str:
    """E.g. ``pop song, chorus, energetic, lead, strings, piano, bass and drums, 96 bpm, in D
    major``."""
    names = [t.name.lower() for t in plan.tracks if t.name in section.tracks]
    if len(names) > 1:
        instruments = ", ".join(names[:-1]) + f" and {names[-1]}"
    else:
        instruments = names[0] if names else "ensemble"
    return (f"{plan.style} song, {section.kind}, {ENERGY_WORDS[section.energy]}, "
            f"{instruments}, {section.tempo:g} bpm, in {section.key}")
