"""Plan derivation for unlabelled music: meter and tempo from the file, key (per section where
it modulates), chords per bar at beat resolution by template matching, sections by bar-level
self-similarity, energy from the notes. The result is the same ``SongPlan`` the planner writes.

Methods, in brief:
- key: Krumhansl-Kessler profiles correlated with the duration-weighted pitch-class histogram
  (song, then each section: a section takes its own best key when it beats the song's key by
  ``MODULATION_MARGIN``);
- chords: per beat, a pitch-class vector of the sounding notes (duration-weighted, the lowest
  note weighted up) scored against triad and seventh templates on every root; a chord change
  costs ``CHANGE_PENALTY`` (a small Viterbi), so chords hold unless the notes say otherwise;
- sections: bars are grouped into 4-bar phrases (the meter's phrase unit); each phrase takes
  the label of the most similar earlier phrase when the chroma-and-chord similarity passes
  ``SAME_LABEL_THRESHOLD``, else a new letter; the POP909 label rule then names the sections.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from symusic import Score

from songform.core.limits import MAX_BARS
from songform.hierarchy.chord import Chord
from songform.hierarchy.energy import energy_level
from songform.hierarchy.key import Key
from songform.hierarchy.labels import LabelledPhrase, place_sections
from songform.hierarchy.meter import Meter
from songform.hierarchy.plan import PhrasePlan, SectionPlan, SongPlan, TrackSpec, chord_events
from songform.symbolic.ticks import ticks_to_quarters

from .melody_form import melody_form as form_of_melody

MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29,
                          2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34,
                          3.17])
TEMPLATES = {"maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11),
             "min7": (0, 3, 7, 10), "dim": (0, 3, 6), "sus4": (0, 5, 7), "sus2": (0, 2, 7)}
TEMPLATE_PRIOR = {"maj": 0.0, "min": 0.0, "7": -0.04, "maj7": -0.04, "min7": -0.04,
                  "dim": -0.08, "sus4": -0.08, "sus2": -0.08}
CHANGE_PENALTY = 0.12
SAME_LABEL_THRESHOLD = 0.86
MODULATION_MARGIN = 0.08
MINOR_BIAS = 0.05  # subtracted from minor keys' correlation (tuned on POP909 train)
TAIL_TOLERANCE = 0.25  # quarters a last note may run past a bar line without adding a bar
PHRASE_QUARTERS = 16  # a phrase is about four bars of 4/4, whatever the file's meter says


@dataclass(frozen=True)
class AnalysisConfig:
    """Knobs of the analysis (defaults tuned on POP909's training songs)."""

    change_penalty: float = CHANGE_PENALTY
    same_label_threshold: float = SAME_LABEL_THRESHOLD
    phrase_quarters: int = PHRASE_QUARTERS
    bass_weight: float = 2.0
    minor_bias: float = MINOR_BIAS


def estimate_key(histogram: np.ndarray, minor_bias: float = MINOR_BIAS) -> tuple[Key, float]:
    """Best key for a 12-bin pitch-class histogram, and its correlation."""
    best, best_score = Key(0), -2.0
    if histogram.sum() <= 0:
        return best, 0.0
    for tonic in range(12):
        for mode, profile in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
            score = float(np.corrcoef(histogram, np.roll(profile, tonic))[0, 1])
            score -= minor_bias if mode == "minor" else 0.0
            if score > best_score:
                best, best_score = Key(tonic, mode), score
    return best, best_score


def _template_matrix() -> tuple[np.ndarray, list[tuple[int, str]]]:
    rows, names = [], []
    for quality, intervals in TEMPLATES.items():
        for root in range(12):
            vector = np.zeros(12)
            vector[[(root + i) % 12 for i in intervals]] = 1.0
            rows.append(vector / np.linalg.norm(vector))
            names.append((root, quality))
    return np.array(rows), names


_TEMPLATE_MATRIX, _TEMPLATE_NAMES = _template_matrix()
_PRIORS = np.array([TEMPLATE_PRIOR[q] for _, q in _TEMPLATE_NAMES])


def beat_chroma(notes: np.ndarray, beats: np.ndarray, bass_weight: float = 2.0) -> np.ndarray:
    """Pitch-class vectors per beat ``[B, 12]`` from notes ``[N, 3]`` (start, end, pitch)."""
    chroma = np.zeros((len(beats) - 1, 12))
    for index in range(len(beats) - 1):
        start, end = beats[index], beats[index + 1]
        overlap = np.minimum(notes[:, 1], end) - np.maximum(notes[:, 0], start)
        sounding = overlap > 0
        if not sounding.any():
            continue
        pitches = notes[sounding, 2].astype(int)
        weights = overlap[sounding]
        np.add.at(chroma[index], pitches % 12, weights)
        chroma[index, pitches.min() % 12] += bass_weight * weights.max()
    return chroma


def chords_per_beat(chroma: np.ndarray, penalty: float = CHANGE_PENALTY) -> list[Chord]:
    """The best chord sequence over beats (template scores, change penalty, Viterbi)."""
    norms = np.linalg.norm(chroma, axis=1, keepdims=True)
    unit = np.divide(chroma, norms, out=np.zeros_like(chroma), where=norms > 0)
    scores = unit @ _TEMPLATE_MATRIX.T + _PRIORS  # (B, T)
    if len(scores) == 0:
        return []
    best = scores[0].copy()
    back = np.zeros(scores.shape, dtype=int)
    for index in range(1, len(scores)):
        stay = best
        switch = best.max() - penalty
        back[index] = np.where(stay >= switch, np.arange(len(best)), best.argmax())
        best = np.maximum(stay, switch) + scores[index]
    path = [int(best.argmax())]
    for index in range(len(scores) - 1, 0, -1):
        path.append(int(back[index][path[-1]]))
    path.reverse()
    chords = []
    for index, state in zip(range(len(scores)), path, strict=True):
        if norms[index, 0] == 0:
            chords.append(Chord(None))
            continue
        root, quality = _TEMPLATE_NAMES[state]
        chords.append(Chord(root, TEMPLATES[quality]))
    return chords


def _phrase_labels(features: np.ndarray, threshold: float) -> list[str]:
    letters = "ABCDEFGH"
    labels: list[str] = []
    for index in range(len(features)):
        best, best_score = None, -1.0
        for earlier in range(index):
            a, b = features[index], features[earlier]
            denominator = np.linalg.norm(a) * np.linalg.norm(b)
            score = float(a @ b / denominator) if denominator > 0 else 0.0
            if score > best_score:
                best, best_score = earlier, score
        if best is not None and best_score >= threshold and labels[best] != "X":
            labels.append(labels[best])
        else:
            used = sorted({x for x in labels if x in letters})
            labels.append(letters[len(used)] if len(used) < len(letters) else "X")
    return labels


def _grid_phrases(notes: np.ndarray, chroma: np.ndarray, bar_quarters: float, bars: int,
                  per_bar: int, phrase_bars: int, phrase_ends: list[int] | None,
                  config: AnalysisConfig) -> tuple[list[str], list[int]]:
    """Phrases of a few bars from the first sounding bar on (silent lead-in bars: an intro),
    or ending where the source marks them, labelled by pitch-class similarity."""
    origin = int(notes[:, 0].min() // bar_quarters)
    lengths = [origin] if origin else []
    cursor = origin
    if phrase_ends:
        for end in sorted({e for e in phrase_ends if cursor < e <= bars} | {bars}):
            lengths.append(end - cursor)
            cursor = end
    while cursor < bars:
        lengths.append(min(phrase_bars, bars - cursor))
        cursor += lengths[-1]
    features, first_bar = [], 0
    for length in lengths:
        block = chroma[first_bar * per_bar:(first_bar + length) * per_bar]
        padded = np.zeros((phrase_bars * per_bar, 12))
        padded[:len(block)] = block[:len(padded)]
        features.append(padded.reshape(-1))
        first_bar += length
    labels = _phrase_labels(np.array(features), config.same_label_threshold)
    if origin:
        labels[0] = "i"
    return labels, lengths


def derive_plan(score: Score, title: str = "untitled", config: AnalysisConfig | None = None,
                tracks: tuple[TrackSpec, ...] | None = None,
                phrase_ends: list[int] | None = None,
                melody_form: bool = False) -> SongPlan:
    """Derive a ``SongPlan`` from the notes of ``score`` (ticks; its first meter and tempo).

    Args:
        phrase_ends: bar indices where phrases end (exclusive), when the source marks them
            (a chorale's fermatas); otherwise phrases follow the fixed grid.
        melody_form: the score is a melody: its phrases and their labels come from its own
            repeats (``data/melody_form.py``) instead of the grid and the labels by
            pitch-class similarity.
    """
    config = config or AnalysisConfig()
    tpq = score.ticks_per_quarter
    signature = score.time_signatures[0] if len(score.time_signatures) else None
    meter = Meter(signature.numerator, signature.denominator) if signature else Meter(4, 4)
    quarters = float(score.tempos[0].qpm) if len(score.tempos) else 120.0
    tempo = min(max(quarters / float(meter.tempo_beat), 10.0), 400.0)  # in the meter's beat
    bar_quarters = float(meter.quarters_per_bar)
    phrase_bars = max(1, int(round(config.phrase_quarters / bar_quarters)))
    pitched = [(ticks_to_quarters(n.time, tpq), ticks_to_quarters(n.time + n.duration, tpq),
                n.pitch, n.velocity)
               for t in score.tracks if not t.is_drum for n in t.notes]
    if not pitched:
        raise ValueError("no pitched notes")
    notes = np.array(pitched, dtype=float)
    # a note held a few ticks past a bar line (a sketch cut a hair late) does not make a bar
    bars = max(1, int(notes[:, 0].max() // bar_quarters) + 1,
               int(np.ceil((notes[:, 1].max() - TAIL_TOLERANCE) / bar_quarters - 1e-6)))
    if bars > MAX_BARS:
        raise ValueError(f"the notes run {bars:,} bars of {meter}; songform plans songs of "
                         f"at most {MAX_BARS:,} bars")
    beat_offsets = [float(b) for b in meter.beat_offsets]
    beats = np.array([bar * bar_quarters + o for bar in range(bars) for o in beat_offsets]
                     + [bars * bar_quarters])
    chroma = beat_chroma(notes[:, :3], beats, config.bass_weight)
    chords = chords_per_beat(chroma, config.change_penalty)
    per_bar = len(beat_offsets)
    if melody_form:
        form = form_of_melody([(start, end, int(pitch)) for start, end, pitch, _ in pitched],
                              bar_quarters, bars)
        labels, lengths = list(form.labels), list(form.lengths)
    else:
        labels, lengths = _grid_phrases(notes, chroma, bar_quarters, bars, per_bar,
                                        phrase_bars, phrase_ends, config)
    labelled = [LabelledPhrase(label, length) for label, length in zip(labels, lengths,
                                                                       strict=True)]
    sections = place_sections(labelled)
    histogram = chroma.sum(axis=0)
    song_key, _ = estimate_key(histogram, config.minor_bias)
    names = tuple(t.name for t in score.tracks)
    tracks = tracks or tuple(TrackSpec(name or f"Track {i + 1}", int(t.program) if not t.is_drum
                                       else 0, "drums" if t.is_drum else "harmony")
                             for i, (t, name) in enumerate(zip(score.tracks, names,
                                                               strict=True)))
    section_plans = []
    for section in sections:
        section_beats = slice(section.first_bar * per_bar, section.end_bar * per_bar)
        section_key, section_score = estimate_key(chroma[section_beats].sum(axis=0),
                                                  config.minor_bias)
        global_score = float(np.corrcoef(chroma[section_beats].sum(axis=0) + 1e-9,
                                         np.roll(MAJOR_PROFILE if song_key.mode == "major"
                                                 else MINOR_PROFILE, song_key.tonic))[0, 1])
        key = section_key if section_score - global_score > MODULATION_MARGIN else song_key
        phrase_plans = []
        for phrase in section.phrases:
            bar_chords = tuple(
                chord_events([c.symbol(prefer_flats=key.prefers_flats)
                              for c in chords[b * per_bar:(b + 1) * per_bar]], beat_offsets)
                for b in range(phrase.first_bar, phrase.first_bar + phrase.bars))
            source = phrase.repeat_of
            phrase_plans.append(PhrasePlan(phrase.label, phrase.bars, bar_chords,
                                           source, 0.5 if source is not None else 1.0))
        start, end = section.first_bar * bar_quarters, section.end_bar * bar_quarters
        inside = [(o, int(p), int(v)) for o, _, p, v in pitched if start <= o < end]
        active = tuple(sorted({t.name for t, spec in zip(score.tracks, tracks, strict=True)
                               for n in t.notes if start <= ticks_to_quarters(n.time, tpq) < end}))
        active = tuple(spec.name for t, spec in zip(score.tracks, tracks, strict=True)
                       if t.name in active) or (tracks[0].name,)
        section_plans.append(SectionPlan(section.kind, key, meter, tempo,
                                         energy_level(inside, end - start), active,
                                         tuple(phrase_plans)))
    return SongPlan(title=title, style="analysed", seed=0, tracks=tracks,
                    sections=tuple(section_plans))
