"""The renderers by name: FluidSynth, MusicGen-melody and Stable Audio behind one interface,
and the lookup that builds one (checking its model folder and SoundFont before any work)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from songform.symbolic.song import PlannedScore

from .audio import AudioConfig, render_files
from .errors import RenderError
from .midi import midi_file
from .neural.base import Progress
from .neural.musicgen import MusicGenMelodyRenderer
from .neural.stable_audio import StableAudioConfig, StableAudioRenderer
from .soundfont import find_soundfont

MODEL_PATH_VARIABLES = {"musicgen": "SONGFORM_MUSICGEN_PATH",
                        "stable-audio": "SONGFORM_STABLE_AUDIO_PATH"}
ENGINES = ("fluidsynth", "musicgen", "stable-audio")


class Renderer(Protocol):
    """``render(song, out_path, *, seed, device, progress, stems) -> Path``: the mastered
    song at ``out_path`` (format by suffix) and, where ``makes_stems``, one file per track
    into the folder ``stems``."""

    makes_stems: bool

    def render(self, song: PlannedScore, out_path: str | Path, *, seed: int = 0,
               device: str = "cpu", progress: Progress | None = None,
               stems: str | Path | None = None) -> Path: ...


class FluidSynthRenderer:
    """The SoundFont renderer behind the common interface: each track played, placed,
    mixed and mastered (``render.audio``)."""

    makes_stems = True

    def __init__(self, soundfont: str | Path | None = None,
                 config: AudioConfig | None = None) -> None:
        self.soundfont = find_soundfont(soundfont)  # a missing SoundFont fails here, early
        self.config = config or AudioConfig()

    def render(self, song: PlannedScore, out_path: str | Path, *, seed: int = 0,
               device: str = "cpu", progress: Progress | None = None,
               stems: str | Path | None = None) -> Path:
        path = render_files(midi_file(song), out_path, self.soundfont, self.config, stems,
                            song.plan.title)
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
                 soundfont: str | Path | None = None, device: str = "cpu",
                 strength: float | None = None, steps: int | None = None,
                 batch_size: int | None = None, loudness: float | None = None
                 ) -> Renderer:
    """The renderer called ``engine`` (one of :data:`ENGINES`), mastering to ``loudness``
    LUFS (default -14).

    ``strength``, ``steps`` and ``batch_size`` set Stable Audio's refinement (defaults: its
    config's, with four windows a batch on CUDA and one on the CPU); other engines refuse them.
    """
    tuning = {"strength": strength, "steps": steps, "batch_size": batch_size}
    given = {name: value for name, value in tuning.items() if value is not None}
    if given and engine != "stable-audio":
        raise RenderError(f"{', '.join(given)} only apply to the stable-audio engine")
    try:  # a bad loudness fails here, before any model loads
        config = AudioConfig() if loudness is None else AudioConfig(loudness_lufs=loudness)
    except ValueError as error:
        raise RenderError(str(error)) from None
    master = config.master
    if engine == "fluidsynth":
        return FluidSynthRenderer(soundfont, config)
    if engine == "musicgen":
        renderer = MusicGenMelodyRenderer.from_pretrained(model_path("musicgen", model),
                                                          device=device)
        renderer.master = master
        return renderer
    if engine == "stable-audio":
        given.setdefault("batch_size", 4 if str(device).startswith("cuda") else 1)
        try:
            sa_config = StableAudioConfig(**given)
        except ValueError as error:
            raise RenderError(str(error)) from None
        renderer = StableAudioRenderer.from_pretrained(model_path("stable-audio", model),
                                                       device=device, config=sa_config,
                                                       soundfont=soundfont)
        renderer.master = master
        return renderer
    raise RenderError(f'unknown engine "{engine}": expected {", ".join(ENGINES)}')
