"""The baseline arranger: realises any plan without a model, deterministically per seed.

Bass on chord roots (or the slash bass) in patterns by energy; chords voiced with voice
leading; both in a figure the seed draws per kind of section (``comping``: octaves, approach
notes, pushes, broken chords, offbeat stabs); a drum groove per style and energy with crashes
at section starts and fills at section ends; a counter-melody of guide tones; a melody of
chord and passing tones whose phrases repeat where the plan repeats (``repeat_of``, varied
by ``variation``). It is the benchmark baseline and the fallback for tracks the model does
not cover.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from symusic import Note, Track

from songform.hierarchy.chord import Chord
from songform.hierarchy.plan import BarPlan, SongPlan, TrackSpec

from . import drums
from .bass_lines import (
    BASS_VARIANTS,
    boogie_bass,
    driving_bass,
    idiom,
    jazz_bass,
    offbeat_bass,
)
from .comping import RhythmFigure, approach_pitch, broken_order, offbeat_onsets
from .folk_band import FOLK_STYLES, folk_bass, folk_chords
from .legato import chorale_phrasing
from .melody import phrase_melody, vary
from .song import PlannedScore, conductor_score
from .ticks import quarters_to_ticks
from .voicing import lead_voices

BASS_RANGE = (33, 52)  # A1..E3
COUNTER_RANGE = (57, 76)  # A3..E5
DRUM_LENGTH = 0.125  # quarter notes


@dataclass(frozen=True)
class ArrangerConfig:
    """Velocities are ``base + per_energy * energy``."""

    melody_velocity: tuple[int, int] = (72, 5)
    harmony_velocity: tuple[int, int] = (48, 5)
    bass_velocity: tuple[int, int] = (64, 5)
    counter_velocity: tuple[int, int] = (50, 4)
    legato: float = 0.95  # share of the gap to the next hit that a comping note holds


def arrange(plan: SongPlan, seed: int | None = None, config: ArrangerConfig | None = None
            ) -> PlannedScore:
    """Realise ``plan`` as notes; the same plan and seed give the same notes (a chorale's
    voices singing through their phrases to held chords, ``legato.chorale_phrasing``)."""
    config = config or ArrangerConfig()
    seed = plan.seed if seed is None else seed
    score = conductor_score(plan)
    tpq = int(score.ticks_per_quarter)
    bars = list(plan.bars())
    notes: dict[str, list[tuple[float, float, int, int]]] = {t.name: [] for t in plan.tracks}
    for track in plan.tracks:
        role_notes = notes[track.name]
        if track.role == "melody":
            role_notes += _melody(bars, plan, seed, track, config)
        elif track.role == "harmony" and plan.style in IDIOM_COMPING:
            common = [bar for bar in bars if (bar.meter.numerator, bar.meter.denominator)
                      == (4, 4)]
            others = [bar for bar in bars if bar not in common]
            role_notes += _idiom_comping(common, plan.style, track, config, seed)
            role_notes += _harmony(others, track, config, _figures(seed))  # odd meters
        elif track.role == "harmony" and plan.style in FOLK_STYLES:
            role_notes += folk_chords([b for b in bars if _plays(b, track)], lambda b: _velocity(
                config.harmony_velocity, b.energy))
        elif track.role == "harmony":
            role_notes += _harmony(bars, track, config, _figures(seed))
        elif track.role == "bass" and plan.style in FOLK_STYLES:
            role_notes += folk_bass([b for b in bars if _plays(b, track)], lambda b: _velocity(
                config.bass_velocity, b.energy))
        elif track.role == "bass":
            role_notes += _idiom_bass(bars, plan, track, config, seed) if idiom(plan.style) \
                else _bass(bars, track, config, _figures(seed))
        elif track.role == "counter-melody":
            role_notes += _counter(bars, track, config)
        else:
            role_notes += _drums(bars, plan.style, track, seed)
    for track in plan.tracks:
        symusic_track = Track(name=track.name, program=track.program, is_drum=track.is_drum)
        for onset, duration, pitch, velocity in sorted(notes[track.name]):
            start = quarters_to_ticks(onset, tpq)
            length = max(1, quarters_to_ticks(onset + duration, tpq) - start)
            symusic_track.notes.append(Note(start, length, pitch, max(1, min(127, velocity))))
        score.tracks.append(symusic_track)
    return chorale_phrasing(PlannedScore(plan=plan, score=score))


# -- helpers ------------------------------------------------------------------------------
def _plays(bar: BarPlan, track: TrackSpec) -> bool:
    return track.name in bar.tracks


def _velocity(pair: tuple[int, int], energy: int) -> int:
    return pair[0] + pair[1] * energy


def _figures(seed: int):
    """The seed's rhythm figure for each kind of section, drawn when first asked for."""
    drawn: dict[str, RhythmFigure] = {}

    def figure(kind: str) -> RhythmFigure:
        if kind not in drawn:
            drawn[kind] = RhythmFigure.draw(random.Random(f"songform-comping:{seed}:{kind}"))
        return drawn[kind]
    return figure


