"""Restated bars: a bar the plan marks as restating an earlier one copies that bar's notes
(moved to its key) unless its variation draws a fresh bar; a varied phrase hears its source
phrase placed just before it in the cache."""

from __future__ import annotations

from songform.hierarchy.plan import SongPlan

from .bar_sampler import opening_state
from .decoding import Decoder, Row
from .generate_config import GenerateConfig
from .grammar import Grammar
from .tokenizer import SongTokenizer, token_number


def transposed_tokens(tokens: list[str], shift: int) -> list[str]:
    """Note tokens moved by ``shift`` semitones (drums stay): a restatement in another key
    keeps its intervals against the new key (a pitch past the vocabulary makes the copy
    fail the grammar, and the bar is sampled instead)."""
    if not shift:
        return list(tokens)
    return [f"Pitch_{token_number(t) + shift}" if t.startswith("Pitch_") else t for t in tokens]


def place_source(decoder: Decoder, row_index: int, index: int, config: GenerateConfig
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


def copy_restated(row: Row, index: int, plan: SongPlan, roles: tuple[str, ...], grammar: Grammar,
          tokenizer: SongTokenizer, config: GenerateConfig) -> list[str] | None:
    """The notes of the bar that bar ``index`` restates (transposed to its key), when the
    plan's variation draws a copy and the copy fits the grammar; else ``None``."""
    bar = row.bars[index]
    source = bar.repeat_of_bar
    if source is None or not config.copy_repeats:
        return None
    copied = transposed_tokens(row.written[source], row.bars[source].key.interval_to(bar.key))
    if (row.chooser.random() >= bar.variation
            and grammar.accepts(opening_state(bar, plan, roles, tokenizer), copied,
                                tokenizer.vocab)):
        return copied  # (a silent source bar is restated silent)
    return None
