"""songform: compose whole songs top-down, from a structure template to a plan to notes.

The public face. ``plan`` turns a template into a fully explicit ``SongPlan``::

    import songform
    template = songform.Template(
        sections=[songform.Section("verse", bars=8, chords="I V vi IV"),
                  songform.Section("chorus", bars=8)],
        key="D major", tempo=96, style="pop")
    song_plan = songform.plan(template, seed=7)
    print(song_plan.to_json())
"""

from __future__ import annotations

from songform.hierarchy.errors import TemplateError
from songform.hierarchy.plan import BarPlan, PhrasePlan, SectionPlan, SongPlan, TrackSpec
from songform.hierarchy.planner import PlannerConfig, plan_song
from songform.hierarchy.sources import load_template
from songform.hierarchy.styles import STYLES, get_style
from songform.hierarchy.template import Section, Template

__version__ = "0.1.0"

plan = plan_song

__all__ = [
    "STYLES", "BarPlan", "PhrasePlan", "PlannerConfig", "Section", "SectionPlan", "SongPlan",
    "Template", "TemplateError", "TrackSpec", "__version__", "get_style", "load_template",
    "plan", "plan_song",
]
