"""songform: compose whole songs top-down, from a structure template to a plan to notes.

The public face. ``plan`` turns a template into a fully explicit ``SongPlan``; ``compose``
writes its notes; ``SongPipeline`` does both and writes every output::

    import songform
    template = songform.Template(
        sections=[songform.Section("verse", bars=8, chords="I V vi IV"),
                  songform.Section("chorus", bars=8)],
        key="D major", tempo=96, style="pop")
    song_plan = songform.plan(template, seed=7)
    song = songform.compose(template, seed=7)
    song.save_midi("song.mid"); song.render_audio("song.wav"); song.pianoroll("roll.png")
    songform.SongPipeline.from_options(engine="fluidsynth")(template, seed=7, out="out/")
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from songform.core.errors import SongformError
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.plan import BarPlan, PhrasePlan, SectionPlan, SongPlan, TrackSpec
from songform.hierarchy.planner import PlannerConfig, plan_song
from songform.hierarchy.sources import load_source, load_template
from songform.hierarchy.styles import STYLES, get_style
from songform.hierarchy.template import Section, Template

if TYPE_CHECKING:
    from songform.pipeline import SongPipeline
    from songform.song import Song
    from songform.symbolic.generate import GenerateConfig

__version__ = "0.1.0"

plan = plan_song
_LAZY = {  # models and rendering pull in torch, music21, matplotlib: load them on first use
    "Song": ("songform.song", "Song"),
    "SongPipeline": ("songform.pipeline", "SongPipeline"),
    "GenerateConfig": ("songform.symbolic.generate", "GenerateConfig"),
    "AudioConfig": ("songform.render.audio", "AudioConfig"),
    "RenderError": ("songform.render.errors", "RenderError"),
    "CorpusError": ("songform.data.errors", "CorpusError"),
}


def __getattr__(name: str):
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'songform' has no attribute {name!r}")


def compose(template: Template | SongPlan | str | None = None, seed: int | None = None,
            notes: str = "auto", checkpoint: str | Path | None = None, device: str = "cpu",
            generation: GenerateConfig | None = None, *, temperature: float | None = None,
            top_p: float | None = None, chord_bias: float | None = None,
            takes: int | None = None) -> Song:
    """Plan and write a whole song (no files; see ``SongPipeline`` for those).

    Args:
        template: a ``Template``, a ``SongPlan`` (written as it stands), a form string, a
            YAML template or saved plan's path (see ``load_source``), or ``None`` for the
            default pop song.
        seed: the random seed; default the template's, else 0.
        notes: who writes the notes: ``"model"`` (the Music Transformer: ``checkpoint``, else
            the shipped one), ``"arranger"`` (the rule-based baseline), or ``"auto"`` (the
            model when a checkpoint is given or shipped, else the arranger).
        checkpoint: a checkpoint folder trained with the song tokenizer.
        device: where the model runs (``cpu`` or ``cuda``; never chosen for you).
        generation: the model's sampling settings (temperature, top_p, chord_bias, ...).
        temperature, top_p, chord_bias, takes: the same settings one by one (they override
            ``generation``'s).
    """
    import dataclasses

    from songform.pipeline import SongPipeline
    from songform.symbolic.generate import GenerateConfig

    overrides = {name: value for name, value in (
        ("temperature", temperature), ("top_p", top_p), ("chord_bias", chord_bias),
        ("takes", takes)) if value is not None}
    if overrides:
        generation = dataclasses.replace(generation or GenerateConfig(), **overrides)

    if not isinstance(template, (Template, SongPlan)):
        template = load_source(template)
    pipeline = SongPipeline.from_options(notes, checkpoint, device, generation)
    return pipeline.compose(template, seed)


def load(midi: str | Path) -> Song:
    """A song from any MIDI file, or from a project file (``song.json``, with the note tokens
    the model wrote). A MIDI file's plan comes from the project beside it when that project
    records this file's hash (a song songform wrote and no one changed); otherwise it is
    derived from the notes by analysis, and the plan's notes say why.

    Raises:
        CorpusError: the MIDI file cannot be read. InputError: a bad project file.
    """
    from songform.data.midi_files import read_midi_song
    from songform.project import PROJECT_FILE, Project, sha256
    from songform.song import Song

    midi = Path(midi)
    if midi.suffix == ".json":
        project = Project.load(midi)
        return Song.from_symbolic(project.song(), project)
    song = read_midi_song(midi)
    project_path = midi.with_name(PROJECT_FILE)
    if project_path.is_file():
        try:
            project = Project.load(project_path)
        except SongformError as error:
            why = f"{project_path} beside it is unreadable ({error})"
        else:
            if project.midi == midi.name and project.midi_sha256 == sha256(midi):
                return Song.from_symbolic(project.song(), project)
            why = f"{project_path} beside it belongs to another MIDI file"
    else:
        why = f"no songform project ({PROJECT_FILE}) beside it"
    plan = dataclasses.replace(song.plan, notes=(
        *song.plan.notes, f"plan derived from the notes of {midi.name}: {why}"))
    return Song(plan=plan, score=song.score)


__all__ = [
    "STYLES", "AudioConfig", "BarPlan", "CorpusError", "GenerateConfig", "PhrasePlan",
    "PlannerConfig", "RenderError", "Section", "SectionPlan", "Song", "SongPipeline",
    "SongPlan", "SongformError", "Template", "TemplateError", "TrackSpec", "__version__",
    "compose", "get_style", "load", "load_source", "load_template", "plan", "plan_song",
]
