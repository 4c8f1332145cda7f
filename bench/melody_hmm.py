"""A learned melody harmoniser against the rule-based one (``data/harmonize.py``), on
POP909's valid split: a hidden Markov model over beats, trained on the training split, whose
states are the 24 major and minor triads relative to the key (a minor key read in its
relative major). Emission: each melody note's length in the beat (plus ``onset_weight`` if
it starts there) times log P(its interval above the root | the chord's quality), shared by
every root; transitions relative to the key, one matrix for downbeats, one for the bar's
middle, one for the other beats; Viterbi. Accuracy per beat (major/minor) against the
annotated chords on the plan's bars, with the key estimated from the melody (as ``songform
arrange`` does) and with the annotated key.

    .venv/bin/python bench/melody_hmm.py [--pop909 ../shared/data/pop909]
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import add_json_option, add_pop909_option, missing, write_json

from songform.hierarchy.chord import Chord
from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter

QUALITIES = ("maj", "min")
TRIADS = {"maj": (0, 4, 7), "min": (0, 3, 7)}
STATES = 24  # root relative to the frame's tonic (0-11) x quality
DOWNBEAT, MIDDLE, OTHER = 0, 1, 2


def frame_tonic(key: Key) -> int:
    """The pitch class chords are counted from: the tonic, or a minor key's relative major."""
    return key.tonic if key.mode == "major" else (key.tonic + 3) % 12


def chord_state(chord: Chord, key: Key) -> int | None:
    """A chord's state (``None`` for no chord, or one that is neither major nor minor)."""
    if chord.root is None:
        return None
    intervals = set(chord.intervals)
    quality = "maj" if 4 in intervals else "min" if 3 in intervals else None
    if quality is None:
        return None
    return QUALITIES.index(quality) * 12 + (chord.root - frame_tonic(key)) % 12


