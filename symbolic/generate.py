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
import copy
import dataclasses
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from symusic import Note, Track

from songform.core.errors import InputError
from songform.hierarchy.plan import TRACK_ROLES, BarPlan, SongPlan

from .arranger import arrange
from .attributes import NO_PITCH, TokenAttributes
from .cache import LayerCache
from .grammar import BarState, Grammar
from .model import MusicTransformer
from .sampling import add_bias, add_ramp, restrict, sample
from .song import PlannedScore, bar_lines, conductor_score, truncate_score
from .takes import (
    TakeScore,
    density_target,
    melody_density,
    melody_planned,
    melody_tracks,
    notes_by_bar,
    notes_from_tokens,
    score_take,
)
from .ticks import quarters_to_ticks
from .tokenizer import PROGRAM_ROLES, ROLE_PROGRAMS, AttributeState, SongTokenizer, token_type

MAX_TAKES = 16


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
        takes: each section is written this many times side by side in one batch, and the
            take that best keeps the plan is kept (``symbolic.takes`` states the score); 1
            writes each section once, as without takes.
        source_in_context: when a phrase restates an earlier one with ``variation`` above
            0, the source phrase's tokens are placed in the cache just before the new phrase
            (positions and onsets of "one phrase ago"), so that a freshly sampled bar is a
            variation of its source rather than a bar from nowhere.
    """

    temperature: float = 1.0
    top_p: float = 0.95
    context: int = 384
    max_tokens_per_bar: int = 192
    copy_repeats: bool = True
    chord_bias: float = 1.0
    register_lift: float = 0.08
    density_lift: float = 0.5
    takes: int = 1
    source_in_context: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.takes, bool) or not isinstance(self.takes, int) \
                or not 1 <= self.takes <= MAX_TAKES:
            raise InputError(f"takes must be an integer from 1 to {MAX_TAKES}, got "
                             f"{self.takes!r}")
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


@dataclass
class _Row:
    """One song, or one take of a section of it, being written: its plan, where its decoding
    stands, its random streams and what it has written."""

    song: int
    take: int
    seed: int
    bars: list[BarPlan]
    skeleton: list[list[str]]
    lift: _EnergyLift
    state: AttributeState
    generator: torch.Generator
    chooser: random.Random
    position: int = 0
    origin: float = 0.0  # onsets are fed relative to this (see _Decoder.rebase)
    written: list[list[str]] = field(default_factory=list)
    bar_lines: list[tuple[int, float]] = field(default_factory=list)  # (position, onset)
    bar: int = 0  # the bar being written
    stage: str = "open"  # open, prefixed, copy, copied, sampling, judge, done
    placed: list[tuple[int, list[int]]] = field(default_factory=list)
    """(bar, the source bars placed in context before it) for each varied restatement."""
    log_probability: float = 0.0  # of the tokens sampled since the take began
    sampled: int = 0

    def clone(self, take: int) -> _Row:
        """An independent copy (random streams included) that is take ``take``."""
        generator = torch.Generator().set_state(self.generator.get_state())
        chooser = random.Random()
        chooser.setstate(self.chooser.getstate())
        return dataclasses.replace(self, take=take, state=copy.copy(self.state),
                                   generator=generator, chooser=chooser,
                                   written=list(self.written), bar_lines=list(self.bar_lines),
                                   placed=list(self.placed))


class _Decoder:
    """Feeds the batch's rows through the model with one cache and tracks each row's token
    attributes and position. A chunk names the rows that take part; the others wait (their
    slots in the chunk are padding, which the cache stores nowhere)."""

    def __init__(self, model: MusicTransformer, tokenizer: SongTokenizer, rows: list[_Row],
                 capacity: int, device: torch.device | str) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = torch.device(device)
        self.rows = rows
        self.caches = model.new_caches(len(rows), capacity, self.device,
                                       dtype=next(model.parameters()).dtype)

    def rebase(self, index: int, origin: float) -> None:
        """Measure row ``index``'s onsets from ``origin`` (a bar line) from now on. Training
        windows start at bar lines with onset 0, so the onset embedding should see onsets from
        the earliest bar still in context, not from the song's start; cached onsets shift by
        the same amount, which keeps every onset difference (RIPO) exact."""
        row = self.rows[index]
        shift = origin - row.origin
        if shift:
            for cache in self.caches:
                cache.onsets[index] -= shift
            row.origin = origin

    @torch.no_grad()
    def feed(self, chunks: dict[int, list[str]]) -> dict[int, torch.Tensor]:
        """Run each row's tokens (``{row: tokens}``); each row's next-token logits after its
        last token. Single tokens go through the model together, as one batch; a longer
        chunk (a bar's plan tokens, a copied bar) runs alone on its row's cache, so that it
        does not pad every other row to its length."""
        singles = {i: tokens for i, tokens in chunks.items() if len(tokens) == 1}
        out = {}
        if singles:
            out.update(self._run(singles, range(len(self.rows)), self.caches))
        for index, tokens in chunks.items():
            if len(tokens) > 1:
                caches = [cache.rows(index, index + 1) for cache in self.caches]
                out.update(self._run({index: tokens}, range(index, index + 1), caches))
        return out

    def _run(self, chunks: dict[int, list[str]], rows: range, caches: list[LayerCache]
             ) -> dict[int, torch.Tensor]:
        """One forward over batch rows ``rows`` (with ``caches`` for exactly those rows)."""
        steps = max(len(tokens) for tokens in chunks.values())
        batch = len(rows)
        ids = [[0] * steps for _ in range(batch)]
        pitches = [[NO_PITCH] * steps for _ in range(batch)]
        onsets = [[math.nan] * steps for _ in range(batch)]
        durations = [[math.nan] * steps for _ in range(batch)]
        positions = [[0] * steps for _ in range(batch)]
        valid = [[False] * steps for _ in range(batch)]
        for index, tokens in chunks.items():
            row, local = self.rows[index], index - rows.start
            for at, token in enumerate(tokens):
                pitch, onset, duration = row.state.step(token)
                ids[local][at] = self.tokenizer.vocab[token]
                pitches[local][at], durations[local][at] = pitch, duration
                onsets[local][at] = onset - row.origin
                positions[local][at] = row.position + at
                valid[local][at] = True
            row.position += len(tokens)
        device = self.device
        attributes = TokenAttributes(
            torch.tensor(pitches, device=device),
            torch.tensor(onsets, device=device, dtype=torch.float32),
            torch.tensor(durations, device=device, dtype=torch.float32))
        logits = self.model(torch.tensor(ids, device=device), attributes,
                            positions=torch.tensor(positions, device=device),
                            valid=torch.tensor(valid, device=device), caches=caches)
        return {index: logits[index - rows.start, len(tokens) - 1].float()
                for index, tokens in chunks.items()}

    @torch.no_grad()
    def place(self, index: int, bars: list[tuple[int, list[str]]], end_onset: float) -> int:
        """Put earlier bars' tokens (``[(bar index, tokens)]``) into row ``index``'s cache
        so they end right before its next token: positions counting up to its position, and
        onsets shifted so that the last of them ends at ``end_onset``. The row's own position
        and attribute state do not move. Returns the number of tokens placed."""
        row = self.rows[index]
        state = AttributeState(row.bars, self.tokenizer.settings.beat_resolution)
        ids, pitches, onsets, durations = [], [], [], []
        for bar_index, tokens in bars:
            state.bar_index = bar_index - 1  # the bar line moves it onto ``bar_index``
            for token in tokens:
                pitch, onset, duration = state.step(token)
                ids.append(self.tokenizer.vocab[token])
                pitches.append(pitch)
                onsets.append(onset)
                durations.append(duration)
        count = len(ids)
        if not count:
            return 0
        last = row.bars[bars[-1][0]]
        shift = end_onset - (last.start + last.length)
        device = self.device
        attributes = TokenAttributes(
            torch.tensor([pitches], device=device),
            (torch.tensor([onsets]) + shift - row.origin).to(device, torch.float32),
            torch.tensor([durations], device=device, dtype=torch.float32))
        caches = [cache.rows(index, index + 1) for cache in self.caches]
        self.model(torch.tensor([ids], device=device), attributes,
                   positions=torch.arange(row.position - count, row.position,
                                          device=device)[None],
                   valid=torch.ones(1, count, dtype=torch.bool, device=device), caches=caches)
        return count

    def select(self, order: list[int]) -> None:
        """Rows ``order`` become the batch (a row named twice is copied: the best take
        handed to every take of its song)."""
        index = torch.tensor(order, dtype=torch.long)
        for cache in self.caches:
            cache.select(index)
        self.rows = [self.rows[source] if source == target
                     else self.rows[source].clone(self.rows[target].take)
                     for target, source in enumerate(order)]


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
    return generate_batch(model, tokenizer, [plan], [seed], config, roles, progress)[0]


def generate_batch(model: MusicTransformer, tokenizer: SongTokenizer, plans: list[SongPlan],
                   seeds: list[int], config: GenerateConfig | None = None,
                   roles: tuple[str, ...] | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   given: list[dict[int, list[str]]] | None = None,
                   fresh: list[set[int]] | None = None) -> list[PlannedScore]:
    """Write several songs in one batch through one cache (plans may differ in length; a
    song that ends first waits). Each song comes out as :func:`generate` writes it alone with
    its seed. With ``config.takes`` above 1 every section is written that many times side by
    side and the take that best keeps the plan (``symbolic.takes``) is kept.

    Args:
        plans, seeds: one seed per plan.
        progress: called ``(bars done, bars)`` over all songs.
        given: per plan, bars whose note tokens are given (``{bar index: tokens}``): fed to
            the model as written, never sampled (the rest of a song when one part is
            written again).
        fresh: per plan, bars sampled afresh even where the plan restates an earlier bar
            (the part a user asked to write again).
    """
    config = config or GenerateConfig()
    roles = tuple(roles or TRACK_ROLES)
    if len(plans) != len(seeds) or not plans:
        raise InputError("generate_batch needs one seed per plan, and at least one plan")
    given = given or [{} for _ in plans]
    fresh = fresh or [set() for _ in plans]
    if len(given) != len(plans) or len(fresh) != len(plans):
        raise InputError("generate_batch needs given and fresh bars per plan")
    model.eval()
    device = next(model.parameters()).device
    grammar = Grammar(tokenizer)
    tones = _chord_tone_ids(tokenizer)
    rows = []
    for song, (plan, seed) in enumerate(zip(plans, seeds, strict=True)):
        bars = list(plan.bars())
        skeleton = plan_skeleton(tokenizer, plan, roles)
        _check_vocabulary(tokenizer, skeleton)
        lift = _EnergyLift(tokenizer, sum(b.energy for b in bars) / len(bars), config)
        rows += [_Row(song, take, seed, bars, skeleton, lift,
                      AttributeState(bars, tokenizer.settings.beat_resolution),
                      torch.Generator().manual_seed(seed), random.Random(seed))
                 for take in range(config.takes)]
    capacities = [config.context + config.max_tokens_per_bar
                  + max(len(prefix) for prefix in row.skeleton) for row in rows]
    decoder = _Decoder(model, tokenizer, rows, max(capacities), device)
    for cache in decoder.caches:  # each song keeps the window it would keep alone
        cache.limit = torch.tensor(capacities, device=cache.limit.device)
    judge = _TakeJudge(plans, tokenizer, config.takes) if config.takes > 1 else None
    writer = _BatchWriter(decoder, plans, roles, grammar, tones, config, judge, progress, given,
                          fresh)
    writer.run()
    songs = []
    for row in decoder.rows[::config.takes]:
        stream = [token for prefix, notes in zip(row.skeleton, row.written, strict=True)
                  for token in prefix + notes]
        song = _song(tokenizer, plans[row.song], stream, roles, row.seed)
        song.written = tuple(tuple(bar) for bar in row.written)
        songs.append(song)
    return songs


class _BatchWriter:
    """Drives every row of the batch through its bars, each at its own pace: a step feeds
    one chunk per row that has one (its bar's plan tokens, a copied bar, or one sampled
    token), so a row that closes its bar early opens the next instead of waiting. Each row's
    chunks are the ones it feeds when written alone, which keeps batched songs equal to
    songs written alone. Takes of a song wait for each other at the end of a section, where
    the best is kept."""

    def __init__(self, decoder: _Decoder, plans: list[SongPlan], roles: tuple[str, ...],
                 grammar: Grammar, tones: dict[int, torch.Tensor], config: GenerateConfig,
                 judge: _TakeJudge | None, progress: Callable[[int, int], None] | None,
                 given: list[dict[int, list[str]]], fresh: list[set[int]]) -> None:
        self.decoder, self.plans, self.roles, self.given = decoder, plans, roles, given
        self.fresh = fresh
        self.grammar, self.tones, self.config, self.judge = grammar, tones, config, judge
        self.progress = progress
        self.samplers: dict[int, _BarSampler] = {}
        self.total = sum(plan.num_bars for plan in plans)
        self.done = 0

    def run(self) -> None:
        while True:
            if self.judge is not None:
                self._judge_finished_sections()
            chunks = {}
            for index in range(len(self.decoder.rows)):
                chunk = self._next_chunk(index)
                if chunk:
                    chunks[index] = chunk
            if not chunks:
                if any(row.stage == "judge" for row in self.decoder.rows):
                    continue  # the takes all closed their section in this pass
                break
            for index, logits in self.decoder.feed(chunks).items():
                self._after_feed(index, logits)
        rows = self.decoder.rows
        assert all(row.stage == "done" for row in rows), "a row stopped before its last bar"

    def _next_chunk(self, index: int) -> list[str] | None:
        """Row ``index``'s next chunk, moving it on through its bars as far as it can go
        without the model."""
        row = self.decoder.rows[index]
        while True:
            if row.stage == "sampling":
                token = self.samplers[index].next_token()
                if token is not None:
                    return [token]
                row.written.append(self.samplers.pop(index).finish())
                self._end_bar(row)
            elif row.stage == "open":
                if self._skip_given(row):
                    continue
                return self._open_bar(index, row)
            elif row.stage == "copy":
                row.stage = "copied"
                return row.written[-1]
            else:  # waiting for the other takes, or done
                return None

    def _skip_given(self, row: _Row) -> bool:
        """Given bars the model need not read: all those left when nothing after them is to
        be written, and, before the first bar to write (one take only), those whose tokens
        lie beyond the context it will attend to. They go straight into the song; returns
        whether any did."""
        given = self.given[row.song]
        if not given:
            return False
        todo = [i for i in range(row.bar, len(row.bars)) if i not in given]
        if not todo:  # the rest is given: nothing more to read
            skipped = len(row.bars) - row.bar
            row.written += [list(given[i]) for i in range(row.bar, len(row.bars))]
            row.bar = len(row.bars)
            row.stage = "done"
        else:
            if row.bar or self.judge is not None:
                return False
            reach, first = 0, todo[0]
            while first > 0 and reach < self.config.context:
                first -= 1
                reach += len(row.skeleton[first]) + len(given[first])
            if first == 0:
                return False
            row.written += [list(given[i]) for i in range(first)]
            row.state.bar_index = first - 1  # the next bar line moves onto ``first``
            row.bar = skipped = first
        if row.take == 0:
            self.done += skipped
            if self.progress:
                self.progress(self.done, self.total)
        return True

    def _open_bar(self, index: int, row: _Row) -> list[str]:
        bar = row.bars[row.bar]
        if self.judge is not None and not bar.bar_in_section:
            self.judge.reseed(row, bar)
        if self.config.source_in_context:
            _place_source(self.decoder, index, row.bar, self.config)
        row.bar_lines.append((row.position, bar.start))
        self.decoder.rebase(index, next(onset for at, onset in row.bar_lines
                                        if at >= row.position - self.config.context))
        row.stage = "prefixed"
        return row.skeleton[row.bar]

    def _after_feed(self, index: int, logits: torch.Tensor) -> None:
        row = self.decoder.rows[index]
        if row.stage == "sampling":
            self.samplers[index].logits = logits
        elif row.stage == "prefixed":
            plan = self.plans[row.song]
            copied = self._given(row, plan)
            if copied is None and row.bar not in self.fresh[row.song]:
                copied = _copy(row, row.bar, plan, self.roles, self.grammar,
                               self.decoder.tokenizer, self.config)
            if copied is not None:
                row.written.append(copied)
                if copied:
                    row.stage = "copy"
                else:  # a given bar without notes
                    self._end_bar(row)
            else:
                self.samplers[index] = _BarSampler(
                    row, row.bars[row.bar], plan, self.roles, self.decoder.tokenizer,
                    self.grammar, self.tones, self.config, logits, self.judge is not None)
                row.stage = "sampling"
        elif row.stage == "copied":
            self._end_bar(row)

    def _given(self, row: _Row, plan: SongPlan) -> list[str] | None:
        """The bar's given tokens (checked against the grammar), or ``None``."""
        tokens = self.given[row.song].get(row.bar)
        if tokens is None:
            return None
        tokenizer = self.decoder.tokenizer
        state = _opening_state(row.bars[row.bar], plan, self.roles, tokenizer)
        if tokens and not self.grammar.accepts(state, list(tokens), tokenizer.vocab):
            raise InputError(f"bar {row.bar + 1}: the given notes do not fit the plan's bar "
                             "(another plan's notes, or another model's tokens)")
        return list(tokens)

    def _end_bar(self, row: _Row) -> None:
        bars, index = row.bars, row.bar
        row.bar += 1
        if row.take == 0:
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total)
        section_ends = row.bar == len(bars) or bars[row.bar].section_index != \
            bars[index].section_index
        if self.judge is not None and section_ends:
            row.stage = "judge"
        else:
            row.stage = "done" if row.bar == len(bars) else "open"

    def _judge_finished_sections(self) -> None:
        rows, takes = self.decoder.rows, self.config.takes
        for first in range(0, len(rows), takes):
            song_rows = rows[first:first + takes]
            if all(row.stage == "judge" for row in song_rows):
                self.judge.keep_best(self.decoder, first, song_rows[0].bar - 1)
                for row in self.decoder.rows[first:first + takes]:
                    row.stage = "done" if row.bar == len(row.bars) else "open"


