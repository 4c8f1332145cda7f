"""Audio through FluidSynth: any MIDI file (or a PlannedScore) -> a mastered 44.1 kHz stereo
file (WAV, FLAC, Ogg Vorbis or MP3), and on request one stem per part.

FluidSynth plays each part dry (``render.synth``); the desk places the parts and adds the
room (``render.desk``); the master brings the mix to -14 LUFS with its true peak at or below
-1 dBTP (``render.master``). A tail is kept after the music so the last chord rings out.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import mido
import numpy as np

from songform.core.fileio import atomic_path
from songform.symbolic.midi_input import MidiInputError, read_midi_bytes, scan_midi

from .desk import channel, mix
from .errors import RenderError
from .master import MasterConfig, master
from .soundfont import find_soundfont
from .synth import render_parts, split_parts

AUDIO_FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"),
                 ".ogg": ("OGG", "VORBIS"), ".mp3": ("MP3", "MPEG_LAYER_III")}
"""Audio files by suffix: libsndfile's format and subtype."""
STEM_FORMAT = ("WAV", "FLOAT")
"""Stems are 32-bit float WAV: at the master's gain before the limiter they may pass full
scale, and a DAW takes them as they are."""
SOFTWARE = "songform"
WRITE_BLOCK = 1 << 16  # frames handed to libsndfile at a time


@dataclass(frozen=True)
class AudioConfig:
    """Audio rendering settings.

    Args:
        sample_rate: samples per second.
        tail_seconds: silence kept after the music's end so that notes ring out.
        gain: FluidSynth's master gain (headroom before the desk).
        loudness_lufs: the master's integrated loudness (LUFS).
        true_peak_dbtp: the master's highest true peak (dBTP).
    """

    sample_rate: int = 44100
    tail_seconds: float = 2.0
    gain: float = 0.4
    loudness_lufs: float = -14.0
    true_peak_dbtp: float = -1.0

    def __post_init__(self) -> None:
        self.master  # noqa: B018 - a bad loudness or ceiling fails here, before any work

    @property
    def master(self) -> MasterConfig:
        return MasterConfig(self.loudness_lufs, self.true_peak_dbtp)


@dataclass
class AudioMix:
    """A rendered song: the master, the mix before the limiter at the master's gain, each
    part's stem at that gain (summing to ``premaster``), and what was measured on the way."""

    master: np.ndarray
    premaster: np.ndarray
    stems: dict[str, np.ndarray] = field(default_factory=dict)
    loudness_lufs: float = -math.inf
    true_peak_dbtp: float = -math.inf
    widths: dict[str, float] = field(default_factory=dict)
    sample_rate: int = 44100


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


def mixdown(midi: mido.MidiFile, soundfont: str | Path | None = None,
            config: AudioConfig | None = None, stems: bool = False) -> AudioMix:
    """Play, place, mix and master ``midi``; with ``stems``, keep each part's stem too."""
    config = config or AudioConfig()
    font = find_soundfont(soundfont)
    parts = split_parts(midi)
    dry = render_parts(parts, font, config.sample_rate, config.gain, config.tail_seconds)
    channels = [channel(part.name, signal, part.controls)
                for part, signal in zip(parts.parts, dry, strict=True)]
    if not channels:
        frames = int(round((parts.seconds + config.tail_seconds) * config.sample_rate))
        silence = np.zeros((frames, 2), dtype=np.float32)
        return AudioMix(silence, silence, sample_rate=config.sample_rate)
    total, parts_audio = mix(channels, parts.room, config.sample_rate, stems)
    mastered = master(total, config.sample_rate, config.master)
    return AudioMix(mastered.samples, (total * mastered.gain).astype(np.float32),
                    {c.name: (stem * mastered.gain).astype(np.float32)
                     for c, stem in zip(channels, parts_audio, strict=False)},
                    mastered.loudness_lufs, mastered.true_peak_dbtp,
                    {c.name: c.width for c in channels}, config.sample_rate)


def synthesize(midi: mido.MidiFile, soundfont: str | Path | None = None,
               config: AudioConfig | None = None) -> np.ndarray:
    """Render ``midi`` to its master: float32 stereo samples, shape ``[frames, 2]``."""
    return mixdown(midi, soundfont, config).master


def check_audio_path(path: str | Path) -> tuple[str, str]:
    """The libsndfile format and subtype for ``path``'s suffix, checked before any work.

    Raises:
        RenderError: an unsupported suffix.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in AUDIO_FORMATS:
        raise RenderError(f"unsupported audio format {suffix or '(none)'!r} in {path}: use "
                          f"{', '.join(AUDIO_FORMATS)}")
    return AUDIO_FORMATS[suffix]


def write_audio(samples: np.ndarray, path: str | Path, sample_rate: int = 44100,
                title: str | None = None, file_format: tuple[str, str] | None = None
                ) -> Path:
    """Write float samples ``[frames, channels]`` in the format of ``path``'s suffix (or
    ``file_format``), atomically, with the title and the tool in its tags.

    Raises:
        RenderError: an unsupported suffix.
    """
    import soundfile

    path = Path(path)
    audio_format, subtype = file_format or check_audio_path(path)
    with atomic_path(path) as temp, soundfile.SoundFile(
            str(temp), "w", sample_rate, samples.shape[1], subtype, format=audio_format) as out:
        if title:
            out.title = title
        out.software = SOFTWARE
        out.comment = f"made with {SOFTWARE}"
        for start in range(0, samples.shape[0], WRITE_BLOCK):  # libsndfile's Vorbis encoder
            out.write(samples[start:start + WRITE_BLOCK])     # crashes on long single writes
    return path


def stem_name(part: str) -> str:
    """A file name for a part's stem: its name, with what a file system refuses replaced."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", part).strip(" .") or "part"
    return f"{name}.wav"


def write_stems(audio: AudioMix, folder: str | Path, title: str | None = None) -> list[Path]:
    """Write each stem of ``audio`` into ``folder`` as ``<part>.wav`` (32-bit float, the same
    length, the master's gain): summed, they give the mix before the limiter."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for part, samples in audio.stems.items():
        path = folder / stem_name(part)
        write_audio(samples, path, audio.sample_rate,
                    f"{title} - {part}" if title else part, STEM_FORMAT)
        written.append(path)
    return written


def render_midi_to_audio(midi_path: str | Path, out_path: str | Path,
                         soundfont: str | Path | None = None,
                         config: AudioConfig | None = None,
                         stems: str | Path | None = None) -> Path:
    """Render a MIDI file to audio (by suffix), and its stems into the folder ``stems``."""
    check_audio_path(out_path)
    return render_files(read_midi(midi_path), out_path, soundfont, config, stems,
                        Path(midi_path).stem)


def render_files(midi: mido.MidiFile, out_path: str | Path,
                 soundfont: str | Path | None = None, config: AudioConfig | None = None,
                 stems: str | Path | None = None, title: str | None = None) -> Path:
    """Render ``midi`` to ``out_path`` (format by suffix, tagged with ``title``) and, given a
    folder ``stems``, its stems there."""
    config = config or AudioConfig()
    file_format = check_audio_path(out_path)
    audio = mixdown(midi, soundfont, config, stems=stems is not None)
    if stems is not None:
        write_stems(audio, stems, title)
    return write_audio(audio.master, out_path, config.sample_rate, title, file_format)


def peak_dbfs(samples: np.ndarray) -> float:
    """The peak level of float samples in dBFS."""
    peak = float(np.max(np.abs(samples)))
    return -math.inf if peak == 0 else 20 * math.log10(peak)