def state_chord(state: int, key: Key) -> Chord:
    quality, root = QUALITIES[state // 12], state % 12
    return Chord((root + frame_tonic(key)) % 12, TRIADS[quality])


def beat_kind(beat: int, beats_per_bar: int) -> int:
    if beat == 0:
        return DOWNBEAT
    return MIDDLE if beats_per_bar % 2 == 0 and beat == beats_per_bar // 2 else OTHER


@dataclass(frozen=True)
class HarmonyModel:
    """Log probabilities: ``emission[quality, interval]``, ``transition[kind, from, to]``,
    ``initial[state]``; ``onset_weight`` and ``emission_scale`` as tuned."""

    emission: np.ndarray
    transition: np.ndarray
    initial: np.ndarray
    onset_weight: float = 0.5
    emission_scale: float = 1.0

    def beat_scores(self, notes: Sequence[tuple[float, float, int]], beats: int,
                    beat_length: float, key: Key) -> np.ndarray:
        """``[beats, STATES]``: each state's log emission of the melody in each beat."""
        weights = np.zeros((beats, 12))  # the melody's pitch classes per beat, relative
        tonic = frame_tonic(key)
        for start, end, pitch in notes:
            first = max(0, int(start // beat_length))
            last = min(beats - 1, int(max(start, end - 1e-6) // beat_length))
            for beat in range(first, last + 1):
                low, high = beat * beat_length, (beat + 1) * beat_length
                weight = max(0.0, min(end, high) - max(start, low)) / beat_length
                if low <= start < high:
                    weight += self.onset_weight
                weights[beat, (pitch - tonic) % 12] += weight
        scores = np.zeros((beats, STATES))
        for quality in range(2):
            for root in range(12):  # interval above the root = relative pc - root
                table = np.roll(self.emission[quality], root)
                scores[:, quality * 12 + root] = weights @ table
        return scores * self.emission_scale

    def decode(self, notes: Sequence[tuple[float, float, int]], meter: Meter, bars: int,
               key: Key) -> list[list[tuple[float, Chord]]]:
        """One list of ``(offset in the bar, chord)`` per bar (an event where the chord
        changes, and at every bar's start)."""
        per_bar = meter.numerator
        beat_length = float(meter.quarters_per_bar) / per_bar
        beats = bars * per_bar
        emission = self.beat_scores(notes, beats, beat_length, key)
        score = self.initial + emission[0]
        back = np.zeros((beats, STATES), dtype=int)
        for beat in range(1, beats):
            total = score[:, None] + self.transition[beat_kind(beat % per_bar, per_bar)]
            back[beat] = total.argmax(axis=0)
            score = total.max(axis=0) + emission[beat]
        path = [int(score.argmax())]
        for beat in range(beats - 1, 0, -1):
            path.append(int(back[beat, path[-1]]))
        path.reverse()
        out = []
        for bar in range(bars):
            events: list[tuple[float, Chord]] = []
            for beat in range(per_bar):
                state = path[bar * per_bar + beat]
                if not events or state != path[bar * per_bar + beat - 1]:
                    events.append((beat * beat_length, state_chord(state, key)))
            out.append(events)
        return out


def train_harmony_model(songs: Iterable[tuple[list[tuple[float, float, int]], list]],
                        onset_weight: float = 0.5, smoothing: float = 0.5) -> HarmonyModel:
    """Count a model from ``(melody notes in quarters, the plan's bars)`` pairs: each beat's
    annotated chord (``bar.chord_at``) and key (``bar.key``)."""
    emission = np.full((2, 12), smoothing)
    transition = np.full((3, STATES, STATES), smoothing)
    initial = np.full(STATES, smoothing)
    for notes, bars in songs:
        states: list[tuple] = []  # (beat kind, state, key, start, length) per beat
        for bar in bars:
            per_bar = bar.meter.numerator
            beat_length = bar.length / per_bar
            for beat in range(per_bar):
                chord = bar.chord_at(beat * beat_length)
                state = chord_state(chord, bar.key) if chord is not None else None
                states.append((beat_kind(beat, per_bar), state, bar.key, bar.start
                               + beat * beat_length, beat_length))
        for index, (kind, state, key, start, length) in enumerate(states):
            if state is None:
                continue
            if index == 0 or states[index - 1][1] is None:
                initial[state] += 1
            else:
                transition[kind, states[index - 1][1], state] += 1
            quality, root = divmod(state, 12)
            tonic = frame_tonic(key)
            for note_start, note_end, pitch in notes:
                if note_end <= start or note_start >= start + length:
                    continue
                weight = (min(note_end, start + length) - max(note_start, start)) / length
                if start <= note_start < start + length:
                    weight += onset_weight
                emission[quality, ((pitch - tonic) % 12 - root) % 12] += weight
    emission /= emission.sum(axis=1, keepdims=True)
    transition /= transition.sum(axis=2, keepdims=True)
    initial /= initial.sum()
    return HarmonyModel(np.log(emission), np.log(transition), np.log(initial), onset_weight)


def melody_songs(root: Path, split: str):
    """``(melody notes in quarters, the plan's bars)`` of every usable song of ``split``."""
    from analysis import pop909_split_songs

    from songform.data.errors import CorpusError
    from songform.data.pop909 import read_pop909_song
    from songform.hierarchy.errors import TemplateError
    from songform.symbolic.ticks import ticks_to_quarters

    for folder, beats in pop909_split_songs(root, split):
        try:
            song = read_pop909_song(folder, beats).song
        except (CorpusError, TemplateError, ValueError):
            continue
        melody = next(t.name for t in song.plan.tracks if t.role == "melody")
        track = next(t for t in song.score.tracks if t.name == melody)
        notes = [(ticks_to_quarters(n.time, song.tpq), ticks_to_quarters(n.end, song.tpq),
                  n.pitch) for n in track.notes]
        yield notes, list(song.plan.bars())


def accuracy(model, songs, annotated_key: bool = False) -> float:
    """Beat accuracy (major/minor) of ``model.decode``'s chords against the plan's, the key
    taken from the melody (or the annotations) and the bars from the plan."""
    from songform.data.harmonize import melody_key

    hits = total = 0
    for notes, bars in songs:
        if not notes:
            continue
        key = bars[0].key if annotated_key else melody_key(notes)
        meter = bars[0].meter
        chords = model.decode(notes, meter, len(bars), key)
        for bar, events in zip(bars, chords, strict=True):
            beat_length = bar.length / bar.meter.numerator
            for beat in range(bar.meter.numerator):
                offset = beat * beat_length
                truth = bar.chord_at(offset)
                wanted = chord_state(truth, key) if truth is not None else None
                if wanted is None:
                    continue
                guess = [c for at, c in events if at <= offset + 1e-6][-1]
                total += 1
                hits += chord_state(guess, key) == wanted
    return hits / max(1, total)


class Rules:
    """The rule-based harmoniser behind the same interface."""

    def decode(self, notes, meter, bars, key):
        from songform.data.harmonize import harmonize

        return harmonize(notes, meter, bars, key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pop909_option(parser)
    add_json_option(parser, "melody_hmm.json")
    args = parser.parse_args()
    if missing(args.pop909):
        return 0
    from rich.console import Console
    from rich.table import Table

    train = list(melody_songs(args.pop909, "train"))
    valid = list(melody_songs(args.pop909, "valid"))
    rows = []
    for onset_weight in (0.0, 0.5, 1.0):
        model = train_harmony_model(train, onset_weight=onset_weight)
        for scale in (1.0, 2.0, 4.0):
            tuned = dataclasses.replace(model, emission_scale=scale)
            rows.append({"harmoniser": f"HMM, onset weight {onset_weight}, emission x{scale}",
                         "melody_key": accuracy(tuned, valid),
                         "annotated_key": accuracy(tuned, valid, True)})
    rows.append({"harmoniser": "rules (data/harmonize.py)", "melody_key":
                 accuracy(Rules(), valid), "annotated_key": accuracy(Rules(), valid, True)})
    table = Table(title=f"Chords from the bare melody, POP909 valid ({len(valid)} songs), "
                        "beat accuracy (major/minor)")
    for column in ("harmoniser", "key from the melody", "annotated key"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["harmoniser"], f"{row['melody_key']:.3f}",
                      f"{row['annotated_key']:.3f}")
    Console(width=120).print(table)
    write_json(args.json, {"train_songs": len(train), "valid_songs": len(valid),
                                     "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