def _song_segments(bars: Sequence[BarPlan], track: TrackSpec):
    """(bar, start, end, chord, next chord) for every chord the track plays; the next chord
    is the one that follows without a gap when it differs, else ``None``."""
    flat = [(bar, start, end, chord) for bar in bars if _plays(bar, track)
            for start, end, chord in _segments(bar)]
    out = []
    for i, (bar, start, end, chord) in enumerate(flat):
        following = flat[i + 1] if i + 1 < len(flat) else None
        joined = following is not None and abs(following[0].start + following[1]
                                               - (bar.start + end)) < 1e-9
        change = joined and following[3].symbol != chord.symbol and following[3].root is not None
        out.append((bar, start, end, chord, following[3] if change else None))
    return out


def _segments(bar: BarPlan) -> list[tuple[float, float, Chord]]:
    """(start, end, chord) of each chord in the bar, offsets in quarter notes."""
    events = list(bar.chords)
    return [(e.offset, events[i + 1].offset if i + 1 < len(events) else bar.length,
             Chord.parse(e.symbol)) for i, e in enumerate(events)]


def _hits(bar: BarPlan, start: float, end: float, density: str) -> list[float]:
    """Onsets inside [start, end): the chord change, plus accents, beats or half beats."""
    if density == "change":
        grid: list[float] = []
    elif density == "accents":
        grid = [float(a) for a in bar.meter.accent_offsets]
    elif density == "beats":
        grid = [float(b) for b in bar.meter.beat_offsets]
    else:  # halves of each beat
        beats = [float(b) for b in bar.meter.beat_offsets] + [bar.length]
        grid = [x for a, b in zip(beats, beats[1:], strict=False) for x in (a, (a + b) / 2)]
    return sorted({start, *[g for g in grid if start < g < end]})


def _is_waltz_bar(bar: BarPlan) -> bool:
    return bar.meter.numerator == 3 and bar.meter.denominator == 4


# -- parts --------------------------------------------------------------------------------
def _harmony(bars: Sequence[BarPlan], track: TrackSpec, config: ArrangerConfig, figures):
    out, previous, pushed = [], None, False
    for bar, start, end, chord, next_chord in _song_segments(bars, track):
        voices = lead_voices(chord, previous)
        if not voices:
            pushed = False
            continue
        previous = voices
        figure = "plain" if _is_waltz_bar(bar) else figures(bar.section_kind).comp
        density = ("change" if bar.energy <= 2 else "accents" if bar.energy == 3
                   else "beats" if bar.energy <= 5 else "halves")
        beats = [float(b) for b in bar.meter.beat_offsets]
        onsets = _hits(bar, start, end, density)
        if _is_waltz_bar(bar) and bar.energy >= 2:  # oom-pah-pah: chords on 2 and 3
            onsets = [o for o in _hits(bar, start, end, "beats") if o > 0] or onsets
        elif figure == "offbeat" and bar.energy >= 4:
            onsets = offbeat_onsets(start, end, beats, bar.length)
        elif figure == "broken" and 2 <= bar.energy <= 4:
            onsets = _hits(bar, start, end, "halves")
        push_at = end - 0.5 if figure == "push" and next_chord is not None else None
        if push_at is not None and push_at > start:
            onsets = [o for o in onsets if o < push_at]
        if pushed:  # the previous segment anticipated this chord: no restrike
            onsets = onsets[1:]
        order = broken_order(len(voices), len(onsets)) if figure == "broken" else None
        for i, onset in enumerate(onsets):
            until = onsets[i + 1] if i + 1 < len(onsets) else (push_at or end)
            length = (until - onset) * (1.0 if density == "change" else config.legato)
            velocity = _velocity(config.harmony_velocity, bar.energy) + (6 if i == 0 else 0)
            sounding = [voices[order[i]]] if order and bar.energy <= 4 else voices
            if order and i == 0:
                sounding = voices  # the chord change itself stays a full chord
            out += [(bar.start + onset, length, p, velocity) for p in sounding]
        pushed = False
        if push_at is not None and push_at > start:
            ahead = lead_voices(next_chord, previous)
            if ahead:
                velocity = _velocity(config.harmony_velocity, bar.energy) + 6
                out += [(bar.start + push_at, 0.5 + 0.9 * config.legato, p, velocity)
                        for p in ahead]
                previous, pushed = ahead, True
    return out


