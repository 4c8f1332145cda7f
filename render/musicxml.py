"""MusicXML via music21: a part per pitched track and a percussion part for drums; key and time
signatures, tempo marks and a rehearsal mark at each section; chord symbols above the lead part;
a fermata on each held cadence (the chorale's). Notes are quantised to a sixteenth grid and
split into tied note values from whole to sixteenth (dotted allowed) that respect the meter's
beat groups (music21's beat and beam sequences: dotted quarters in 6/8, 2+2+3 in 7/8, the middle
of a 4/4 bar), and music21 beams them by the same groups, so notation reads as a musician writes
it."""

from __future__ import annotations

import re
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

from music21 import (
    chord,
    clef,
    duration,
    expressions,
    harmony,
    instrument,
    key,
    metadata,
    meter,
    note,
    percussion,
    pitch,
    stream,
    tempo,
    tie,
)

from songform.core.fileio import atomic_path
from songform.hierarchy.chord import INTERVAL_DEGREE, Chord
from songform.hierarchy.pitch import pitch_class_name
from songform.hierarchy.plan import STRAIGHT, BarPlan
from songform.hierarchy.styles import four_part
from songform.symbolic.cadence import phrase_ends
from songform.symbolic.song import PlannedScore
from songform.symbolic.ticks import ticks_to_quarters

GRID = Fraction(1, 4)  # a sixteenth note, in quarter notes
NOTE_VALUES = tuple(Fraction(v) for v in ("4", "3", "2", "3/2", "1", "3/4", "1/2", "1/4"))
_KINDS = {
    "maj": "major", "min": "minor", "dim": "diminished", "aug": "augmented",
    "7": "dominant-seventh", "maj7": "major-seventh", "min7": "minor-seventh",
    "minmaj7": "minor-major-seventh", "dim7": "diminished-seventh",
    "hdim7": "half-diminished-seventh", "aug7": "augmented-seventh", "maj6": "major-sixth",
    "min6": "minor-sixth", "9": "dominant-ninth", "maj9": "major-ninth", "min9": "minor-ninth",
    "sus2": "suspended-second", "sus4": "suspended-fourth", "7sus4": "suspended-fourth-seventh",
    "9sus4": "suspended-fourth-seventh", "11": "dominant-11th", "min11": "minor-11th",
    "13": "dominant-13th", "maj13": "major-13th", "min13": "minor-13th", "5": "power",
    "add9": "major", "madd9": "minor", "69": "major-sixth",
}
_QUALITY_DEGREES = {"add9": ("9",), "madd9": ("9",), "69": ("9",)}  # kinds that drop a tone
# GM drum notes -> (display step, octave) on a five-line percussion staff.
_DRUM_DISPLAY = {35: ("F", 4), 36: ("F", 4), 37: ("C", 5), 38: ("C", 5), 39: ("C", 5),
                 40: ("C", 5), 41: ("A", 4), 42: ("G", 5), 43: ("A", 4), 44: ("D", 4),
                 45: ("B", 4), 46: ("G", 5), 47: ("D", 5), 48: ("E", 5), 49: ("A", 5),
                 50: ("E", 5), 51: ("F", 5), 53: ("F", 5), 57: ("A", 5)}


def split_value(length: Fraction) -> list[Fraction]:
    """Split a length (quarter notes, a multiple of the grid) into allowed note values."""
    pieces = []
    while length > 0:
        value = next(v for v in NOTE_VALUES if v <= length)
        pieces.append(value)
        length -= value
    return pieces


def _quantise(value: float) -> Fraction:
    return Fraction(round(Fraction(value) / GRID)) * GRID


