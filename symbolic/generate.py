"""The Music Transformer writes a song bar by bar under its plan.

Every bar opens with the plan's tokens for it (bar line, meter, section, label, key, energy,
tracks, chords), fed to the model as one chunk and never sampled; then the model samples the
bar's notes under the token grammar: positions move forward inside the bar, programs are the
roles that the plan lets play there (and that the model was trained on), each note is pitch,
velocity, duration. A bar that restates an earlier one (the plan's ``repeat_of_bar``) copies
that bar's notes, unless its ``variation`` draws a fresh bar. Decoding runs through the
ring-buffer cache with explicit positions, so every token costs the same however long the song
is: generation is linear in the song's length.

Roles the model does not write (a POP909 model knows melody, counter-melody and harmony) come
from the baseline arranger, so the plan's every track sounds.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import torch
from symusic import Note, Track

from songform.core.errors import InputError
from songform.hierarchy.plan import TRACK_ROLES, BarPlan, SongPlan

from .arranger import arrange
from .attributes import TokenAttributes
from .grammar import BarState, Grammar
from .model import MusicTransformer
from .sampling import add_bias, add_ramp, sample
from .song import PlannedScore, bar_lines, conductor_score, truncate_score
from .ticks import quarters_to_ticks
from .tokenizer import PROGRAM_ROLES, ROLE_PROGRAMS, AttributeState, SongTokenizer, token_type


@dataclass(frozen=True)
class GenerateConfig:
    """Sampling settings.

    Args:
        temperature: softmax temperature.
        top_p: nucleus sampling mass (1 keeps every allowed token).
        context: tokens of context the model attends back (its training window is a good
            choice); the cache holds this many plus one bar's plan chunk.
        max_tokens_per_bar: a bar that reaches this many note tokens is closed.
        copy_repeats: restated bars copy their source's notes (with probability
            ``1 - variation``); off, every bar is sampled.
        chord_bias: added to the logits of pitches in the chord the plan sounds at the
            note's position: plan guidance at decoding time. 0 lets the model alone decide;
            bench/RESULTS.md measures what each setting does to the share of chord tones.
        register_lift: logits per semitone per energy level added to the melody's pitches,
            level counted from the song's mean energy: a section above the mean tilts its
            melody up, one below tilts it down (POP909's choruses sit 2.9 semitones above
            their verses; the model, which sees no energy in training, put them 1.1 above).
        density_lift: logits per energy level added to the melody's ``Program`` token
            where a note may start, so that livelier sections have more melody onsets
            (POP909's chorus melodies are 1.03x as dense as their verses; the model's 0.9x).
    """

    temperature: float = 1.0
    top_p: float = 0.95
    context: int = 384
    max_tokens_per_bar: int = 192
    copy_repeats: bool = True
    chord_bias: float = 1.0
    register_lift: float = 0.08
    density_lift: float = 0.5

    def __post_init__(self) -> None:
        if not self.temperature > 0 or not 0 < self.top_p <= 1:
            raise InputError("temperature must be positive and top_p in (0, 1]")
        if self.context < 16 or self.max_tokens_per_bar < 4:
            raise InputError("context must be at least 16 tokens, max_tokens_per_bar 4")


def _pitch_ramp(tokenizer: SongTokenizer) -> tuple[torch.Tensor, torch.Tensor]:
    """The ids of the ``Pitch`` tokens and their pitches in semitones from middle C."""
    pairs = sorted((index, int(token.split("_")[1])) for token, index in tokenizer.vocab.items()
                   if token.startswith("Pitch_"))
    return (torch.tensor([i for i, _ in pairs], dtype=torch.long),
            torch.tensor([p - 60 for _, p in pairs], dtype=torch.float32))


def _chord_tone_ids(tokenizer: SongTokenizer) -> dict[int, torch.Tensor]:
    """Pitch class -> the ids of its ``Pitch`` tokens (for plan guidance)."""
    by_class: dict[int, list[int]] = {}
    for token, index in tokenizer.vocab.items():
        if token.startswith("Pitch_"):
            by_class.setdefault(int(token.split("_")[1]) % 12, []).append(index)
    return {pc: torch.tensor(ids) for pc, ids in by_class.items()}


class _Decoder:
    """Feeds tokens through the model with a cache and tracks their attributes."""

    def __init__(self, model: MusicTransformer, tokenizer: SongTokenizer, bars: list[BarPlan],
                 capacity: int, device: torch.device) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.caches = model.new_caches(1, capacity, device,
                                       dtype=next(model.parameters()).dtype)
        self.state = AttributeState(bars, tokenizer.settings.beat_resolution)
        self.position = 0
        self.origin = 0.0  # onsets are fed relative to this (see rebase)

    def rebase(self, origin: float) -> None:
        """Measure onsets from ``origin`` (a bar line) from now on. Training windows start at
        bar lines with onset 0, so the onset embedding should see onsets from the earliest bar
        still in context, not from the song's start; cached onsets shift by the same amount,
        which keeps every onset difference (RIPO) exact."""
        shift = origin - self.origin
        if shift:
            for cache in self.caches:
                cache.onsets -= shift
            self.origin = origin

    @torch.no_grad()
    def feed(self, tokens: list[str]) -> torch.Tensor:
        """Run ``tokens`` as one chunk; the next-token logits after the last one."""
        ids, pitches, onsets, durations = [], [], [], []
        for token in tokens:
            pitch, onset, duration = self.state.step(token)
            ids.append(self.tokenizer.vocab[token])
            pitches.append(pitch)
            onsets.append(onset - self.origin)
            durations.append(duration)
        count = len(ids)
        positions = torch.arange(self.position, self.position + count, device=self.device)
        self.position += count
        attributes = TokenAttributes(
            torch.tensor([pitches], device=self.device),
            torch.tensor([onsets], device=self.device, dtype=torch.float32),
            torch.tensor([durations], device=self.device, dtype=torch.float32))
        logits = self.model(torch.tensor([ids], device=self.device), attributes,
                            positions=positions[None], caches=self.caches)
        return logits[0, -1].float()


def plan_skeleton(tokenizer: SongTokenizer, plan: SongPlan, roles: tuple[str, ...]
                  ) -> list[list[str]]:
    """Each bar's forced tokens (bar line, time signature, plan tokens), with ``Tracks_``
    naming only the roles the model writes.

    The time signature is written in the bars up to the last meter change and not after: what
    encoding the plan's empty score gives, and what the shipped model's songs were written
    with. (Training streams carry it in every bar with notes; aligning the two changes every
    song, so it waits for the next trained model.)"""
    bars = list(plan.bars())
    changes = [i for i in range(1, len(bars)) if bars[i].meter != bars[i - 1].meter]
    last_change = changes[-1] if changes else 0
    return [tokenizer.bar_opening(bar, plan, roles, time_signature=i <= last_change)
            for i, bar in enumerate(bars)]


def _transposed(tokens: list[str], shift: int) -> list[str]:
    """Note tokens moved by ``shift`` semitones (drums stay): a restatement in another key
    keeps its intervals against the new key (a pitch past the vocabulary makes the copy
    fail the grammar, and the bar is sampled instead)."""
    if not shift:
        return list(tokens)
    return [f"Pitch_{int(t[6:]) + shift}" if t.startswith("Pitch_") else t for t in tokens]


def _check_vocabulary(tokenizer: SongTokenizer, skeleton: list[list[str]]) -> None:
    """Refuse, before any decoding, a plan whose bars the model has no tokens for."""
    unknown = sorted({t for bar in skeleton for t in bar if t not in tokenizer.vocab})
    if unknown:
        meters = ", ".join(f"{n}/{d}" for d, ns in sorted(tokenizer.settings.meters.items())
                           for n in ns)
        raise InputError(f"the model has no tokens for {', '.join(unknown[:4])} (it knows the "
                         f"meters {meters}); write this plan with --notes arranger")


def _chord_ids(bar: BarPlan, offset: float, tones: dict[int, torch.Tensor]) -> torch.Tensor:
    """Ids of the pitches of the chord sounding ``offset`` quarters into ``bar``."""
    chord = bar.chord_at(offset)
    if chord is None:
        return torch.zeros(0, dtype=torch.long)
    ids = [tones[pc] for pc in chord.pitch_classes if pc in tones]
    return torch.cat(ids) if ids else torch.zeros(0, dtype=torch.long)


def _opening_state(bar: BarPlan, plan: SongPlan, roles: tuple[str, ...],
                   tokenizer: SongTokenizer) -> BarState:
    """The grammar state after ``bar``'s plan tokens: no position yet, the programs of the
    roles the plan lets play there that the model writes."""
    playing = sorted({t.role for t in plan.tracks if t.name in bar.tracks and t.role in roles})
    return BarState(previous="Tracks", position=-1,
                    steps=bar.meter.numerator * tokenizer.settings.beat_resolution,
                    programs=tuple(ROLE_PROGRAMS[role] for role in playing))


def generate(model: MusicTransformer, tokenizer: SongTokenizer, plan: SongPlan,
             seed: int = 0, config: GenerateConfig | None = None,
             roles: tuple[str, ...] | None = None,
             progress: Callable[[int, int], None] | None = None) -> PlannedScore:
    """Write ``plan`` as a song with ``model``; the same model, plan and seed give the same
    song.

    Args:
        roles: the roles the model writes (a checkpoint's ``tokenizer.json`` lists them);
            default all. The plan's other tracks are played by the baseline arranger.
        progress: called ``(bars done, bars)`` after each bar.
    """
    config = config or GenerateConfig()
    roles = tuple(roles or TRACK_ROLES)
    model.eval()
    device = next(model.parameters()).device
    grammar = Grammar(tokenizer)
    tones = _chord_tone_ids(tokenizer)
    bars = list(plan.bars())
    lift = _EnergyLift(tokenizer, sum(b.energy for b in bars) / len(bars), config)
    skeleton = plan_skeleton(tokenizer, plan, roles)
    _check_vocabulary(tokenizer, skeleton)
    chunk = max(len(prefix) for prefix in skeleton) + config.max_tokens_per_bar
    decoder = _Decoder(model, tokenizer, bars, config.context + chunk, device)
    generator = torch.Generator().manual_seed(seed)
    chooser = random.Random(seed)
    written: list[list[str]] = []
    bar_lines: list[tuple[int, float]] = []  # (token position, onset) of each bar line
    for index, (bar, prefix) in enumerate(zip(bars, skeleton, strict=True)):
        bar_lines.append((decoder.position, bar.start))
        decoder.rebase(next(onset for at, onset in bar_lines
                            if at >= decoder.position - config.context))
        logits = decoder.feed(prefix)
        source = bar.repeat_of_bar
        copied = (_transposed(written[source], bars[source].key.interval_to(bar.key))
                  if source is not None else [])
        if (config.copy_repeats and copied and chooser.random() >= bar.variation
                and grammar.accepts(_opening_state(bar, plan, roles, tokenizer), copied,
                                    tokenizer.vocab)):
            decoder.feed(copied)
            written.append(copied)
        else:
            written.append(_sample_bar(decoder, logits, bar, plan, roles, grammar, tones,
                                       config, generator, lift))
        if progress:
            progress(index + 1, len(bars))
    stream = [token for prefix, notes in zip(skeleton, written, strict=True)
              for token in prefix + notes]
    return _song(tokenizer, plan, stream, roles, seed)


def _sample_bar(decoder: _Decoder, logits: torch.Tensor, bar: BarPlan, plan: SongPlan,
                roles: tuple[str, ...], grammar: Grammar, tones: dict[int, torch.Tensor],
                config: GenerateConfig, generator: torch.Generator,
                lift: _EnergyLift | None = None) -> list[str]:
    """One bar's note tokens, sampled under the grammar."""
    state = _opening_state(bar, plan, roles, decoder.tokenizer)
    if not state.programs:
        return []
    unit = 4 / bar.meter.denominator / decoder.tokenizer.settings.beat_resolution
    tokens: list[str] = []
    while len(tokens) < config.max_tokens_per_bar - 4:
        if state.previous == "Program" and config.chord_bias and not state.drum:
            logits = add_bias(logits, _chord_ids(bar, state.position * unit, tones),
                              config.chord_bias)
        if lift is not None:
            logits = lift.apply(logits, state, bar)
        choice = sample(logits, grammar.mask(state), generator,
                        temperature=config.temperature, nucleus=config.top_p)
        if choice == grammar.bar:
            break
        token = decoder.tokenizer.inverse[choice]
        state = state.advance(token)
        tokens.append(token)
        logits = decoder.feed([token])
    while tokens and token_type(tokens[-1]) != "Duration":  # drop an unfinished note
        tokens.pop()
    return tokens


class _EnergyLift:
    """The plan's energy in the melody: a register tilt on its pitches and a bias toward its
    onsets, both by the bar's energy above (or below) the song's mean."""

    def __init__(self, tokenizer: SongTokenizer, mean_energy: float,
                 config: GenerateConfig) -> None:
        self.ids, self.semitones = _pitch_ramp(tokenizer)
        self.melody = ROLE_PROGRAMS["melody"]
        program = tokenizer.vocab.get(f"Program_{self.melody}")
        self.program = torch.tensor([program] if program is not None else [],
                                    dtype=torch.long)
        self.mean = mean_energy
        self.register, self.density = config.register_lift, config.density_lift

    def apply(self, logits: torch.Tensor, state: BarState, bar: BarPlan) -> torch.Tensor:
        level = bar.energy - self.mean
        if not level:
            return logits
        if state.previous == "Program" and state.program == self.melody:
            return add_ramp(logits, self.ids, self.semitones, self.register * level)
        if state.previous in ("Position", "Duration") and self.melody in state.programs:
            return add_bias(logits, self.program, self.density * level)
        return logits


ENERGY_DB_PER_LEVEL = 2.5  # the model's dynamics: each energy level this much louder
MIDDLE_ENERGY = 4
HELD_QUARTERS = 2  # how long a held note counts toward a section's loudness
MAX_RIDE_DB = 6.0
LEVELLING_RANGE = (0.7, 1.4)  # how far a section's velocities move toward the track's mean


def _energy_dynamics(notes: dict[str, list[Note]], plan: SongPlan, tpq: int) -> None:
    """Scale the model's velocities by each section's planned energy (in place): POP909 gives
    the model no energy to follow, so a chorus would come back no louder than its verse.
    First each track's sections are levelled to the track's mean velocity over the song
    (within ``LEVELLING_RANGE``: the model's own drift from section to section is not the
    plan's), keeping the accents inside a section; then ``ENERGY_DB_PER_LEVEL`` dB a level
    around ``MIDDLE_ENERGY``. FluidSynth's loudness goes with velocity squared, so the
    velocity factor is ``10 ** (dB / 40)``."""
    starts = [low for low, _ in _section_spans(plan, tpq)]
    bounds = [(start, section.energy) for start, section in zip(starts, plan.sections,
                                                                 strict=True)]
    low, high = LEVELLING_RANGE
    for track in notes.values():
        if not track:
            continue
        song_mean = sum(n.velocity for n in track) / len(track)
        by_section: dict[int, list[Note]] = {}
        for note in track:
            by_section.setdefault(max(0, bisect.bisect_right(starts, note.time) - 1),
                                  []).append(note)
        for index, members in by_section.items():
            section_mean = sum(n.velocity for n in members) / len(members)
            level = min(high, max(low, song_mean / max(1.0, section_mean)))
            gain = level * 10 ** ((bounds[index][1] - MIDDLE_ENERGY) * ENERGY_DB_PER_LEVEL
                                  / 40)
            for note in members:
                note.velocity = int(min(127, max(1, round(note.velocity * gain))))


def _section_spans(plan: SongPlan, tpq: int) -> list[tuple[int, int]]:
    """Each section's first and end tick (its bar lines)."""
    lines = bar_lines(plan, tpq)
    spans, first = [], 0
    for section in plan.sections:
        spans.append((lines[first], lines[first + section.bars]))
        first += section.bars
    return spans


def _level_sections(notes: dict[str, list[Note]], drums: set[str], plan: SongPlan,
                    tpq: int) -> None:
    """Ride each section's level so that the notes' loudness follows the planned energy
    (in place), as a mix engineer rides the faders: instruments, density and note lengths
    change from section to section (a sustained clarinet intro outweighs a busy violin
    chorus), so velocities alone do not order the sections. The loudness of a section is
    estimated from its notes (velocity to the fourth power, FluidSynth's amplitude going
    with velocity squared, times the held length up to ``HELD_QUARTERS``, drums counted as
    half a beat, per tick of the section); its target is the song's bar-weighted mean plus
    ``ENERGY_DB_PER_LEVEL`` a level from the mean energy; the gain moves at most
    ``MAX_RIDE_DB`` either way."""
    held, drum_length = HELD_QUARTERS * tpq, tpq // 2
    spans = _section_spans(plan, tpq)
    starts = [low for low, _ in spans]
    power = [0.0] * len(spans)
    for name, track in notes.items():
        for note in track:
            index = max(0, bisect.bisect_right(starts, note.time) - 1)
            length = drum_length if name in drums else min(note.duration, held)
            power[index] += (note.velocity / 127) ** 4 * length
    levels = [10 * math.log10(max(p / max(1, high - low), 1e-12))
              for p, (low, high) in zip(power, spans, strict=True)]
    weights = [s.bars for s in plan.sections]
    heard = [(lvl, w, s.energy) for lvl, w, s, p in zip(levels, weights, plan.sections, power,
                                                         strict=True) if p > 0]
    if len(heard) < 2:
        return
    total = sum(w for _, w, _ in heard)
    mean_level = sum(lvl * w for lvl, w, _ in heard) / total
    mean_energy = sum(e * w for _, w, e in heard) / total
    gains = []
    for level, section, p in zip(levels, plan.sections, power, strict=True):
        target = mean_level + ENERGY_DB_PER_LEVEL * (section.energy - mean_energy)
        ride = 0.0 if p == 0 else min(MAX_RIDE_DB, max(-MAX_RIDE_DB, target - level))
        gains.append(10 ** (ride / 40))
    for track in notes.values():
        for note in track:
            gain = gains[max(0, bisect.bisect_right(starts, note.time) - 1)]
            note.velocity = int(min(127, max(1, round(note.velocity * gain))))


def _fill_silent_sections(notes: dict[str, list[Note]], arranged: dict[str, list[Note]],
                          plan: SongPlan, tpq: int) -> None:
    """Where the plan lists a track in a section but it sounds in fewer than half of the
    section's bars, that section of the track is the arranger's (in place)."""
    lines = bar_lines(plan, tpq)
    first = 0
    for section in plan.sections:
        low, high = lines[first], lines[first + section.bars]
        section_lines = lines[first:first + section.bars + 1]
        for name in section.tracks:
            inside = [n for n in notes[name] if low <= n.time < high]
            sounding = {sum(line <= n.time for line in section_lines) for n in inside}
            if 2 * len(sounding) < section.bars:
                notes[name] = [n for n in notes[name] if not low <= n.time < high] + [
                    n for n in arranged[name] if low <= n.time < high]
        first += section.bars


def _song(tokenizer: SongTokenizer, plan: SongPlan, stream: list[str],
          roles: tuple[str, ...], seed: int) -> PlannedScore:
    """Decode the stream into the plan's tracks (a role's notes go to the plan's first
    track of that role); roles the model does not write come from the arranger, and so does
    a planned track the model left silent in most of a section's bars."""
    score = conductor_score(plan)
    decoded = tokenizer.decode([tokenizer.vocab[t] for t in stream])
    decoded = decoded.resample(score.ticks_per_quarter, min_dur=1)
    end = quarters_to_ticks(plan.duration_quarters, score.ticks_per_quarter)
    decoded = truncate_score(decoded, end)  # notes ring no further than the last bar
    by_role = {}
    for track in plan.tracks:
        by_role.setdefault(track.role, track)
    notes: dict[str, list[Note]] = {t.name: [] for t in plan.tracks}
    for track in decoded.tracks:
        role = "drums" if track.is_drum else PROGRAM_ROLES.get(int(track.program))
        if role in by_role:
            notes[by_role[role].name].extend(track.notes)
    _energy_dynamics(notes, plan, score.ticks_per_quarter)
    arranged = {t.name: list(t.notes) for t in arrange(plan, seed).score.tracks}
    for track in plan.tracks:
        if track.role not in roles:
            notes[track.name] = arranged[track.name]
    _fill_silent_sections(notes, arranged, plan, score.ticks_per_quarter)
    _level_sections(notes, {t.name for t in plan.tracks if t.is_drum}, plan,
                    score.ticks_per_quarter)
    for spec in plan.tracks:
        track = Track(name=spec.name, program=spec.program, is_drum=spec.is_drum)
        for note in sorted(notes[spec.name], key=lambda n: (n.time, n.pitch)):
            track.notes.append(Note(note.time, note.duration, note.pitch, note.velocity))
        score.tracks.append(track)
    return PlannedScore(plan=plan, score=score)
