"""The options of the commands that write songs and audio, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    "--checkpoint", help="A checkpoint folder from `songform train --corpus pop909|midi` "
                         "(default: the shipped model).")]
StrengthOpt = Annotated[float | None, typer.Option(
    "--strength", help="stable-audio: 0 keeps the FluidSynth render (autoencoder round trip), "
                       "1 starts from noise [default 0.5].")]
StepsOpt = Annotated[int | None, typer.Option(
    "--steps", help="stable-audio: denoising steps at full strength [default 100].")]
BatchOpt = Annotated[int | None, typer.Option(
    "--batch-size", help="stable-audio: windows denoised together [default 4 on cuda, 1 on "
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
    "--threads", help="CPU threads for the model [default: the library's choice, 1: batch-1 "
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