def _bar_events(notes, bars: list[BarPlan], tpq: int) -> dict[int, list[tuple]]:
    """Per bar: (onset in bar, length, pitches, continues-from-previous-bar) after quantising,
    with notes crossing a bar line split and tied."""
    starts = [_quantise(b.start) for b in bars]
    ends = [_quantise(b.start + b.length) for b in bars]
    per_bar: dict[int, dict[tuple[Fraction, bool], list]] = defaultdict(lambda: defaultdict(list))
    bar_index = 0
    for n in sorted(notes, key=lambda n: n.time):
        onset = _quantise(ticks_to_quarters(n.time, tpq))
        stop = max(onset + GRID, _quantise(ticks_to_quarters(n.time + n.duration, tpq)))
        while bar_index + 1 < len(bars) and starts[bar_index + 1] <= onset:
            bar_index += 1
        index, tied = bar_index, False
        while index < len(bars) and onset < stop:
            piece_end = min(stop, ends[index])
            if piece_end > onset:
                per_bar[index][(onset - starts[index], tied)].append(
                    (piece_end - onset, n.pitch))
            onset, tied, index = piece_end, True, index + 1
    out: dict[int, list[tuple]] = {}
    for index, groups in per_bar.items():
        events = []
        for (offset, tied), members in sorted(groups.items()):
            events.append((offset, max(length for length, _ in members),
                           sorted({p for _, p in members}), tied))
        out[index] = events
    return out