def _place_source(decoder: _Decoder, row_index: int, index: int, config: GenerateConfig
                  ) -> None:
    """At the first bar of a phrase that restates an earlier one with variation above 0,
    place the source phrase (its latest bars, up to half the context) in the row's cache as
    the phrase just before this one."""
    row = decoder.rows[row_index]
    bar = row.bars[index]
    if bar.bar_in_phrase or bar.repeat_of_bar is None or not bar.variation:
        return
    phrase = [b for b in row.bars[index:] if b.phrase_index == bar.phrase_index]
    sources = [b.repeat_of_bar for b in phrase if b.repeat_of_bar is not None]
    placed: list[tuple[int, list[str]]] = []
    budget = config.context // 2
    for source in reversed(sources):
        tokens = row.skeleton[source] + row.written[source]
        if len(tokens) > budget:
            break
        budget -= len(tokens)
        placed.insert(0, (source, tokens))
    if placed:
        decoder.place(row_index, placed, bar.start)
        row.placed.append((index, [source for source, _ in placed]))


def _copy(row: _Row, index: int, plan: SongPlan, roles: tuple[str, ...], grammar: Grammar,
          tokenizer: SongTokenizer, config: GenerateConfig) -> list[str] | None:
    """The notes of the bar that bar ``index`` restates (transposed to its key), when the
    plan's variation draws a copy and the copy fits the grammar; else ``None``."""
    bar = row.bars[index]
    source = bar.repeat_of_bar
    copied = (_transposed(row.written[source], row.bars[source].key.interval_to(bar.key))
              if source is not None else [])
    if (config.copy_repeats and copied and row.chooser.random() >= bar.variation
            and grammar.accepts(_opening_state(bar, plan, roles, tokenizer), copied,
                                tokenizer.vocab)):
        return copied
    return None


