"""The renderer interface shared by every engine, and engine lookup by name."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from songform.symbolic.song import PlannedScore

from ..errors import RenderError

MODEL_PATH_VARIABLES = {"musicgen": "SONGFORM_MUSICGEN_PATH",
                        "stable-audio": "SONGFORM_STABLE_AUDIO_PATH"}
ENGINES = ("fluidsynth", "musicgen", "stable-audio")
Progress = Callable[[int, int], None]


class Renderer(Protocol):
    """``render(song, out_path, *, seed, device, progress) -> Path``."""

    def render(self, song: PlannedScore, out_path: str | Path, *, seed: int = 0,
               device: str = "cpu",
               progress: Progress | None = None) -> Path: ...


class FluidSynthRenderer:
    """The SoundFont renderer behind the common interface."""

    def __init__(self, soundfont: str | Path | None = None) -> None:
        from ..soundfont import find_soundfont

        self.soundfont = find_soundfont(soundfont)  # a missing SoundFont fails here, early

    def render(self, song: PlannedScore, out_path: str | Path, *, seed: int = 0,
               device: str = "cpu",
               progress: Progress | None = None) -> Path:
        from ..audio import synthesize, write_audio
        from ..midi import midi_file

        samples = synthesize(midi_file(song), self.soundfont)
        path = write_audio(samples, out_path)
        if progress:
            progress(1, 1)
        return path


@contextlib.contextmanager
def quiet_loading() -> Iterator[None]:
    """Silence the loaders' progress bars, notes and deprecation warnings while a local model
    loads (songform draws its own progress); errors still raise."""
    from transformers.utils import logging as transformers_logging

    try:
        from diffusers.utils import logging as diffusers_logging
    except ImportError:  # MusicGen alone needs only transformers
        diffusers_logging = None
    loggers = [transformers_logging] + ([diffusers_logging] if diffusers_logging else [])
    levels = [logger.get_verbosity() for logger in loggers]
    bars = [logger.is_progress_bar_enabled() for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        for logger in loggers:
            logger.set_verbosity_error()
            logger.disable_progress_bar()
        try:
            yield
        finally:
            for logger, level, bar in zip(loggers, levels, bars, strict=True):
                logger.set_verbosity(level)
                if bar:
                    logger.enable_progress_bar()


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
                 soundfont: str | Path | None = None, device: str = "cpu",
                 strength: float | None = None, steps: int | None = None,
                 batch_size: int | None = None) -> Renderer:
    """The renderer called ``engine`` (one of :data:`ENGINES`).

    ``strength``, ``steps`` and ``batch_size`` set Stable Audio's refinement (defaults: its
    config's, with four windows a batch on CUDA and one on the CPU); other engines refuse them.
    """
    tuning = {"strength": strength, "steps": steps, "batch_size": batch_size}
    given = {name: value for name, value in tuning.items() if value is not None}
    if given and engine != "stable-audio":
        raise RenderError(f"{', '.join(given)} only apply to the stable-audio engine")
    if engine == "fluidsynth":
        return FluidSynthRenderer(soundfont)
    if engine == "musicgen":
        from .musicgen import MusicGenMelodyRenderer

        return MusicGenMelodyRenderer.from_pretrained(model_path("musicgen", model),
                                                      device=device)
    if engine == "stable-audio":
        from .stable_audio import StableAudioConfig, StableAudioRenderer

        given.setdefault("batch_size", 4 if str(device).startswith("cuda") else 1)
        try:
            config = StableAudioConfig(**given)
        except ValueError as error:
            raise RenderError(str(error)) from None
        return StableAudioRenderer.from_pretrained(model_path("stable-audio", model),
                                                   device=device, config=config,
                                                   soundfont=soundfont)
    raise RenderError(f'unknown engine "{engine}": expected {", ".join(ENGINES)}')
