"""The renderer interface shared by every engine, and engine lookup by name."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from songform.symbolic.song import Song

from ..errors import RenderError

MODEL_PATH_VARIABLES = {"musicgen": "SONGFORM_MUSICGEN_PATH"}
Progress = Callable[[int, int], None]


class Renderer(Protocol):
    """``render(song, out_path, *, seed, device, progress) -> Path``."""

    def render(self, song: Song, out_path: str | Path, *, seed: int = 0, device: str = "cpu",
               progress: Progress | None = None) -> Path: ...


class FluidSynthRenderer:
    """The SoundFont renderer behind the common interface."""

    def __init__(self, soundfont: str | Path | None = None) -> None:
        self.soundfont = soundfont

    def render(self, song: Song, out_path: str | Path, *, seed: int = 0, device: str = "cpu",
               progress: Progress | None = None) -> Path:
        from ..audio import synthesize, write_audio
        from ..midi import midi_file

        samples = synthesize(midi_file(song), self.soundfont)
        path = write_audio(samples, out_path)
        if progress:
            progress(1, 1)
        return path


def model_path(engine: str, explicit: str | Path | None) -> Path:
    """The local model folder for ``engine``: ``--model-path``, else its environment variable.

    Raises:
        RenderError: no folder given, or the folder does not exist (nothing is downloaded).
    """
    variable = MODEL_PATH_VARIABLES[engine]
    chosen = explicit or os.environ.get(variable)
    if not chosen:
        raise RenderError(f"{engine} needs a local model folder: pass --model-path or set "
                          f"{variable} (nothing is downloaded)")
    path = Path(chosen)
    if not path.is_dir():
        source = "--model-path" if explicit else variable
        raise RenderError(f"{engine} model folder not found: {path} (from {source})")
    return path


def get_renderer(engine: str, *, model: str | Path | None = None,
                 soundfont: str | Path | None = None, device: str = "cpu") -> Renderer:
    """The renderer called ``engine`` (``fluidsynth`` or ``musicgen``)."""
    if engine == "fluidsynth":
        return FluidSynthRenderer(soundfont)
    if engine == "musicgen":
        from .musicgen import MusicGenMelodyRenderer

        return MusicGenMelodyRenderer.from_pretrained(model_path("musicgen", model),
                                                      device=device)
    raise RenderError(f'unknown engine "{engine}": expected fluidsynth or musicgen')
