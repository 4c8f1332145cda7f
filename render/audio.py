"""Audio through FluidSynth: any MIDI file (or a PlannedScore) -> 44.1 kHz stereo WAV or FLAC.

Rendering is offline and faster than real time: MIDI events are fed to the synthesiser in
time order and the samples between them are pulled with ``get_samples``. The result is
normalised (RMS toward -16 dBFS, peak never above -1 dBFS) and keeps a tail so the last
chord rings out.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np

from songform.core.fileio import atomic_path
from songform.symbolic.midi_input import MidiInputError, read_midi_bytes, scan_midi
from songform.symbolic.ticks import DRUM_CHANNEL

from .errors import RenderError
from .soundfont import find_soundfont

AUDIO_FORMATS = {".wav": "WAV", ".flac": "FLAC"}


@dataclass(frozen=True)
class AudioConfig:
    """Audio rendering settings.

    Args:
        sample_rate: samples per second.
        tail_seconds: silence kept after the music's end so that notes ring out.
        peak_dbfs: the highest peak allowed, in dB relative to full scale.
        target_rms_dbfs: the loudness aimed at, when the peak allows it.
        gain: FluidSynth's master gain (headroom before normalisation).
    """

    sample_rate: int = 44100
    tail_seconds: float = 2.0
    peak_dbfs: float = -1.0
    target_rms_dbfs: float = -16.0
    gain: float = 0.4


def _load_fluidsynth():
    try:
        import fluidsynth
    except (ImportError, OSError) as error:  # pyfluidsynth missing, or libfluidsynth absent
        raise RenderError(
            f"FluidSynth is not available ({error}): install the system packages "
            "`fluidsynth libfluidsynth3` (done by `make setup`) and pyfluidsynth") from None
    if not hasattr(fluidsynth, "Synth"):
        raise RenderError("the installed `fluidsynth` module is not pyfluidsynth")
    return fluidsynth


def read_midi(path: str | Path) -> mido.MidiFile:
    """Read a MIDI file for rendering.

    Raises:
        MidiInputError: the file is missing, damaged, or past a limit (exit 2: bad input).
    """
    data = read_midi_bytes(path)
    scan_midi(data, Path(path).name)  # before mido or FluidSynth builds anything
    try:
        return mido.MidiFile(file=io.BytesIO(data))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as error:
        reason = str(error) or type(error).__name__
        raise MidiInputError(f"{path} is not a readable MIDI file ({reason})") from None


def synthesize(midi: mido.MidiFile, soundfont: str | Path | None = None,
               config: AudioConfig | None = None) -> np.ndarray:
    """Render ``midi`` to float32 stereo samples, shape ``[frames, 2]``, normalised."""
    config = config or AudioConfig()
    fluidsynth = _load_fluidsynth()
    font = find_soundfont(soundfont)
    synth = fluidsynth.Synth(gain=config.gain, samplerate=float(config.sample_rate))
    try:
        font_id = synth.sfload(str(font))
        if font_id < 0:
            raise RenderError(f"FluidSynth could not load the SoundFont {font}")
        for channel in range(16):
            synth.program_select(channel, font_id, 128 if channel == DRUM_CHANNEL else 0, 0)
        chunks: list[np.ndarray] = []
        frames_done = 0
        now = 0.0
        for message in midi:  # mido yields messages with delta times in seconds
            now += message.time
            target = int(round(now * config.sample_rate))
            if target > frames_done:
                chunks.append(synth.get_samples(target - frames_done))
                frames_done = target
            _send(synth, font_id, message)
        total = int(round((midi.length + config.tail_seconds) * config.sample_rate))
        if total > frames_done:
            chunks.append(synth.get_samples(total - frames_done))
    finally:
        synth.delete()
    interleaved = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    stereo = interleaved.reshape(-1, 2).astype(np.float32) / 32768.0
    return normalise(stereo, config)


def _send(synth, font_id: int, message: mido.Message) -> None:
    kind = message.type
    if kind == "note_on" and message.velocity > 0:
        synth.noteon(message.channel, message.note, message.velocity)
    elif kind in ("note_off", "note_on"):
        synth.noteoff(message.channel, message.note)
    elif kind == "program_change":
        bank = 128 if message.channel == DRUM_CHANNEL else 0
        synth.program_select(message.channel, font_id, bank, message.program)
    elif kind == "control_change":
        synth.cc(message.channel, message.control, message.value)
    elif kind == "pitchwheel":
        synth.pitch_bend(message.channel, message.pitch)


def normalise(samples: np.ndarray, config: AudioConfig) -> np.ndarray:
    """Scale toward the target RMS without letting the peak exceed ``peak_dbfs``."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak == 0.0:
        return samples
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    peak_limit = 10 ** (config.peak_dbfs / 20) / peak
    loudness = 10 ** (config.target_rms_dbfs / 20) / rms if rms > 0 else peak_limit
    return (samples * min(peak_limit, loudness)).astype(np.float32)


def write_audio(samples: np.ndarray, path: str | Path, sample_rate: int = 44100) -> Path:
    """Write float samples ``[frames, channels]`` as 16-bit WAV or FLAC (by suffix), atomically.

    Raises:
        RenderError: an unsupported suffix.
    """
    import soundfile

    path = Path(path)
    audio_format = AUDIO_FORMATS.get(path.suffix.lower())
    if audio_format is None:
        raise RenderError(f"unsupported audio format {path.suffix!r}: use .wav or .flac")
    with atomic_path(path) as temp:
        soundfile.write(str(temp), samples, sample_rate, format=audio_format, subtype="PCM_16")
    return path


def render_midi_to_audio(midi_path: str | Path, out_path: str | Path,
                         soundfont: str | Path | None = None,
                         config: AudioConfig | None = None) -> Path:
    """Render a MIDI file to WAV/FLAC."""
    config = config or AudioConfig()
    samples = synthesize(read_midi(midi_path), soundfont, config)
    return write_audio(samples, out_path, config.sample_rate)


def peak_dbfs(samples: np.ndarray) -> float:
    """The peak level of float samples in dBFS."""
    peak = float(np.max(np.abs(samples)))
    return -math.inf if peak == 0 else 20 * math.log10(peak)
