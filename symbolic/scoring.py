"""How well a model predicts real songs: NLL per token and bits per note, and where its pitch
probability goes (the tonality probe: the share on the key's scale and on the sounding chord,
beside the songs' own shares and chance), in one teacher-forced pass per window.

Windows start at bar lines, as in training, and hold whole bars up to ``window`` tokens; each
token after the song's first is predicted once (a window predicts up to and including the next
window's bar line).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .attributes import TokenAttributes
from .model import MusicTransformer
from .song import PlannedScore
from .tokenizer import SongTokenizer, token_number

SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}


@dataclass
class SongScore:
    """Sums over one or more songs (add them with ``+=``)."""

    nll: float = 0.0  # nats, over ``tokens`` predicted tokens
    tokens: int = 0
    notes: int = 0  # Pitch / PitchDrum tokens among them
    probe: dict[str, list[float]] = field(default_factory=lambda: {
        name: [] for name in ("key_mass", "chord_mass", "key_true", "chord_true",
                              "key_chance", "chord_chance")})

    def __iadd__(self, other: SongScore) -> SongScore:
        self.nll += other.nll
        self.tokens += other.tokens
        self.notes += other.notes
        for name, values in other.probe.items():
            self.probe[name] += values
        return self

    def summary(self) -> dict[str, float]:
        """NLL per token (nats), bits per note, and the probe's means."""
        out = {"nll_per_token": self.nll / max(self.tokens, 1),
               "bits_per_note": float(self.nll / np.log(2) / max(self.notes, 1)),
               "tokens": self.tokens, "notes": self.notes,
               "pitch_tokens": len(self.probe["key_mass"])}
        out.update({name: float(np.mean(values)) if values else float("nan")
                    for name, values in self.probe.items()})
        return out


def windows(tokens: list[str], window: int) -> list[tuple[int, int]]:
    """``(start, end)`` spans: each starts at a bar line (or where an overlong bar was cut)
    and ends at the next window's start, inclusive, within ``window`` + 1 tokens."""
    lines = [i for i, t in enumerate(tokens) if t == "Bar_None"] or [0]
    spans, start = [], lines[0]
    while start < len(tokens) - 1:
        limit = start + window
        later = [i for i in lines if start < i <= limit]
        end = later[-1] if later and limit < len(tokens) - 1 else min(limit, len(tokens) - 1)
        spans.append((start, end))
        start = end
    return spans


@torch.no_grad()
def score_song(model: MusicTransformer, tokenizer: SongTokenizer, song: PlannedScore,
               window: int | None = None) -> SongScore:
    """Teacher-forced NLL and tonality probe of ``model`` on ``song``."""
    model.eval()
    window = window or model.config.max_relative
    sequence = tokenizer.encode(song)
    device = next(model.parameters()).device
    pitch_ids = {i: token_number(t) for t, i in tokenizer.vocab.items()
                 if t.startswith("Pitch_")}
    pitch_index = torch.tensor(list(pitch_ids), device=device)
    classes = np.array([p % 12 for p in pitch_ids.values()])
    bars = list(song.plan.bars())
    starts = np.array([b.start for b in bars])
    score = SongScore()
    for first, last in windows(sequence.tokens, window):
        span = slice(first, last + 1)
        onsets = sequence.onsets[span] - sequence.onsets[first]
        attributes = TokenAttributes.of_sequence(sequence.pitches[span], onsets,
                                                 sequence.durations[span], device)
        ids = torch.as_tensor(sequence.ids[span], device=device)[None]
        logits = model(ids[:, :-1], attributes.span(0, last - first))[0].float()
        log_probs = torch.log_softmax(logits, -1)
        targets = ids[0, 1:]
        score.nll -= float(log_probs.gather(1, targets[:, None]).sum())
        score.tokens += len(targets)
        for offset in range(len(targets)):
            token = sequence.tokens[first + offset + 1]
            if token.startswith(("Pitch_", "PitchDrum_")):
                score.notes += 1
            if token.startswith("Pitch_"):
                _probe(score.probe, log_probs[offset, pitch_index].softmax(0).cpu().numpy(),
                       classes, token_number(token) % 12,
                       bars[int(np.searchsorted(starts, sequence.onsets[first + offset + 1],
                                                side="right")) - 1],
                       sequence.onsets[first + offset + 1])
    return score


def _probe(sums: dict, probabilities: np.ndarray, classes: np.ndarray, pitch_class: int, bar,
           onset: float) -> None:
    chord = bar.chord_at(onset - bar.start)
    if chord is None or chord.is_none:
        return
    scale = {(bar.key.tonic + d) % 12 for d in SCALES[bar.key.mode]}
    tones = set(chord.pitch_classes)
    sums["key_mass"].append(float(probabilities[np.isin(classes, list(scale))].sum()))
    sums["chord_mass"].append(float(probabilities[np.isin(classes, list(tones))].sum()))
    sums["key_true"].append(float(pitch_class in scale))
    sums["chord_true"].append(float(pitch_class in tones))
    sums["key_chance"].append(len(scale) / 12)
    sums["chord_chance"].append(len(tones) / 12)
