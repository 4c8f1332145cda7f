"""The batch scheduler: every row of a batch (a song, or a take of one) driven through its
bars at its own pace through one cache, each song handed out as it ends and its rows given
to the next plan waiting."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch

from songform.core.errors import InputError
from songform.hierarchy.plan import SongPlan

from .bar_sampler import REWIND, BarSampler, opening_state
from .decoding import Decoder, Row
from .generate_config import GenerateConfig
from .grammar import Grammar
from .jobs import SongJob
from .mixdown import song_from_stream
from .restatement import copy_restated, place_source
from .song import PlannedScore
from .take_judge import TakeJudge
from .tokenizer import SongTokenizer


def finished_songs(writer: BatchWriter, waiting: Iterator[int],
                    new_rows: Callable[[int], list[Row]], tokenizer: SongTokenizer,
                    plans: list[SongPlan], roles: tuple[str, ...]
                    ) -> Iterator[tuple[int, PlannedScore]]:
    """Run ``writer``; each song as it ends, its rows handed to the next waiting song."""
    for first in writer.run():
        row = writer.decoder.rows[first]
        stream = [token for prefix, notes in zip(row.skeleton, row.written, strict=True)
                  for token in prefix + notes]
        song = song_from_stream(tokenizer, plans[row.song], stream, roles, row.seed)
        song.written = tuple(tuple(bar) for bar in row.written)
        following = next(waiting, None)
        if following is not None:
            writer.decoder.replace(first, new_rows(following))
        yield row.song, song


class BatchWriter:
    """Drives every row of the batch through its bars, each at its own pace: a step feeds
    one chunk per row that has one (its bar's plan tokens, a copied bar, or one sampled
    token), so a row that closes its bar early opens the next instead of waiting. Each row's
    chunks are the ones it feeds when written alone, which keeps batched songs equal to
    songs written alone. Takes of a song wait for each other at the end of a section, where
    the best is kept."""

    def __init__(self, decoder: Decoder, jobs: list[SongJob], roles: tuple[str, ...],
                 grammar: Grammar, tones: dict[int, torch.Tensor], config: GenerateConfig,
                 judge: TakeJudge | None, progress: Callable[[int, int], None] | None
                 ) -> None:
        self.decoder, self.jobs, self.roles = decoder, jobs, roles
        self.plans = [job.plan for job in jobs]
        self.grammar, self.tones, self.config, self.judge = grammar, tones, config, judge
        self.progress = progress
        self.samplers: dict[int, BarSampler] = {}
        self.total = sum(plan.num_bars for plan in self.plans)
        self.done = 0

    def run(self) -> Iterator[int]:
        """Write until every row is done; yields the first row of each song as it ends (the
        caller may hand its rows to another song before the next step)."""
        takes = self.config.takes
        while True:
            if self.judge is not None:
                self._judge_finished_sections()
            for first in range(0, len(self.decoder.rows), takes):
                if all(row.stage == "done" for row in self.decoder.rows[first:first + takes]):
                    for row in self.decoder.rows[first:first + takes]:
                        row.stage = "gone"
                    yield first
            chunks = {}
            for index in range(len(self.decoder.rows)):
                chunk = self._next_chunk(index)
                if chunk:
                    chunks[index] = chunk
            if not chunks:
                if any(row.stage in ("judge", "done") for row in self.decoder.rows):
                    continue  # takes closed their section, or a song ended, in this pass
                break
            for index, logits in self.decoder.feed(chunks).items():
                self._after_feed(index, logits)
        assert all(row.stage == "gone" for row in self.decoder.rows), \
            "a row stopped before its last bar"

    def _next_chunk(self, index: int) -> list[str] | None:
        """Row ``index``'s next chunk, moving it on through its bars as far as it can go
        without the model."""
        row = self.decoder.rows[index]
        while True:
            if row.stage == "sampling":
                sampler = self.samplers[index]
                token = sampler.next_token()
                if token == REWIND:  # a position the model meant for a forced part
                    self.decoder.rewind(index)
                    continue
                if token is not None:
                    if sampler.tentative:
                        self.decoder.snapshot(index)
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

    def _skip_given(self, row: Row) -> bool:
        """Given bars the model need not read: all those left when nothing after them is to
        be written, and, before the first bar to write (one take only), those whose tokens
        lie beyond the context it will attend to. They go straight into the song; returns
        whether any did."""
        given = self.jobs[row.song].given
        if not given:
            return False
        first_to_write = next((i for i in range(row.bar, len(row.bars)) if i not in given),
                              None)
        if first_to_write is None:  # the rest is given: nothing more to read
            skipped = len(row.bars) - row.bar
            row.written += [list(given[i]) for i in range(row.bar, len(row.bars))]
            row.bar = len(row.bars)
            row.stage = "done"
        else:
            if row.bar or self.judge is not None:
                return False
            reach, first = 0, first_to_write
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

    def _open_bar(self, index: int, row: Row) -> list[str]:
        bar = row.bars[row.bar]
        if self.judge is not None and not bar.bar_in_section:
            self.judge.reseed(row, bar)
        if self.config.source_in_context:
            place_source(self.decoder, index, row.bar, self.config)
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
            if copied is None and row.bar not in self.jobs[row.song].fresh:
                copied = copy_restated(row, row.bar, plan, self.roles, self.grammar,
                               self.decoder.tokenizer, self.config)
            if copied is not None:
                row.written.append(copied)
                if copied:
                    row.stage = "copy"
                else:  # a given bar without notes
                    self._end_bar(row)
            else:
                self.samplers[index] = BarSampler(
                    row, row.bars[row.bar], plan, self.roles, self.decoder.tokenizer,
                    self.grammar, self.tones, self.config, logits, self.judge is not None,
                    self.jobs[row.song].forced.get(row.bar), self.jobs[row.song].programs)
                row.stage = "sampling"
        elif row.stage == "copied":
            self._end_bar(row)

    def _given(self, row: Row, plan: SongPlan) -> list[str] | None:
        """The bar's given tokens (checked against the grammar), or ``None``."""
        tokens = self.jobs[row.song].given.get(row.bar)
        if tokens is None:
            return None
        tokenizer = self.decoder.tokenizer
        state = opening_state(row.bars[row.bar], plan, self.roles, tokenizer)
        if tokens and not self.grammar.accepts(state, list(tokens), tokenizer.vocab):
            raise InputError(f"bar {row.bar + 1}: the given notes do not fit the plan's bar "
                             "(another plan's notes, or another model's tokens)")
        return list(tokens)

    def _end_bar(self, row: Row) -> None:
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
