"""Bass lines by idiom, for the styles whose bass is not the arranger's root-on-the-grid:

- jazz: a **walking** bass, a note on every beat: the chord's root where a chord begins, a
  chord tone on the other strong beat (3), a passing tone on 2, and on the beat before each
  change a chromatic or scale approach into the next root; a **two-feel** (root and fifth on
  1 and 3) where the head comes in before the first solo, walking from the solos on;
- blues: a **boogie** on the chord (root, third, fifth, sixth, flat seventh and back, in
  eighths the shuffle swings), quarter notes at low energy, and a **turnaround** walking
  into the next chorus in bars 11 and 12 of each 12-bar section;
- rock: **driving eighths** on the root from energy 4;
- house: the root on every **off-beat** eighth from energy 4, out of the kick's way.

Each returns ``(onset in quarters from the song's start, length, pitch, velocity)`` notes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from songform.hierarchy.chord import Chord
from songform.hierarchy.plan import BarPlan, SongPlan

WALK_RANGE = (28, 55)  # E1..G3: an upright bass
WALK_CENTRE = 40  # E2: where a walking line keeps coming back to
IDIOM_BASS = {"jazz": "walking", "blues": "boogie", "rock": "driving", "house": "offbeat"}
BOOGIE = (0, 4, 7, 9, 10, 9, 7, 4)  # semitones over the root, eighth by eighth


def idiom(style: str) -> str | None:
    """The bass idiom of ``style`` (``None``: the arranger's figures)."""
    return IDIOM_BASS.get(style)


def walks(plan: SongPlan, bar: BarPlan) -> bool:
    """Whether a jazz bar walks: from the first solo on, or anywhere at energy 5 and up; the
    head before the first solo (and an intro) plays a two-feel."""
    solos = [i for i, s in enumerate(plan.sections) if s.kind == "solo"]
    first_solo = solos[0] if solos else len(plan.sections)
    return bar.section_index >= first_solo or bar.energy >= 5


def _near(pitch_class: int, target: int, low: int = WALK_RANGE[0],
          high: int = WALK_RANGE[1]) -> int:
    options = [p for p in range(low, high + 1) if p % 12 == pitch_class % 12]
    return min(options, key=lambda p: (abs(p - target), p))


def _chords_by_beat(bar: BarPlan) -> list[tuple[Chord | None, bool]]:
    """The chord on each beat of a 4/4 bar and whether it begins there."""
    out = []
    for beat in range(4):
        chord = bar.chord_at(float(beat))
        starts = beat == 0 or any(abs(e.offset - beat) < 1e-9 for e in bar.chords)
        out.append((chord, starts))
    return out


def jazz_bass(bars: Sequence[BarPlan], plan: SongPlan, velocity, rng: random.Random
              ) -> list[tuple[float, float, int, int]]:
    """Walking or two-feel, bar by bar (4/4 bars; others get a root per chord)."""
    out: list[tuple[float, float, int, int]] = []
    previous = 40
    for i, bar in enumerate(bars):
        following = bars[i + 1] if i + 1 < len(bars) else None
        if (bar.meter.numerator, bar.meter.denominator) != (4, 4):
            for event in bar.chords:
                chord = event.chord
                if chord.root is not None:
                    previous = _near(chord.bass_pitch_class, previous)
                    out.append((bar.start + event.offset, 0.9, previous, velocity(bar)))
            continue
        beats = _chords_by_beat(bar)
        if not walks(plan, bar):  # two-feel: root on 1 (and at a change), fifth on 3
            for beat in (0, 2):
                chord, begins = beats[beat]
                if chord is None or chord.root is None:
                    continue
                pc = chord.bass_pitch_class if beat == 0 or begins else (chord.root + 7) % 12
                previous = _near(pc, previous)
                out.append((bar.start + beat, 1.9, previous, velocity(bar) + (4 if beat == 0
                                                                              else 0)))
            continue
        for beat, (chord, begins) in enumerate(beats):
            if chord is None or chord.root is None:
                continue
            if beat < 3:
                ahead, ahead_begins = beats[beat + 1]
            else:
                ahead = following.chord_at(0.0) if following is not None else None
                ahead_begins = True
            if begins:  # the root, pulled a third of the way back toward the middle
                pitch = _near(chord.bass_pitch_class, (2 * previous + WALK_CENTRE) / 3)
            elif ahead_begins and ahead is not None and ahead.root is not None:
                target = _near(ahead.bass_pitch_class, previous)
                pitch = target - 1 if rng.random() < 0.5 else target + 1  # chromatic approach
                if not WALK_RANGE[0] <= pitch <= WALK_RANGE[1]:
                    pitch = target + 1 if pitch < target else target - 1
            elif beat == 2:  # the other strong beat: a chord tone
                tones = [(chord.root + i) % 12 for i in chord.intervals if i % 12 != 0]
                pitch = min((_near(pc, previous) for pc in tones or [chord.root]),
                            key=lambda p: (abs(abs(p - previous) - 3), p))
            else:  # a passing tone: a step from the last note toward the next chord tone
                tones = [_near((chord.root + i) % 12, previous) for i in chord.intervals]
                goal = min(tones, key=lambda p: (abs(p - previous) or 99, p))
                pitch = previous + (2 if goal > previous else -2) if goal != previous \
                    else previous + 2
            pitch = max(WALK_RANGE[0], min(WALK_RANGE[1], pitch))
            accent = 6 if beat in (0, 2) else 0
            out.append((bar.start + beat, 0.92, pitch, velocity(bar) + accent))
            previous = pitch
    return out


def boogie_bass(bars: Sequence[BarPlan], velocity) -> list[tuple[float, float, int, int]]:
    """The boogie on each chord, with a turnaround in bars 11-12 of 12-bar sections."""
    out: list[tuple[float, float, int, int]] = []
    previous = 40
    for i, bar in enumerate(bars):
        chord = bar.chord_at(0.0)
        if chord is None or chord.root is None:
            continue
        root = _near(chord.root, previous, 33, 52)
        previous = root
        twelve_bar = _section_bars(bars, bar) == 12
        following = bars[i + 1] if i + 1 < len(bars) else None
        if twelve_bar and bar.bar_in_section == 10:  # the turnaround climbs from the root
            out += [(bar.start + b, 0.9, root + step, velocity(bar) + (6 if b == 0 else 0))
                    for b, step in enumerate((0, 4, 7, 9))]
            continue
        if twelve_bar and bar.bar_in_section == 11 and following is not None:
            target_chord = following.chord_at(0.0)
            if target_chord is not None and target_chord.root is not None:  # walk into it
                target = _near(target_chord.root, root, 33, 52)
                line = [root, root + 4, root + 7, target + 1 if target < root + 7 else
                        target - 1]
                out += [(bar.start + b, 0.9, p, velocity(bar) + (6 if b == 0 else 0))
                        for b, p in enumerate(line)]
                continue
        if bar.energy >= 4 and bar.meter.numerator == 4:
            steps = [(n * 0.5, BOOGIE[n]) for n in range(8)]
            length = 0.45
        else:
            steps = [(float(b), (0, 7, 9, 7)[b % 4]) for b in range(bar.meter.numerator)]
            length = 0.9
        out += [(bar.start + onset, length, root + step, velocity(bar) + (6 if onset == 0
                                                                            else 0))
                for onset, step in steps]
    return out


BASS_VARIANTS = ("plain", "octave", "gallop")
"""How a driving or off-beat bass varies by seed per kind of section: on the root alone,
every other note an octave up, or a gallop (an extra sixteenth after the off-beat)."""


def driving_bass(bars: Sequence[BarPlan], velocity, variant=lambda kind: "plain"
                 ) -> list[tuple[float, float, int, int]]:
    """Eighth notes on the root of each chord (energy 4 and up; quarters below), in the
    seed's variant for the section kind."""
    out: list[tuple[float, float, int, int]] = []
    previous = 40
    for bar in bars:
        step = 0.5 if bar.energy >= 4 else 1.0
        kind = variant(bar.section_kind)
        events = list(bar.chords)
        for n, event in enumerate(events):
            chord = event.chord
            if chord.root is None:
                continue
            end = events[n + 1].offset if n + 1 < len(events) else bar.length
            previous = _near(chord.bass_pitch_class, previous, 33, 52)
            onset = event.offset
            while onset < end - 1e-9:
                on_beat = abs(onset % 1.0) < 1e-9
                pitch = previous + 12 if kind == "octave" and not on_beat else previous
                out.append((bar.start + onset, step * 0.8, pitch,
                            velocity(bar) + (8 if on_beat else 0)))
                if kind == "gallop" and not on_beat and onset + 0.25 < end - 1e-9:
                    out.append((bar.start + onset + 0.25, 0.2, previous, velocity(bar)))
                onset += step
    return out


def offbeat_bass(bars: Sequence[BarPlan], velocity, variant=lambda kind: "plain"
                 ) -> list[tuple[float, float, int, int]]:
    """The chord's root on each off-beat eighth (energy 4 and up; the root on 1 below), in
    the seed's variant for the section kind."""
    out: list[tuple[float, float, int, int]] = []
    previous = 40
    for bar in bars:
        kind = variant(bar.section_kind)
        for beat in range(int(bar.length)):
            chord = bar.chord_at(beat + 0.5)
            if chord is None or chord.root is None:
                continue
            previous = _near(chord.bass_pitch_class, previous, 33, 52)
            if bar.energy >= 4:
                pitch = previous + 12 if kind == "octave" and beat % 2 else previous
                out.append((bar.start + beat + 0.5, 0.2 if kind == "gallop" else 0.4, pitch,
                            velocity(bar)))
                if kind == "gallop":
                    out.append((bar.start + beat + 0.75, 0.2, previous, velocity(bar) - 8))
            elif beat == 0:
                out.append((bar.start, bar.length * 0.95, previous, velocity(bar)))
    return out


def _section_bars(bars: Sequence[BarPlan], bar: BarPlan) -> int:
    return sum(1 for b in bars if b.section_index == bar.section_index)