class _BarSampler:
    """One row's bar of notes, sampled token by token under the grammar."""

    def __init__(self, row: _Row, bar: BarPlan, plan: SongPlan, roles: tuple[str, ...],
                 tokenizer: SongTokenizer, grammar: Grammar, tones: dict[int, torch.Tensor],
                 config: GenerateConfig, logits: torch.Tensor, measure_likelihood: bool
                 ) -> None:
        self.row, self.bar, self.config = row, bar, config
        self.tokenizer, self.grammar, self.tones = tokenizer, grammar, tones
        self.state = _opening_state(bar, plan, roles, tokenizer)
        self.logits = logits
        self.tokens: list[str] = []
        self.unit = 4 / bar.meter.denominator / tokenizer.settings.beat_resolution
        self.measure = measure_likelihood
        self.closed = not self.state.programs

    def next_token(self) -> str | None:
        """The next note token, or ``None`` when the bar closes."""
        if self.closed or len(self.tokens) >= self.config.max_tokens_per_bar - 4:
            return None
        logits, state, config = self.logits, self.state, self.config
        if state.previous == "Program" and config.chord_bias and not state.drum:
            logits = add_bias(logits, _chord_ids(self.bar, state.position * self.unit,
                                                 self.tones), config.chord_bias)
        logits = self.row.lift.apply(logits, state, self.bar)
        allowed = self.grammar.mask(state)
        choice = sample(logits, allowed, self.row.generator, temperature=config.temperature,
                        nucleus=config.top_p)
        if self.measure:  # the model's own probability, before plan guidance
            self.row.log_probability += float(
                torch.log_softmax(restrict(self.logits, allowed), dim=-1)[choice])
            self.row.sampled += 1
        if choice == self.grammar.bar:
            self.closed = True
            return None
        token = self.tokenizer.inverse[choice]
        self.state = state.advance(token)
        self.tokens.append(token)
        return token

    def finish(self) -> list[str]:
        """The bar's tokens, an unfinished last note dropped."""
        tokens = self.tokens
        while tokens and token_type(tokens[-1]) != "Duration":
            tokens.pop()
        return tokens


