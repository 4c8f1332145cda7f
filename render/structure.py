"""Does audio keep the song? Per-bar chroma agreement with the notes, and whether bars with
the same phrase label (at the same place in their phrase) sound more alike than other bars.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from songform.hierarchy.plan import NEVER_REPEATED_LABELS, SongPlan
from songform.symbolic.song import PlannedScore

from .neural.chroma import notes_in_seconds


@dataclass(frozen=True)
class StructureScore:
    """Results of ``audio_structure``.

    Attributes:
        chroma_agreement: mean cosine similarity of audio and note chroma per bar (0-1).
        same_label_similarity: mean similarity of bar pairs the plan says restate each other.
        other_similarity: mean similarity of all other bar pairs.
        contrast: ``same_label_similarity - other_similarity`` (above 0: structure audible).
    """

    chroma_agreement: float
    same_label_similarity: float
    other_similarity: float

    @property
    def contrast(self) -> float:
        return self.same_label_similarity - self.other_similarity


def audio_chroma(samples: np.ndarray, sample_rate: int, frame: int = 4096) -> np.ndarray:
    """A plain STFT chroma ``[frames, 12]`` (Hann window, pitch classes from C), hop = frame/2."""
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    hop = frame // 2
    window = np.hanning(frame)
    freqs = np.fft.rfftfreq(frame, 1 / sample_rate)
    valid = (freqs > 55) & (freqs < 4200)
    classes = np.round(12 * np.log2(freqs[valid] / 440.0) + 9).astype(int) % 12
    frames = []
    for start in range(0, max(1, len(mono) - frame), hop):
        spectrum = np.abs(np.fft.rfft(mono[start:start + frame] * window)) ** 2
        chroma = np.bincount(classes, weights=spectrum[valid], minlength=12)
        frames.append(chroma)
    return np.array(frames)


def _bar_matrix(frames: np.ndarray, frame_seconds: float, plan: SongPlan,
                bar_times: list[tuple[float, float]]) -> np.ndarray:
    out = np.zeros((len(bar_times), 12))
    for index, (start, end) in enumerate(bar_times):
        first = int(start / frame_seconds)
        last = max(first + 1, int(end / frame_seconds))
        if first < len(frames):
            out[index] = frames[first:last].sum(axis=0)
    return out


def _bar_times(plan: SongPlan) -> list[tuple[float, float]]:
    lines = plan.bar_seconds()
    return list(zip(lines, lines[1:], strict=False))


def _cosine(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return unit @ unit.T


def audio_structure(samples: np.ndarray, sample_rate: int, song: PlannedScore) -> StructureScore:
    """Score audio of ``song`` against its notes and its plan's phrase labels."""
    plan = song.plan
    bar_times = _bar_times(plan)
    frame = 4096
    frames = audio_chroma(samples, sample_rate, frame)
    audio_bars = _bar_matrix(frames, frame / 2 / sample_rate, plan, bar_times)
    notes = notes_in_seconds(song.score)
    note_bars = np.zeros_like(audio_bars)
    for start, end, pitch, velocity in notes:
        for index, (bar_start, bar_end) in enumerate(bar_times):
            overlap = min(end, bar_end) - max(start, bar_start)
            if overlap > 0:
                note_bars[index, pitch % 12] += overlap * velocity
    both = np.linalg.norm(audio_bars, axis=1) * np.linalg.norm(note_bars, axis=1)
    agreement = np.divide((audio_bars * note_bars).sum(axis=1), both,
                          out=np.zeros(len(both)), where=both > 0)
    similarity = _cosine(audio_bars)
    bars = list(plan.bars())
    same, other = [], []
    for i in range(len(bars)):
        for j in range(i):
            a, b = bars[i], bars[j]
            if a.phrase_label == b.phrase_label and a.bar_in_phrase == b.bar_in_phrase \
                    and a.phrase_label not in NEVER_REPEATED_LABELS:
                same.append(similarity[i, j])
            else:
                other.append(similarity[i, j])
    return StructureScore(float(agreement[both > 0].mean()) if (both > 0).any() else 0.0,
                          float(np.mean(same)) if same else 0.0,
                          float(np.mean(other)) if other else 0.0)