IDIOM_COMPING = ("rock", "jazz")
POWER_RANGE = (40, 55)  # E2..G3: the root of a power chord
JAZZ_COMPS = {"charleston": (0.0, 1.5), "reverse": (0.5, 2.0), "two-four": (1.0, 3.0)}
"""Comping rhythms per beat pair: the Charleston (1, the and of 2), its reverse, 2 and 4."""
ROCK_COMPS = {"eighths": (0.0, 0.5), "chug": (0.0, 0.5, 0.75), "quarters": (0.0,)}
"""Power-chord strokes within each beat."""


def _comp_figures(seed: int, style: str):
    """The seed's comping figure for each kind of section, drawn when first asked for."""
    drawn: dict[str, str] = {}
    names = sorted(JAZZ_COMPS if style == "jazz" else ROCK_COMPS)

    def figure(kind: str) -> str:
        if kind not in drawn:
            drawn[kind] = random.Random(f"songform-idiom-comp:{seed}:{kind}").choice(names)
        return drawn[kind]
    return figure


def _idiom_comping(bars: Sequence[BarPlan], style: str, track: TrackSpec,
                   config: ArrangerConfig, seed: int):
    """Rock: power chords (root, fifth, octave) struck by the seed's figure from energy 4
    (eighths, a chug, quarters), on the beats below. Jazz: rootless voicings on the seed's
    figure (the Charleston, its reverse, 2 and 4; the and of 3 added from energy 5), each
    chord held short."""
    out, previous = [], None
    figures = _comp_figures(seed, style)
    for bar, start, end, chord, _ in _song_segments(bars, track):
        if chord.root is None:
            continue
        velocity = _velocity(config.harmony_velocity, bar.energy)
        if style == "rock":
            low, high = POWER_RANGE
            root = min((p for p in range(low, high + 1) if p % 12 == chord.root),
                       key=lambda p: (abs(p - 45), p))
            strokes = ROCK_COMPS[figures(bar.section_kind)] if bar.energy >= 4 else (0.0,)
            for beat in range(int(start), int(end + 0.999)):
                for stroke in strokes:
                    onset = beat + stroke
                    if start - 1e-9 <= onset < end - 1e-9:
                        accent = 10 if stroke == 0.0 else 0
                        out += [(bar.start + onset, 0.35, p, velocity + 12 + accent)
                                for p in (root, root + 7, root + 12)]
            continue
        voices = lead_voices(chord, previous)
        if not voices:
            continue
        previous = voices
        rootless = [p for p in voices if p % 12 != chord.root] or voices
        hits = list(JAZZ_COMPS[figures(bar.section_kind)])
        if bar.energy >= 5:
            hits.append(2.5)
        for hit in hits:
            onset = start + hit
            if onset < end - 1e-9:
                out += [(bar.start + onset, 0.6, p, velocity + (8 if hit == 0 else 0))
                        for p in rootless]
    return out