class BeatGrid:
    """Where a bar's beats and beat groups fall, from music21's reading of the meter."""

    def __init__(self, signature: str) -> None:
        ts = meter.TimeSignature(signature)
        self.length = Fraction(ts.barDuration.quarterLength).limit_denominator(64)
        self.beats = _boundaries(ts.beatSequence)
        groups = _boundaries(ts.beamSequence)
        count = len(self.beats) + 1
        if count >= 4 and count % 2 == 0 and groups == self.beats:
            groups = [self.beats[count // 2 - 1]]  # simple quadruple: show the middle
        self.groups = groups

    def pieces(self, offset: Fraction, length: Fraction, rest: bool) -> list[Fraction]:
        """``length`` from ``offset`` cut into written values: never across a beat group
        unless the note starts the bar; a rest that starts off the beat stops at the next one."""
        end = offset + length
        if rest and offset == 0 and end == self.length:
            return [length]  # a whole-bar rest, written as a measure rest
        cuts = [b for b in self.groups if offset < b < end]
        if offset == 0 and not rest:
            cuts = []
        if rest and offset != 0 and offset not in self.beats:
            next_beat = next((b for b in self.beats if offset < b < end), None)
            cuts = sorted(set(cuts) | ({next_beat} if next_beat is not None else set()))
        values, start = [], offset
        for stop in [*cuts, end]:
            values.extend(split_value(stop - start))
            start = stop
        return values


def _boundaries(sequence) -> list[Fraction]:
    """Offsets inside the bar where a music21 meter sequence starts a new part."""
    offsets, position = [], Fraction(0)
    for part in list(sequence)[:-1]:
        position += Fraction(part.duration.quarterLength).limit_denominator(64)
        offsets.append(position)
    return offsets


def _fill_measure(measure: stream.Measure, events: list[tuple], grid: BeatGrid,
                  drum: bool, flats: bool) -> None:
    """Notes, chords and rests from the bar's events, cut so they never overlap."""
    bar_length = grid.length
    position = Fraction(0)
    for i, (offset, length, pitches, tied) in enumerate(events):
        if offset < position:
            continue  # an onset swallowed by the previous event's quantised length
        if offset > position:
            _add_pieces(measure, None, grid.pieces(position, offset - position, True), False,
                        drum, flats)
        following = events[i + 1][0] if i + 1 < len(events) else bar_length
        length = min(length, following - offset, bar_length - offset)
        if following - (offset + length) <= GRID:  # no sixteenth rests after legato notes
            length = following - offset
        _add_pieces(measure, pitches, grid.pieces(offset, length, False), tied, drum, flats)
        position = offset + length
    if position < bar_length:
        _add_pieces(measure, None, grid.pieces(position, bar_length - position, True), False,
                    drum, flats, bar_length if position == 0 else None)


def _add_pieces(measure, pitches, pieces: list[Fraction], tied_in, drum, flats,
                measure_length: Fraction | None = None) -> None:
    for i, value in enumerate(pieces):
        if pitches is None:
            element = note.Rest(quarterLength=float(value))
            if len(pieces) == 1 and value == measure_length:
                element.fullMeasure = True
        else:
            element = _sounding(pitches, drum, flats)
            element.duration = duration.Duration(float(value))
            first, last = i == 0, i == len(pieces) - 1
            if not drum:
                if (tied_in or not first) and not last:
                    element.tie = tie.Tie("continue")
                elif tied_in or not first:
                    element.tie = tie.Tie("stop")
                elif not last:
                    element.tie = tie.Tie("start")
        measure.append(element)


def _add_fermata(measure: stream.Measure) -> None:
    """A fermata over the measure's last note or chord (the held cadence), held from before
    the bar line or not."""
    struck = list(measure.notes)
    if struck:
        fermata = expressions.Fermata()
        fermata.type = "upright"  # over the note, as hymnals print it
        struck[-1].expressions.append(fermata)


def _spelled(midi: int, flats: bool) -> pitch.Pitch:
    name = pitch_class_name(midi % 12, flats).replace("b", "-")
    return pitch.Pitch(f"{name}{midi // 12 - 1}")


def _sounding(pitches: list[int], drum: bool, flats: bool):
    if drum:
        if len(pitches) == 1:
            hit = note.Unpitched()
            step, octave = _DRUM_DISPLAY.get(pitches[0], ("C", 5))
            hit.displayStep, hit.displayOctave = step, octave
            return hit
        members = []
        for pitch in pitches:
            hit = note.Unpitched()
            hit.displayStep, hit.displayOctave = _DRUM_DISPLAY.get(pitch, ("C", 5))
            members.append(hit)
        return percussion.PercussionChord(members)
    if len(pitches) == 1:
        return note.Note(_spelled(pitches[0], flats))
    return chord.Chord([_spelled(p, flats) for p in pitches])


def _chord_symbol(symbol: str) -> harmony.ChordSymbol | harmony.NoChord:
    parsed = Chord.parse(symbol)
    if parsed.root is None:
        return harmony.NoChord()
    flats = "b" in symbol[:2]
    root = pitch_class_name(parsed.root, flats).replace("b", "-")
    bass = None
    if parsed.bass is not None:
        bass = pitch_class_name(parsed.bass_pitch_class, flats or parsed.bass in (1, 3, 8, 10))
        bass = bass.replace("b", "-")
    kind = _KINDS.get(parsed.quality, "major")
    symbol_out = harmony.ChordSymbol(root=root, bass=bass, kind=kind)
    for degree in _QUALITY_DEGREES.get(parsed.quality, ()) + tuple(
            INTERVAL_DEGREE[i] for i in parsed.extensions):  # what the kind alone does not say
        number = int(degree.lstrip("#b"))
        alter = degree.count("#") - degree.count("b")
        symbol_out.addChordStepModification(
            harmony.ChordStepModification("add", number, alter), updatePitches=True)
    return symbol_out


def build_score(song: PlannedScore) -> stream.Score:
    """The song as a music21 score with measures, ready to write as MusicXML."""
    plan, score_in, tpq = song.plan, song.score, song.tpq
    bars = list(plan.bars())
    names = plan.section_names()
    output = stream.Score()
    output.metadata = metadata.Metadata(title=plan.title, composer="songform")
    tracks = list(score_in.tracks)
    grids: dict[str, BeatGrid] = {}
    lead = next((i for i, t in enumerate(plan.tracks) if t.role == "melody"), 0)
    fermatas = set(phrase_ends(plan)) if four_part(plan.style) else set()
    # a chorale's tenor in the octave treble clef hymnals give it, its bass in the bass clef
    tenors, basses = ({i for i, t in enumerate(plan.tracks) if t.role == role} if fermatas
                      else set() for role in ("harmony", "bass"))
    for index, track in enumerate(tracks):
        part = stream.Part()
        part.id = f"P{index + 1}"
        part.partName = track.name
        if track.is_drum:
            part.insert(0, instrument.UnpitchedPercussion())
        else:
            try:
                part.insert(0, instrument.instrumentFromMidiProgram(int(track.program)))
            except Exception:  # music21 lacks a few programs; the name is what matters
                part.insert(0, instrument.Instrument())
        voice = part.getInstrument()
        voice.partName = track.name
        voice.partAbbreviation = track.name
        voice.partId = part.id  # fixed ids: music21 draws random ones, so files would differ
        voice.instrumentId = f"{part.id}-I1"
        pitches = sorted(n.pitch for n in track.notes) or [60]
        events = _bar_events(track.notes, bars, tpq)
        previous: BarPlan | None = None
        for bar in bars:
            measure = stream.Measure(number=bar.index + 1)
            if previous is None:
                measure.insert(0, clef.PercussionClef() if track.is_drum else
                               clef.Treble8vbClef() if index in tenors
                               else clef.BassClef() if index in basses
                               or pitches[len(pitches) // 2] < 55
                               else clef.TrebleClef())
            if not track.is_drum and (previous is None or bar.key != previous.key):
                measure.insert(0, key.Key(bar.key.tonic_name.replace("b", "-"), bar.key.mode))
            if previous is None or bar.meter != previous.meter:
                measure.insert(0, meter.TimeSignature(
                    f"{bar.meter.numerator}/{bar.meter.denominator}"))
            new_section = previous is None or bar.section_index != previous.section_index
            if index == 0 and new_section:
                measure.insert(0, expressions.RehearsalMark(names[bar.section_index]))
            feel = _feel(bar, previous)
            if index == 0 and feel is not None:  # as lead sheets write it, over the tempo
                words = expressions.TextExpression(feel)
                words.style.fontStyle = "italic"
                measure.insert(0, words)
            if index == 0 and (previous is None or bar.tempo != previous.tempo
                               or bar.meter.tempo_beat != previous.meter.tempo_beat):
                beat = duration.Duration(float(bar.meter.tempo_beat))  # the counted note
                measure.insert(0, tempo.MetronomeMark(number=round(bar.tempo), referent=beat))
            signature = f"{bar.meter.numerator}/{bar.meter.denominator}"
            if signature not in grids:
                grids[signature] = BeatGrid(signature)
            _fill_measure(measure, events.get(bar.index, []), grids[signature],
                          track.is_drum, bar.key.prefers_flats)
            if bar.index in fermatas:
                _add_fermata(measure)
            if index == lead:
                for event in bar.chords:
                    measure.insert(float(_quantise(event.offset)), _chord_symbol(event.symbol))
            part.append(measure)
            previous = bar
        if not track.is_drum:
            part.makeAccidentals(inPlace=True)  # accidentals against the key, not on every note
        part.makeBeams(inPlace=True)  # eighths and shorter beamed by the meter's groups
        output.append(part)
    return output


def _feel(bar: BarPlan, previous: BarPlan | None) -> str | None:
    """The direction where the feel changes: "Swing" from a swung bar on, "Straight" back
    (notes stay written on the straight grid, as lead sheets write them)."""
    swung = bar.swing != STRAIGHT
    if previous is None:
        return "Swing" if swung else None
    if swung != (previous.swing != STRAIGHT):
        return "Swing" if swung else "Straight"
    return None


def write_musicxml(song: PlannedScore, path: str | Path) -> Path:
    """Write ``song`` as MusicXML (uncompressed ``.musicxml``/``.xml``), atomically."""
    path = Path(path)
    built = build_score(song)
    with atomic_path(path, suffix=".musicxml") as temp:
        built.write("musicxml", fp=str(temp), makeNotation=False)
        text = temp.read_text(encoding="utf-8")  # the same song gives the same bytes any day
        temp.write_text(_ENCODING_DATE.sub("", text), encoding="utf-8")
    return path


_ENCODING_DATE = re.compile(r"[ \t]*<encoding-date>[^<]*</encoding-date>\n?")
