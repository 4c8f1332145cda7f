"""``PlannedScore``: a ``SongPlan`` plus its notes as a symusic ``Score`` (ticks, 480 per
quarter).

No file I/O here: ``songform.Song`` adds saving and rendering by calling ``render/``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from symusic import KeySignature, Score, Tempo, TextMeta, TimeSignature

from songform.hierarchy.plan import BarPlan, SongPlan

from .ticks import TICKS_PER_QUARTER, quarters_to_ticks

if TYPE_CHECKING:
    import music21
    import pretty_midi

@dataclass
class PlannedScore:
    """A planned song and its notes.

    Attributes:
        plan: the fully explicit plan the notes realise.
        score: the notes, tempo/meter/key maps and section markers (symusic, ticks).
        written: each bar's note tokens as the model wrote them (``None`` when no model
            wrote the notes): what regenerating a part feeds the model for the rest.
    """

    plan: SongPlan
    score: Score
    written: tuple[tuple[str, ...], ...] | None = field(default=None, compare=False,
                                                        repr=False)

    @property
    def tpq(self) -> int:
        return int(self.score.ticks_per_quarter)

    @property
    def end_tick(self) -> int:
        """The song's planned end, in ticks (the last bar's end, not the last note's)."""
        return quarters_to_ticks(self.plan.duration_quarters, self.tpq)

    def bar_ticks(self) -> list[int]:
        """Start tick of every bar."""
        return bar_lines(self.plan, self.tpq)[:-1]

    def midi_bytes(self) -> bytes:
        """The score as a plain MIDI file in memory (symusic's writer; see render/midi.py
        for the DAW-ready file)."""
        return bytes(self.score.dumps_midi())

    def to_pretty_midi(self) -> pretty_midi.PrettyMIDI:
        """The song as a ``pretty_midi.PrettyMIDI`` object."""
        import pretty_midi

        return pretty_midi.PrettyMIDI(io.BytesIO(self.midi_bytes()))

    def to_music21(self) -> music21.stream.Score:
        """The song as a ``music21`` score (parsed from the MIDI in memory)."""
        import music21

        return music21.converter.parse(self.midi_bytes(), format="midi")


def bar_lines(plan: SongPlan, tpq: int = TICKS_PER_QUARTER) -> list[int]:
    """Every bar line in ticks: each bar's start, then the song's end (``num_bars + 1``)."""
    return [quarters_to_ticks(bar.start, tpq) for bar in plan.bars()] + [
        quarters_to_ticks(plan.duration_quarters, tpq)]


def truncate_score(score: Score, end: int) -> Score:
    """A copy of ``score`` whose notes end by tick ``end``: notes starting at or after it are
    dropped, notes ringing past it are shortened (symusic's ``clip(clip_end=True)`` drops
    those instead)."""
    cut = score.clip(0, end, clip_end=False)
    for track in cut.tracks:
        kept = []
        for note in track.notes:
            if note.time < end:
                note.duration = max(1, min(note.duration, end - note.time))
                kept.append(note)
        track.notes.clear()
        track.notes.extend(kept)
    return cut


def conductor_score(plan: SongPlan, tpq: int = TICKS_PER_QUARTER) -> Score:
    """An empty score holding the plan's tempo, meter and key maps and a marker per section."""
    score = Score(tpq)
    previous: BarPlan | None = None
    names = plan.section_names()
    for bar in plan.bars():
        tick = quarters_to_ticks(bar.start, tpq)
        if previous is None or bar.quarter_tempo != previous.quarter_tempo:
            score.tempos.append(Tempo(tick, bar.quarter_tempo))
        if previous is None or bar.meter != previous.meter:
            score.time_signatures.append(
                TimeSignature(tick, bar.meter.numerator, bar.meter.denominator))
        if previous is None or bar.key != previous.key:
            score.key_signatures.append(
                KeySignature(tick, bar.key.fifths, 1 if bar.key.mode == "minor" else 0))
        if previous is None or bar.section_index != previous.section_index:
            score.markers.append(TextMeta(tick, names[bar.section_index]))
        previous = bar
    return score
