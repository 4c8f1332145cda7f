"""POP909 songs as ``PlannedScore`` (notes and ``SongPlan``): the human phrase labels through the
one label mapping, chords and key from the annotations, bar lines from ``beat_midi.txt``.

Alignment (after ``../shared/data/README.md``): ``melody.txt`` is written in the labels' bar
frame, so label bar 0 is the downbeat nearest to the first melody onset minus ``melody.txt``'s
leading rest; when that lands off the grid, the first non-``N`` chord's downbeat is used. Notes
are re-timed from seconds to beats by interpolating the beat times, so bar lines fall exactly
on the plan's bars (one beat = one quarter note).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from symusic import Note, Track

from songform.hierarchy.chord import Chord
from songform.hierarchy.energy import energy_level
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.key import Key
from songform.hierarchy.labels import parse_label_string, place_sections
from songform.hierarchy.meter import Meter
from songform.hierarchy.plan import (
    ChordEvent,
    PhrasePlan,
    SectionPlan,
    SongPlan,
    TrackSpec,
    chord_events,
)
from songform.symbolic.midi_input import read_midi_bytes, scan_midi
from songform.symbolic.song import PlannedScore, conductor_score
from songform.symbolic.ticks import quarters_to_ticks

from .errors import CorpusError
from .pop909_annotations import beats_per_bar_table

TRACKS = {"MELODY": TrackSpec("Melody", 0, "melody"),
          "BRIDGE": TrackSpec("Bridge", 0, "counter-melody"),
          "PIANO": TrackSpec("Piano", 0, "harmony")}


@dataclass(frozen=True)
class Pop909Song:
    """One song read from its folder."""

    song_id: str
    song: PlannedScore
    label_bar_zero: int  # beat index of label bar 0
    dropped_notes: int  # notes before label bar 0 or past the last bar


def _beats(song_dir: Path, beats_per_bar: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.loadtxt(song_dir / "beat_midi.txt", ndmin=2)
    downbeat_column = 1 if beats_per_bar == 3 else 2
    return rows[:, 0], np.flatnonzero(rows[:, downbeat_column] > 0)


def _time_to_beat(times: np.ndarray, beat_times: np.ndarray) -> np.ndarray:
    """Seconds -> fractional beat index, extrapolating with the edge beat lengths."""
    first = beat_times[1] - beat_times[0]
    last = beat_times[-1] - beat_times[-2]
    inside = np.interp(times, beat_times, np.arange(len(beat_times), dtype=float))
    before = (times - beat_times[0]) / first
    after = len(beat_times) - 1 + (times - beat_times[-1]) / last
    return np.where(times < beat_times[0], before, np.where(times > beat_times[-1], after,
                                                             inside))


def _leading_rest_beats(song_dir: Path) -> float:
    first = (song_dir / "melody.txt").read_text().split("\n", 1)[0].split()
    return int(first[1]) / 4 if first and int(first[0]) == 0 else 0.0


def read_pop909_song(song_dir: Path, beats_per_bar: int = 4) -> Pop909Song:
    """Read one POP909 folder.

    Raises:
        CorpusError: unusable labels, annotations or MIDI.
    """
    import pretty_midi

    song_dir = Path(song_dir)
    try:
        labels = (song_dir / "human_label1.txt").read_text().strip()
        phrases = parse_label_string(labels)
        key = Key.parse((song_dir / "analyzed_key.txt").read_text().split()[0])
        tempo = float((song_dir / "tempo.txt").read_text().split()[0])
        data = read_midi_bytes(song_dir / f"{song_dir.name}.mid")
        scan_midi(data, f"{song_dir.name}.mid")  # before pretty_midi builds anything
        midi = pretty_midi.PrettyMIDI(io.BytesIO(data))
        beat_times, downbeats = _beats(song_dir, beats_per_bar)
    except (OSError, ValueError, IndexError, EOFError, KeyError, TemplateError) as error:
        raise CorpusError(f"{song_dir.name}: {error}") from None
    parts = {i.name.upper(): i for i in midi.instruments}
    melody = parts.get("MELODY")
    if melody is None or not melody.notes:
        raise CorpusError(f"{song_dir.name}: no MELODY track")
    first_onset = _time_to_beat(np.array([min(n.start for n in melody.notes)]), beat_times)[0]
    target = first_onset - _leading_rest_beats(song_dir)
    bar_zero = int(downbeats[np.argmin(np.abs(downbeats - target))])
    if abs(bar_zero - target) > 1.0:  # off the grid: use the first chord's downbeat
        for line in (song_dir / "chord_midi.txt").read_text().splitlines():
            start, _, name = line.split()
            if name != "N":
                chord_beat = _time_to_beat(np.array([float(start)]), beat_times)[0]
                bar_zero = int(downbeats[np.argmin(np.abs(downbeats - chord_beat))])
                break

    total_bars = sum(p.bars for p in phrases)
    span = total_bars * beats_per_bar
    meter = Meter(beats_per_bar, 4)
    notes: dict[str, list[tuple[float, float, int, int]]] = {name: [] for name in TRACKS}
    dropped = 0
    for name, instrument in parts.items():
        if name not in TRACKS:
            continue
        starts = _time_to_beat(np.array([n.start for n in instrument.notes]), beat_times)
        ends = _time_to_beat(np.array([n.end for n in instrument.notes]), beat_times)
        for note, start, end in zip(instrument.notes, starts, ends, strict=True):
            onset = float(start) - bar_zero
            if onset < -1e-6 or onset >= span:
                dropped += 1
                continue
            notes[name].append((max(0.0, onset), max(1 / 16, float(end - start)), note.pitch,
                                note.velocity))
    bar_chords = _bar_chords(song_dir, beat_times, bar_zero, total_bars, beats_per_bar, key)
    plan = _plan(song_dir.name, labels, key, meter, tempo, bar_chords, notes, beats_per_bar)
    score = conductor_score(plan)
    for name, spec in TRACKS.items():
        track = Track(name=spec.name, program=spec.program, is_drum=False)
        for onset, duration, pitch, velocity in sorted(notes[name]):
            start = quarters_to_ticks(onset)
            track.notes.append(Note(start, max(1, quarters_to_ticks(onset + duration) - start),
                                    pitch, velocity))
        score.tracks.append(track)
    return Pop909Song(song_dir.name, PlannedScore(plan=plan, score=score), bar_zero, dropped)


def _bar_chords(song_dir: Path, beat_times: np.ndarray, bar_zero: int, bars: int,
                beats_per_bar: int, key: Key) -> list[list[ChordEvent]]:
    """Chord events per bar on beat positions, from ``chord_midi.txt``."""
    per_beat = ["N"] * (bars * beats_per_bar)
    for line in (song_dir / "chord_midi.txt").read_text().splitlines():
        start, end, name = line.split()
        first, last = _time_to_beat(np.array([float(start), float(end)]), beat_times)
        for beat in range(int(round(first)) - bar_zero, int(round(last)) - bar_zero):
            if 0 <= beat < len(per_beat):
                per_beat[beat] = name
    symbols = [_symbol(name, key) for name in per_beat]
    offsets = [float(offset) for offset in range(beats_per_bar)]
    return [list(chord_events(symbols[bar * beats_per_bar:(bar + 1) * beats_per_bar], offsets))
            for bar in range(bars)]


def _symbol(name: str, key: Key) -> str:
    """A POP909 chord name as our symbol, spelt for ``key`` ("N" where it does not parse)."""
    try:
        return Chord.parse(name).symbol(prefer_flats=key.prefers_flats)
    except TemplateError:
        return "N"


def _melody_variation(melody: list[tuple[float, float, int, int]], source: tuple[float, float],
                      target: tuple[float, float]) -> float:
    """1 - Jaccard similarity of the two phrases' (onset, pitch) sets, onsets on a 16th grid."""

    def notes_in(span):
        start, end = span
        return {(round((o - start) * 4), p) for o, _, p, _ in melody if start <= o < end}

    a, b = notes_in(source), notes_in(target)
    if not a and not b:
        return 0.0
    return round(1.0 - len(a & b) / len(a | b), 3)


