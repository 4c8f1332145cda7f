"""Any MIDI file rendered to audio (``songform render``): FluidSynth with its stems, or a
neural engine given its model folder (which hears the song's plan: the project's when
songform wrote the file, else one derived from the notes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from songform import load
from songform.core.errors import InputError
from songform.core.fileio import check_output_file
from songform.hierarchy.planner import song_seed
from songform.render.audio import AudioConfig, check_audio_path, render_midi_to_audio
from songform.render.errors import RenderError
from songform.symbolic.threads import check_threads


@dataclass(frozen=True)
class RenderRequest:
    """What ``songform render`` asks for."""

    midi: Path
    audio: Path
    stems: Path | None = None
    engine: str = "fluidsynth"
    soundfont: Path | None = None
    loudness: float = -14.0
    model_path: Path | None = None
    device: str = "cpu"
    seed: int | None = None
    strength: float | None = None
    steps: int | None = None
    batch_size: int | None = None
    threads: int | None = None

    def check(self) -> None:
        """Every option checked before any work.

        Raises:
            InputError: an audio suffix, an output that cannot be written, stems that are a
                file or asked of a neural engine, diffusion options without stable-audio, a
                loudness out of range, threads past the cores.
        """
        try:
            check_audio_path(self.audio)
        except RenderError as error:
            raise InputError(f"--audio: {error}") from None
        check_output_file(self.audio, "--audio")
        if self.stems is not None and self.stems.exists() and not self.stems.is_dir():
            raise InputError(f"--stems: {self.stems} is a file, not a folder")
        if self.stems is not None and self.engine != "fluidsynth":
            raise InputError("--stems: only the fluidsynth engine plays each track apart")
        if self.engine == "fluidsynth" and any(
                value is not None for value in (self.strength, self.steps, self.batch_size)):
            raise InputError("--strength, --steps and --batch-size only apply to "
                             "--engine stable-audio")
        try:
            AudioConfig(loudness_lufs=self.loudness)
        except ValueError as error:
            raise InputError(f"--loudness: {error}") from None
        check_threads(self.threads)


def render_midi(request: RenderRequest,
                progress: Callable[[int, int], None] | None = None) -> Path:
    """Render ``request.midi`` as asked; ``progress(done, total)`` counts a neural engine's
    windows. Returns the audio file's path.

    Raises:
        InputError: a bad request (:meth:`RenderRequest.check`). RenderError, CorpusError:
            the render or the MIDI file failed.
    """
    request.check()
    if request.engine == "fluidsynth":
        return render_midi_to_audio(request.midi, request.audio, request.soundfont,
                                    AudioConfig(loudness_lufs=request.loudness),
                                    request.stems)
    from songform.render.engines import get_renderer  # torch: only a neural engine needs it
    from songform.symbolic.devices import torch_threads

    renderer = get_renderer(request.engine, model=request.model_path,
                            soundfont=request.soundfont, device=request.device,
                            strength=request.strength, steps=request.steps,
                            batch_size=request.batch_size, loudness=request.loudness)
    song = load(request.midi)
    with torch_threads(check_threads(request.threads)):
        return renderer.render(song, request.audio, seed=song_seed(None, request.seed),
                               device=request.device, progress=progress)
