"""POP909's text annotations: phrase labels, key, and chords on the labels' bar grid.

``finalized_chord.txt`` lists ``name [tones] root beats`` spans that start on the first
labelled bar, so expanding the spans beat by beat puts chords on the labels' bars directly.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from songform.hierarchy.chord import Chord
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.key import Key

_FINALIZED_RE = re.compile(r"^(.*?)\s*\[(.*?)\]\s+(-?\d+)\s+(\d+)\s*$")


@dataclass(frozen=True)
class Pop909Annotations:
    """One song's annotations.

    Attributes:
        song_id: zero-padded id (``"001"``).
        labels: human phrase labels (annotator 1), e.g. ``i4A4B8...``.
        labels_2: annotator 2's labels.
        key: the first key of ``analyzed_key.txt`` (an algorithmic annotation).
        beats_per_bar: 3 for the songs in 3/4, else 4.
        beat_chords: the chord on every beat from the first labelled bar on.
    """

    song_id: str
    labels: str
    labels_2: str
    key: Key
    beats_per_bar: int
    beat_chords: tuple[Chord, ...]

    def bar_chords(self) -> list[tuple[Chord, Chord]]:
        """(downbeat chord, mid-bar chord) for every complete bar."""
        bpb = self.beats_per_bar
        bars = len(self.beat_chords) // bpb
        return [
            (self.beat_chords[b * bpb], self.beat_chords[b * bpb + bpb // 2])
            for b in range(bars)
        ]


def song_dirs(root: Path) -> list[Path]:
    """Song folders (``001``...) under a POP909 root, in id order."""
    return sorted(p for p in Path(root).iterdir() if p.is_dir() and p.name.isdigit())


def beats_per_bar_table(root: Path) -> dict[str, int]:
    """Song id -> beats per bar, from ``index.csv`` (3 marks the songs in 3/4, else 4)."""
    table: dict[str, int] = {}
    index = Path(root) / "index.csv"
    if not index.exists():
        return table
    with index.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table[row["song_id"].zfill(3)] = 3 if row["num_beats_per_measure"] == "3" else 4
    return table


def read_finalized_chords(path: Path) -> list[tuple[Chord, int]]:
    """``(chord, beats)`` spans of ``finalized_chord.txt``; an unparsable name becomes ``N``."""
    spans = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = _FINALIZED_RE.match(line.strip())
        if not match:
            continue
        name = match.group(1).replace(" ", "")
        try:
            chord = Chord.parse(name)
        except TemplateError:
            chord = Chord(None)
        spans.append((chord, int(match.group(4))))
    return spans


def read_annotations(song_dir: Path, beats_per_bar: int = 4) -> Pop909Annotations:
    """Read one song folder's labels, key and chords."""
    song_dir = Path(song_dir)
    beat_chords: list[Chord] = []
    for chord, beats in read_finalized_chords(song_dir / "finalized_chord.txt"):
        beat_chords.extend([chord] * beats)
    return Pop909Annotations(
        song_id=song_dir.name,
        labels=(song_dir / "human_label1.txt").read_text(encoding="utf-8").strip(),
        labels_2=(song_dir / "human_label2.txt").read_text(encoding="utf-8").strip(),
        key=Key.parse((song_dir / "analyzed_key.txt").read_text(encoding="utf-8").split()[0]),
        beats_per_bar=beats_per_bar,
        beat_chords=tuple(beat_chords),
    )
