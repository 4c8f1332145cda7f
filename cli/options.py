"""The options of the commands that write songs and audio, declared once: each alone, and
the groups several commands share (:func:`with_options`)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder (created if needed).")]
AudioFlag = Annotated[bool, typer.Option("--audio/--no-audio", help="Render song.wav.")]
EngineOpt = Annotated[str, typer.Option("--engine",
                                         help="fluidsynth, musicgen or stable-audio.")]
ModelPathOpt = Annotated[Path | None, typer.Option(
    "--model-path", help="Local model folder for a neural engine (or $SONGFORM_MUSICGEN_PATH, "
                         "$SONGFORM_STABLE_AUDIO_PATH).")]
NotesOpt = Annotated[str, typer.Option(
    "--notes", help="Who writes the notes: model (the Music Transformer), arranger (the "
                    "rule-based baseline) or auto (the model when one is given or shipped).")]
CheckpointOpt = Annotated[Path | None, typer.Option(
    "--checkpoint", help="A checkpoint folder from `songform train`, or a shipped model's "
                         "name (`songform styles` lists them; default: the shipped default).")]
StrengthOpt = Annotated[float | None, typer.Option(
    "--strength", help="stable-audio: 0 keeps the FluidSynth render (autoencoder round trip), "
                       "1 starts from noise \\[default 0.5].")]
StepsOpt = Annotated[int | None, typer.Option(
    "--steps", help="stable-audio: denoising steps at full strength \\[default 100].")]
BatchOpt = Annotated[int | None, typer.Option(
    "--batch-size", help="stable-audio: windows denoised together \\[default 4 on cuda, 1 on "
                         "cpu].")]
TakesOpt = Annotated[int, typer.Option(
    "--takes", help="Write every section N times side by side and keep the take that best "
                    "keeps the plan (chord and key fit, density for the energy, the model's "
                    "likelihood, variation against the source, groove; see the README).")]
TemperatureOpt = Annotated[float, typer.Option("--temperature", help="Sampling temperature.")]
TopPOpt = Annotated[float, typer.Option("--top-p", help="Nucleus sampling mass (0, 1].")]
ChordBiasOpt = Annotated[float, typer.Option(
    "--chord-bias", help="Logits added to the pitches of the planned chord (0: the model "
                         "alone, whose chord tones are POP909's share; arrange: 1, to hold "
                         "a melody's harmonised chords).")]
CountOpt = Annotated[int, typer.Option(
    "--count", help="Write N songs (seeds s..s+N-1) into OUT/seed-<s>/; under torchrun each "
                    "process writes its share.")]
SongsPerBatchOpt = Annotated[int, typer.Option(
    "--songs-per-batch", help="With --count: songs the model writes side by side (when one "
                              "ends, the next starts in its rows).")]
ThreadsOpt = Annotated[int | None, typer.Option(
    "--threads", help="CPU threads for the model \\[default: the library's choice, 1: batch-1 "
                      "decoding is as fast on one as on two, and many times faster beside "
                      "another busy process; 2 write --count batches of 8 about 1.16x as "
                      "fast on free cores].", show_default=False)]
DeviceOpt = Annotated[str, typer.Option("--device", help="cpu or cuda (never chosen for you).")]
SoundFontOpt = Annotated[Path | None, typer.Option(
    "--soundfont", help="General MIDI SoundFont (.sf2 or .sf3); default $SONGFORM_SOUNDFONT "
                        "or the system's (MuseScore General, else FluidR3).")]
LoudnessOpt = Annotated[float, typer.Option(
    "--loudness", help="The master's integrated loudness in LUFS (ITU-R BS.1770); the true "
                       "peak stays at or under -1 dBTP.")]


@dataclass(frozen=True)
class Sampling:
    """Who writes the notes and how the model samples them."""

    notes: str = "auto"
    checkpoint: Path | None = None
    temperature: float = 1.0
    top_p: float = 0.95
    chord_bias: float = 0.0
    threads: int | None = None

    def generation(self, takes: int = 1):
        """The sampling settings as the library takes them."""
        from songform.symbolic.generate_config import GenerateConfig

        return GenerateConfig(temperature=self.temperature, top_p=self.top_p,
                              chord_bias=self.chord_bias, takes=takes)


@dataclass(frozen=True)
class Sound:
    """How audio is rendered: the engine, its model and device, the master's loudness."""

    loudness: float = -14.0
    soundfont: Path | None = None
    engine: str = "fluidsynth"
    model_path: Path | None = None
    device: str = "cpu"
    strength: float | None = None
    diffusion_steps: int | None = None
    batch_size: int | None = None


@dataclass(frozen=True)
class OptionGroup:
    """Options declared once for every command that takes them: ``kind`` (a dataclass) built
    from the values of ``options`` (field name -> Typer annotation), ``defaults`` over the
    dataclass's own."""

    kind: type
    options: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)

    def but(self, **defaults: Any) -> OptionGroup:
        """The group with other defaults (arrange: a chord bias of 1)."""
        return OptionGroup(self.kind, self.options, {**self.defaults, **defaults})

    def parameters(self) -> list[inspect.Parameter]:
        values = {f.name: f.default for f in fields(self.kind)} | self.defaults
        return [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=values[name],
                                  annotation=annotation)
                for name, annotation in self.options.items()]


SAMPLING = OptionGroup(Sampling, {"notes": NotesOpt, "checkpoint": CheckpointOpt,
                                  "temperature": TemperatureOpt, "top_p": TopPOpt,
                                  "chord_bias": ChordBiasOpt, "threads": ThreadsOpt})
SOUND = OptionGroup(Sound, {"loudness": LoudnessOpt, "soundfont": SoundFontOpt,
                            "engine": EngineOpt, "model_path": ModelPathOpt,
                            "device": DeviceOpt, "strength": StrengthOpt,
                            "diffusion_steps": StepsOpt, "batch_size": BatchOpt})


def with_options(**groups: OptionGroup) -> Callable[[F], F]:
    """The command takes each group's options on the command line and receives them as one
    value per group: ``@with_options(sampling=SAMPLING)`` hands it ``sampling: Sampling``.
    Typer reads the joint signature; a caller in Python passes the options flat, as on the
    command line (those left out take their defaults)."""
    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name not in groups]
        shared = [p for group in groups.values() for p in group.parameters()]

        @functools.wraps(command)
        def with_groups(**kwargs: Any) -> Any:
            for name, group in groups.items():
                values = {p.name: kwargs.pop(p.name, p.default) for p in group.parameters()}
                kwargs[name] = group.kind(**values)
            return command(**kwargs)

        parameters = own + shared
        with_groups.__signature__ = signature.replace(parameters=parameters)  # type: ignore
        with_groups.__annotations__ = {p.name: p.annotation for p in parameters}
        return with_groups  # type: ignore[return-value]
    return decorate
