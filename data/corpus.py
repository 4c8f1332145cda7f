"""Open a corpus by its layout: a folder in POP909's layout is read as POP909 (labels and
all), the JSB chorales file as JSB, a folder of ABC files as fiddle tunes, anything else as a
folder of plain MIDI files (an option forces plain MIDI). Every reader yields ``(name,
PlannedScore)`` and reports what it skipped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError
from .folk import read_tune, tune_files
from .jsb_songs import jsb_songs
from .midi_files import midi_files, read_midi_song
from .pop909 import pop909_beats_per_bar, read_pop909_song


@dataclass
class CorpusReport:
    """What was read and what was skipped, with reasons."""

    layout: str
    read: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def detect_layout(path: Path, force_plain: bool = False) -> str:
    path = Path(path)
    if path.is_file() and path.suffix == ".json":
        return "jsb"
    if force_plain:
        return "midi"
    if path.is_dir() and any((d / "human_label1.txt").exists() for d in path.iterdir()
                             if d.is_dir()):
        return "pop909"
    if path.is_dir() and tune_files(path):
        return "abc"
    return "midi"


def read_corpus(path: str | Path, force_plain: bool = False, report: CorpusReport | None = None,
                limit: int | None = None) -> Iterator[tuple[str, object]]:
    """Yield ``(name, PlannedScore)`` for every readable song; failures go into ``report``."""
    path = Path(path)
    layout = detect_layout(path, force_plain)
    report = report if report is not None else CorpusReport(layout)
    report.layout = layout
    count = 0
    if layout == "pop909":
        bpb = pop909_beats_per_bar(path)
        items = [d for d in sorted(path.iterdir()) if d.is_dir() and d.name.isdigit()]
        reader = lambda d: read_pop909_song(d, bpb.get(d.name, 4)).song  # noqa: E731
    elif layout == "jsb":
        for name, song in jsb_songs(path):
            if limit is not None and count >= limit:
                return
            report.read += 1
            count += 1
            yield name, song
        return
    elif layout == "abc":
        items, reader = tune_files(path), read_tune
    else:
        items = midi_files(path)
        reader = read_midi_song
    for item in items:
        if limit is not None and count >= limit:
            return
        try:
            song = reader(item)
        except CorpusError as error:
            report.skipped.append((item.name, str(error).split(": ", 1)[-1]))
            continue
        report.read += 1
        count += 1
        yield item.name, song
