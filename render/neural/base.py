"""What the neural engines share: the progress callback type and quiet model loading."""

from __future__ import annotations

import contextlib
import importlib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from songform.symbolic.song import PlannedScore

from ..audio import check_audio_path, write_audio
from ..errors import RenderError
from ..master import MasterConfig, master

Progress = Callable[[int, int], None]


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


def neural_class(engine: str, package: str, name: str) -> Any:
    """``package.name``, or a clear error when the neural extra is not installed."""
    try:
        return getattr(importlib.import_module(package), name)
    except ImportError as error:
        raise RenderError(f"{engine} needs {package}: pip install songform[neural] "
                          f"({error})") from None


@contextlib.contextmanager
def loading(engine: str, path: str | Path) -> Iterator[None]:
    """Load a local model quietly; what goes wrong becomes one ``RenderError`` line."""
    try:
        with quiet_loading():
            yield
    except (OSError, ValueError, ImportError) as error:
        raise RenderError(f"cannot load {engine} from {path}: {error}") from None


def write_mastered(samples: np.ndarray, out_path: str | Path, sample_rate: int,
                   config: MasterConfig | None = None, title: str | None = None) -> Path:
    """Write ``samples`` (``[n]`` mono or ``[n, channels]``) mastered by ``render.master``
    (-14 LUFS, true peak at or under -1 dBTP, by default)."""
    frames = samples[:, None] if samples.ndim == 1 else samples
    mastered = master(frames.astype(np.float32), sample_rate, config)
    return write_audio(mastered.samples, out_path, sample_rate, title)


class SampleRenderer:
    """What the neural engines share: ``render`` writes what ``render_samples`` makes at the
    engine's ``sample_rate``, mastered. They make one signal, so no stems."""

    sample_rate: int
    makes_stems = False
    master: MasterConfig | None = None

    def render_samples(self, song: PlannedScore, seed: int = 0,
                       progress: Progress | None = None) -> np.ndarray:
        raise NotImplementedError

    def render(self, song: PlannedScore, out_path: str | Path, *, seed: int = 0,
               device: str = "cpu", progress: Progress | None = None,
               stems: str | Path | None = None) -> Path:
        if stems is not None:
            raise RenderError("stems: only the fluidsynth engine plays each track apart")
        check_audio_path(out_path)
        return write_mastered(self.render_samples(song, seed, progress), out_path,
                              self.sample_rate, self.master, song.plan.title)
