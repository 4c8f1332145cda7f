"""What the neural engines share: the progress callback type and quiet model loading."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator

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