def _take_seed(seed: int, section: int, take: int) -> int:
    """The seed of take ``take`` (above 0) of section ``section``."""
    return (seed * 1_000_003 + section * 7_919 + take) % 2 ** 63


class _TakeJudge:
    """Ranks the takes of each section as it ends and hands the best one (its cache rows, its
    notes and its random streams) to every row of its song. The rows of a song are
    ``takes`` consecutive rows; take 0 continues the song's own random stream (so one take
    is the song without takes), the others are reseeded per section."""

    def __init__(self, plans: list[SongPlan], tokenizer: SongTokenizer, takes: int) -> None:
        self.takes = takes
        self.resolution = tokenizer.settings.beat_resolution
        bars = [list(plan.bars()) for plan in plans]
        self.mean_energy = [sum(b.energy for b in song) / len(song) for song in bars]
        self.history: list[list[tuple[float, int]]] = [[] for _ in plans]
        self.kept: list[dict[int, set[tuple[float, int]]]] = [{} for _ in plans]
        self.leads = [melody_tracks(plan) for plan in plans]
        self.chosen: list[list[tuple[int, int, list[TakeScore]]]] = [[] for _ in plans]
        """Per song: (section index, the kept take, every take's score)."""

    def reseed(self, row: _Row, bar: BarPlan) -> None:
        """At a section's first bar: reseed a take above 0 and restart its likelihood."""
        if row.take:
            row.generator.manual_seed(_take_seed(row.seed, bar.section_index, row.take))
        row.log_probability, row.sampled = 0.0, 0

    def keep_best(self, decoder: _Decoder, first: int, index: int) -> None:
        """Bar ``index`` ended a section of the song whose takes are rows ``first`` on: keep
        its best take in all of them."""
        head = decoder.rows[first]
        bars, song = head.bars, head.song
        section_index = bars[index].section_index
        section = [b for b in bars if b.section_index == section_index]
        energy = sum(b.energy for b in section) / len(section)
        target = density_target(self.history[song], energy, self.mean_energy[song])
        planned = melody_planned(section, self.leads[song])
        notes, scores = [], []
        for take in range(self.takes):
            row = decoder.rows[first + take]
            notes.append(notes_from_tokens(
                bars, {b.index: row.written[b.index] for b in section}, self.resolution))
            likelihood = row.log_probability / row.sampled if row.sampled else 0.0
            scores.append(score_take(notes[-1], section, self.kept[song],
                                     target_density=target, likelihood=likelihood,
                                     all_bars=bars, melody_planned=planned))
        best = max(range(self.takes), key=lambda k: (scores[k].total, -k))
        self.kept[song].update(notes_by_bar(notes[best]))
        if planned:
            self.history[song].append((melody_density(notes[best], section), energy))
        self.chosen[song].append((section_index, best, scores))
        order = list(range(len(decoder.rows)))  # every take goes on from the best
        order[first:first + self.takes] = [first + best] * self.takes
        decoder.select(order)


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