def _plan(song_id: str, labels: str, key: Key, meter: Meter, tempo: float,
          bar_chords: list[list[ChordEvent]], notes: dict, beats_per_bar: int) -> SongPlan:
    sections = place_sections(parse_label_string(labels))
    phrases = [phrase for section in sections for phrase in section.phrases]
    spans = [(p.first_bar * beats_per_bar, (p.first_bar + p.bars) * beats_per_bar)
             for p in phrases]
    section_plans = []
    for section in sections:
        phrase_plans = []
        for phrase in section.phrases:
            source = phrase.repeat_of
            variation = (_melody_variation(notes["MELODY"], spans[source], spans[phrase.index])
                         if source is not None else 1.0)
            chords = tuple(tuple(bar_chords[b])
                           for b in range(phrase.first_bar, phrase.first_bar + phrase.bars))
            phrase_plans.append(PhrasePlan(phrase.label, phrase.bars, chords, source, variation))
        begin, end = section.first_bar * beats_per_bar, section.end_bar * beats_per_bar
        pitched = [(o, p, v) for name in notes for o, _, p, v in notes[name] if begin <= o < end]
        active = tuple(TRACKS[name].name for name in TRACKS
                       if any(begin <= o < end for o, *_ in notes[name]))
        section_plans.append(SectionPlan(
            kind=section.kind, key=key, meter=meter, tempo=tempo,
            energy=energy_level(pitched, float(end - begin)),
            tracks=active or (TRACKS["PIANO"].name,), phrases=tuple(phrase_plans)))
    return SongPlan(title=f"POP909 {song_id}", style="pop909", seed=0,
                    tracks=tuple(TRACKS.values()), sections=tuple(section_plans))


def pop909_beats_per_bar(root: Path) -> dict[str, int]:
    """PlannedScore id -> beats per bar from ``index.csv`` (3 for the 3/4 songs, else 4)."""
    return beats_per_bar_table(root)
