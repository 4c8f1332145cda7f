"""songform: compose whole songs top-down, from a structure template to a plan to notes.

The public face. ``plan`` turns a template into a fully explicit ``SongPlan``::

    import songform
    template = songform.Template(
        sections=[songform.Section("verse", bars=8, chords="I V vi IV"),
                  songform.Section("chorus", bars=8)],
        key="D major", tempo=96, style="pop")
    song_plan = songform.plan(template, seed=7)
    song = songform.compose(template, seed=7)
    song.save_midi("song.mid"); song.render_audio("song.wav"); song.pianoroll("roll.png")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from songform.hierarchy.errors import TemplateError
from songform.hierarchy.plan import BarPlan, PhrasePlan, SectionPlan, SongPlan, TrackSpec
from songform.hierarchy.planner import PlannerConfig, plan_song
from songform.hierarchy.sources import load_template
from songform.hierarchy.styles import STYLES, get_style
from songform.hierarchy.template import Section, Template

if TYPE_CHECKING:
    from songform.song import Song

__version__ = "0.1.0"

plan = plan_song
_LAZY = {  # rendering pulls in music21, matplotlib and FluidSynth: load them on first use
    "Song": ("songform.song", "Song"),
    "AudioConfig": ("songform.render.audio", "AudioConfig"),
    "RenderError": ("songform.render.errors", "RenderError"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'songform' has no attribute {name!r}")


def compose(template: Template | str | None = None, seed: int | None = None) -> Song:
    """Plan and write a whole song.

    Args:
        template: a ``Template``, a form string or YAML path (see ``load_template``), or
            ``None`` for the default pop song.
        seed: the random seed; default the template's, else 0.

    Until the bar-level model ships, the notes come from the rule-based baseline arranger.
    """
    from songform.song import Song
    from songform.symbolic.arranger import arrange

    if not isinstance(template, Template):
        template = load_template(template)
    seed = seed if seed is not None else (template.seed or 0)
    return Song.from_symbolic(arrange(plan_song(template, seed), seed))

__all__ = [
    "STYLES", "AudioConfig", "BarPlan", "PhrasePlan", "PlannerConfig", "RenderError",
    "Section", "SectionPlan", "Song", "SongPlan", "Template", "TemplateError", "TrackSpec",
    "__version__", "compose", "get_style", "load_template", "plan", "plan_song",
]
