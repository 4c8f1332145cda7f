"""Decoding rows through the model with one ring cache: each row (a song, or one take of a
section of it) keeps its own position, onsets and attribute state; a step feeds one chunk per
row that has one, single tokens as one batch and longer chunks alone on their row's cache."""

from __future__ import annotations

import copy
import dataclasses
import math
import random
from dataclasses import dataclass, field
from typing import Any

import torch

from songform.hierarchy.plan import BarPlan

from .attributes import NO_PITCH, TokenAttributes
from .cache import LayerCache
from .model import MusicTransformer
from .tokenizer import AttributeState, SongTokenizer


@dataclass
class Row:
    """One song, or one take of a section of it, being written: its plan, where its decoding
    stands, its random streams and what it has written."""

    song: int
    take: int
    seed: int
    bars: list[BarPlan]
    skeleton: list[list[str]]
    lift: Any  # generate.py's energy lift: how the plan's energy tilts the melody
    state: AttributeState
    generator: torch.Generator
    chooser: random.Random
    position: int = 0
    origin: float = 0.0  # onsets are fed relative to this (see Decoder.rebase)
    written: list[list[str]] = field(default_factory=list)
    bar_lines: list[tuple[int, float]] = field(default_factory=list)  # (position, onset)
    bar: int = 0  # the bar being written
    stage: str = "open"  # open, prefixed, copy, copied, sampling, judge, done, gone
    placed: list[tuple[int, list[int]]] = field(default_factory=list)
    """(bar, the source bars placed in context before it) for each varied restatement."""
    log_probability: float = 0.0  # of the tokens sampled since the take began
    sampled: int = 0
    before_onset: dict[int, int] = field(default_factory=dict)
    """Every voice's (program's) pitch just before the current onset (the voice guard's
    reference for parallels)."""
    struck_here: set[int] = field(default_factory=set)  # voices struck at the latest onset

    def clone(self, take: int) -> Row:
        """An independent copy (random streams and attribute state included) that is take
        ``take``."""
        generator = torch.Generator().set_state(self.generator.get_state())
        chooser = random.Random()
        chooser.setstate(self.chooser.getstate())
        state = copy.copy(self.state)
        state.track_pitch = dict(self.state.track_pitch)  # each take's own last pitches
        return dataclasses.replace(self, take=take, state=state,
                                   generator=generator, chooser=chooser,
                                   written=list(self.written), bar_lines=list(self.bar_lines),
                                   placed=list(self.placed),
                                   before_onset=dict(self.before_onset),
                                   struck_here=set(self.struck_here))


class Decoder:
    """Feeds the batch's rows through the model with one cache and tracks each row's token
    attributes and position. A chunk names the rows that take part; the others wait (their
    slots in the chunk are padding, which the cache stores nowhere)."""

    def __init__(self, model: MusicTransformer, tokenizer: SongTokenizer, rows: list[Row],
                 capacity: int, device: torch.device | str) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = torch.device(device)
        self.rows = rows
        self.caches = model.new_caches(len(rows), capacity, self.device,
                                       dtype=next(model.parameters()).dtype)
        self._saved: dict[int, tuple] = {}  # row -> what rewind restores

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

    @torch.inference_mode()
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
        """One forward over batch rows ``rows`` (with ``caches`` for exactly those rows); the
        rows' logits come back to the CPU in one transfer (sampling runs there)."""
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
        last = [0] * batch
        for index, tokens in chunks.items():
            last[index - rows.start] = len(tokens) - 1
        logits = self.model(torch.tensor(ids, device=device), attributes,
                            positions=torch.tensor(positions, device=device),
                            valid=torch.tensor(valid, device=device), caches=caches,
                            logits_at=torch.tensor(last, device=device)).float().cpu()
        return {index: logits[index - rows.start] for index in chunks}

    @torch.inference_mode()
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
                   valid=torch.ones(1, count, dtype=torch.bool, device=device), caches=caches,
                   logits_at=torch.tensor([count - 1], device=device))  # (the cache is all)
        return count

    def snapshot(self, index: int) -> None:
        """Remember row ``index`` as it stands, before one token is fed that may be taken
        back (:meth:`rewind`): the cache slot that token will fill, the row's position and
        attribute state."""
        row = self.rows[index]
        slots = []
        for cache in self.caches:
            slot = int(cache.cursor[index])
            slots.append((slot, cache.cursor[index].clone(), *(
                getattr(cache, name)[index, :, slot].clone() for name in ("keys", "values")),
                *(getattr(cache, name)[index, slot].clone()
                  for name in ("positions", "onsets", "pitches", "valid"))))
        state = copy.copy(row.state)
        state.track_pitch = dict(row.state.track_pitch)
        self._saved[index] = (slots, row.position, state)

    def rewind(self, index: int) -> None:
        """Take back the one token fed to row ``index`` since :meth:`snapshot`: the cache,
        position and attribute state are as they were (the slot's old key restored too, so a
        full ring loses nothing)."""
        slots, position, state = self._saved.pop(index)
        for cache, (slot, cursor, keys, values, *rest) in zip(self.caches, slots,
                                                              strict=True):
            cache.keys[index, :, slot] = keys
            cache.values[index, :, slot] = values
            for name, value in zip(("positions", "onsets", "pitches", "valid"), rest,
                                   strict=True):
                getattr(cache, name)[index, slot] = value
            cache.cursor[index] = cursor
        row = self.rows[index]
        row.position, row.state = position, state

    def replace(self, first: int, rows: list[Row]) -> None:
        """Rows ``first`` on become ``rows`` (another song, starting), their caches empty."""
        span = range(first, first + len(rows))
        for cache in self.caches:
            cache.clear(span.start, span.stop)
        self.rows[span.start:span.stop] = rows
        for index in span:
            self._saved.pop(index, None)

    def select(self, order: list[int]) -> None:
        """Rows ``order`` become the batch (a row named twice is copied: the best take
        handed to every take of its song)."""
        index = torch.tensor(order, dtype=torch.long)
        for cache in self.caches:
            cache.select(index)
        self.rows = [self.rows[source] if source == target
                     else self.rows[source].clone(self.rows[target].take)
                     for target, source in enumerate(order)]


