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


def compose(template: Template | str | None = None, seed: int | None = None,
            notes: str = "auto", checkpoint: str | None = None) -> Song:
    """Plan and write a whole song.

    Args:
        template: a ``Template``, a form string or YAML path (see ``load_template``), or
            ``None`` for the default pop song.
        seed: the random seed; default the template's, else 0.
        notes: who writes the notes: ``"model"`` (the Music Transformer: ``checkpoint``, else
            the shipped one), ``"arranger"`` (the rule-based baseline), or ``"auto"`` (the
            model when a checkpoint is given or shipped, else the arranger).
        checkpoint: a checkpoint folder trained with the song tokenizer.
    """
    from songform.song import Song

    if not isinstance(template, Template):
        template = load_template(template)
    seed = seed if seed is not None else (template.seed or 0)
    song_plan = plan_song(template, seed)
    return Song.from_symbolic(write_notes(song_plan, seed, notes, checkpoint))


def note_model(notes: str = "auto", checkpoint=None):
    """The checkpoint folder that will write the notes, or ``None`` for the arranger.

    Raises:
        ValueError: ``notes`` is unknown, the checkpoint folder is missing, or ``"model"``
            with no checkpoint given or shipped.
    """
    from pathlib import Path

    from songform.symbolic.shipped import shipped_checkpoint

    if notes not in ("auto", "model", "arranger"):
        raise ValueError(f'notes: expected "auto", "model" or "arranger", got "{notes}"')
    if checkpoint is not None and not Path(checkpoint).is_dir():
        raise ValueError(f"checkpoint: no such folder: {checkpoint}")
    folder = Path(checkpoint) if checkpoint is not None else shipped_checkpoint()
    if notes == "model" and folder is None:
        raise ValueError("no model to write notes: pass a checkpoint (this install ships "
                         "none)")
    return None if notes == "arranger" else folder


def write_notes(song_plan: SongPlan, seed: int = 0, notes: str = "auto",
                checkpoint=None, progress=None, device: str = "cpu"):
    """The notes of ``song_plan`` (a ``symbolic.Song``), by the model or the arranger (see
    :func:`compose` and :func:`note_model`)."""
    folder = note_model(notes, checkpoint)
    if folder is None:
        from songform.symbolic.arranger import arrange

        return arrange(song_plan, seed)
    from songform.symbolic.generate import SongModel

    return SongModel.load(folder, device).write(song_plan, seed, progress=progress)


__all__ = [
    "STYLES", "AudioConfig", "BarPlan", "PhrasePlan", "PlannerConfig", "RenderError",
    "Section", "SectionPlan", "Song", "SongPlan", "Template", "TemplateError", "TrackSpec",
    "__version__", "compose", "get_style", "load_template", "plan", "plan_song", "note_model",
    "write_notes",
]