def _bass_pitch(chord: Chord, previous: int | None, fifth: bool = False) -> int:
    pc = (chord.root + 7) % 12 if fifth and chord.root is not None else chord.bass_pitch_class
    low, high = BASS_RANGE
    options = [p for p in range(low, high + 1) if p % 12 == pc]
    target = previous if previous is not None else 40
    return min(options, key=lambda p: (abs(p - target), p))


def _bass(bars: Sequence[BarPlan], track: TrackSpec, config: ArrangerConfig, figures):
    out, previous, pushed = [], None, False
    for bar, start, end, chord, next_chord in _song_segments(bars, track):
        if chord.root is None:
            pushed = False
            continue
        figure = figures(bar.section_kind).bass
        waltz = _is_waltz_bar(bar)
        if waltz:  # the oom stays on the downbeat: a push becomes a walk-up on beat 3
            figure = "approach" if figure in ("approach", "push") else "plain"
        density = ("change" if bar.energy <= 2 else "accents" if bar.energy <= 4
                   else "beats" if bar.energy == 5 else "halves")
        if _is_waltz_bar(bar):
            density = "change"
        onsets = _hits(bar, start, end, density)
        early = 1.0 if waltz else 0.5
        lead_in = end - early if figure in ("approach", "push") and next_chord is not None \
            and end - early > start else None
        if lead_in is not None:
            onsets = [o for o in onsets if o < lead_in]
        if pushed:
            onsets = onsets[1:]
        accents = {float(a) for a in bar.meter.accent_offsets}
        for i, onset in enumerate(onsets):
            until = onsets[i + 1] if i + 1 < len(onsets) else (lead_in or end)
            pitch = _bass_pitch(chord, previous, fifth=(i > 0 and onset not in accents
                                                        and bar.energy >= 5))
            previous = pitch
            if figure == "octave" and i % 2 == 1:
                pitch += 12
            length = (until - onset) * (1.0 if density == "change" else config.legato)
            velocity = _velocity(config.bass_velocity, bar.energy) + (8 if i == 0 else 0)
            out.append((bar.start + onset, length, pitch, velocity))
        pushed = False
        if lead_in is not None:
            target = _bass_pitch(next_chord, previous)
            velocity = _velocity(config.bass_velocity, bar.energy) + 4
            if figure == "approach":
                pitch = approach_pitch(target, int(bar.start + end) % 2)
                out.append((bar.start + lead_in, 0.5 * config.legato, pitch, velocity))
            else:  # push: the next root half a beat early, held into its chord
                out.append((bar.start + lead_in, 1.0 * config.legato, target, velocity))
                previous, pushed = target, True
    return out


def _idiom_bass(bars: Sequence[BarPlan], plan: SongPlan, track: TrackSpec,
                config: ArrangerConfig, seed: int):
    """The style's own bass line (``bass_lines``)."""
    playing = [bar for bar in bars if _plays(bar, track)]

    def velocity(bar: BarPlan) -> int:
        return _velocity(config.bass_velocity, bar.energy)

    kind = idiom(plan.style)
    if kind == "walking":
        return jazz_bass(playing, plan, velocity, random.Random(f"songform-walk:{seed}"))
    if kind == "boogie":
        return boogie_bass(playing, velocity)
    variants: dict[str, str] = {}

    def variant(section_kind: str) -> str:  # the seed's variant per kind of section
        if section_kind not in variants:
            variants[section_kind] = random.Random(
                f"songform-idiom-bass:{seed}:{section_kind}").choice(BASS_VARIANTS)
        return variants[section_kind]

    if kind == "offbeat":
        return offbeat_bass(playing, velocity, variant)
    return driving_bass(playing, velocity, variant)


def _counter(bars: Sequence[BarPlan], track: TrackSpec, config: ArrangerConfig):
    out, previous = [], 67
    for bar in bars:
        if not _plays(bar, track):
            continue
        for start, end, chord in _segments(bar):
            if chord.root is None:
                continue
            guide = [(chord.root + i) % 12 for i in chord.intervals if i % 12 in (3, 4, 10, 11)]
            pcs = guide or list(chord.pitch_classes)
            low, high = COUNTER_RANGE
            options = [p for p in range(low, high + 1) if p % 12 in pcs]
            pitch = min(options, key=lambda p: (abs(p - previous), p))
            previous = pitch
            velocity = _velocity(config.counter_velocity, bar.energy)
            out.append((bar.start + start, (end - start) * config.legato, pitch, velocity))
    return out


def _melody(bars: Sequence[BarPlan], plan: SongPlan, seed: int, track: TrackSpec,
            config: ArrangerConfig):
    by_phrase: dict[int, list[BarPlan]] = {}
    for bar in bars:
        by_phrase.setdefault(bar.phrase_index, []).append(bar)
    phrases = plan.phrases()
    material: dict[int, list[tuple[float, float, int]]] = {}
    out = []
    last_pitch = 72
    for index, phrase_bars in sorted(by_phrase.items()):
        phrase = phrases[index][1]
        rng = random.Random(f"songform-arranger:{seed}:{index}")
        if phrase.repeat_of is not None and phrase.repeat_of in material:
            source = material[phrase.repeat_of]
            source_bars = by_phrase[phrase.repeat_of]
            shift = source_bars[0].key.interval_to(phrase_bars[0].key)
            span = sum(b.length for b in phrase_bars[:len(source_bars)])
            notes = [(o, d, p + shift) for o, d, p in source if o < span - 1e-9]
            notes = vary(notes, phrase_bars, phrase.variation, rng)
            if len(phrase_bars) > len(source_bars):  # a longer restatement continues freshly
                extra = phrase_melody(phrase_bars[len(source_bars):], rng, notes[-1][2]
                                      if notes else last_pitch)
                notes += [(o + span, d, p) for o, d, p in extra]
        else:
            notes = phrase_melody(phrase_bars, rng, last_pitch)
        material[index] = notes
        if notes:
            last_pitch = notes[-1][2]
        origin = phrase_bars[0].start
        for onset, duration, pitch in notes:
            bar = next(b for b in reversed(phrase_bars) if b.start - origin <= onset + 1e-9)
            if _plays(bar, track):
                velocity = _velocity(config.melody_velocity, bar.energy)
                out.append((origin + onset, duration * 0.98, pitch, velocity))
    return out


def _drums(bars: Sequence[BarPlan], style: str, track: TrackSpec, seed: int):
    """The style's groove, varied by the seed per kind of section (extra kicks, ghost notes,
    the fill, breathing velocities), with crashes at section starts and fills before them."""
    variants: dict[str, drums.GrooveVariant] = {}
    groove = drums.GROOVES.get(style, "backbeat")
    out = []
    for i, bar in enumerate(bars):
        if not _plays(bar, track):
            continue
        variant = variants.setdefault(bar.section_kind, drums.GrooveVariant.draw(
            random.Random(f"songform-drums:{seed}:{bar.section_kind}")))
        hits = variant.apply(drums.bar_pattern(style, bar.meter, bar.energy), bar.meter,
                             bar.energy, groove, random.Random(f"songform-drums:{seed}:{i}"))
        next_bar = bars[i + 1] if i + 1 < len(bars) else None
        section_start = i == 0 or bars[i - 1].section_index != bar.section_index
        if next_bar is not None and next_bar.section_index != bar.section_index:
            fill = drums.fill(bar.meter, bar.energy, variant.fill)
            kept = [h for h in hits if h[1] == drums.KICK] if groove == "four" else []
            hits = sorted({*drums.drop_hits_after(hits, fill[0][0]), *kept}) + fill  # house
            # keeps its kick on every beat through the fill
        if next_bar is None:  # the last bar: one hit and let it ring
            hits = [(0.0, drums.KICK, 100), (0.0, drums.CRASH, 100)]
        elif section_start and bar.energy >= 4:
            hits = [h for h in hits if h[1] not in (drums.CLOSED_HAT, drums.OPEN_HAT,
                                                    drums.RIDE) or h[0] > 0]
            hits.append((0.0, drums.CRASH, 90 + bar.energy * 4))
        out += [(bar.start + o, DRUM_LENGTH, p, min(127, v)) for o, p, v in hits]
    return out
