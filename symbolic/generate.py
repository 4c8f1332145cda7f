"""The Music Transformer writes a song bar by bar under its plan.

Every bar opens with the plan's tokens for it (bar line, meter, section, label, key, energy,
tracks, chords), fed to the model as one chunk and never sampled; then the model samples the
bar's notes under the token grammar: positions move forward inside the bar, programs are the
roles that the plan lets play there (and that the model was trained on), each note is pitch,
velocity, duration. A bar that restates an earlier one (the plan's ``repeat_of_bar``) copies
that bar's notes, unless its ``variation`` draws a fresh bar. Decoding runs through the
ring-buffer cache with explicit positions (``symbolic/decoding.py``), so every token costs the
same however long the song is: generation is linear in the song's length. Several songs, or
several takes of each section, are written side by side in one batch, each row at its own
pace; the best take of a section by ``symbolic/takes.py``'s score is kept.

The stream becomes the plan's tracks in ``symbolic/mixdown.py``: roles the model does not
write (a POP909 model knows melody, counter-melody and harmony) come from the baseline
arranger, so the plan's every track sounds, and the plan's energy sets the dynamics.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import torch

from songform.core.errors import InputError
from songform.hierarchy.plan import TRACK_ROLES, BarPlan, SongPlan

from .bar_sampler import (
    REWIND,
    BarSampler,
    ForcedNote,
    opening_state,
    programs_of,
)
from .decoding import Decoder, Row
from .generate_config import GenerateConfig
from .grammar import BarState, Grammar
from .mixdown import song_from_stream
from .model import MusicTransformer
from .sampling import add_bias, add_ramp
from .song import PlannedScore
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
from .tokenizer import ROLE_PROGRAMS, AttributeState, SongTokenizer


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


def transposed_tokens(tokens: list[str], shift: int) -> list[str]:
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
                   fresh: list[set[int]] | None = None,
                   forced: list[dict[int, list[ForcedNote]]] | None = None,
                   forced_programs: list[frozenset[str]] | None = None,
                   batch: int | None = None) -> list[PlannedScore]:
    """Write several songs side by side through one cache (plans may differ in length); the
    songs in plan order. Each comes out as :func:`generate` writes it alone with its seed.
    Arguments as in :func:`write_songs`."""
    songs = dict(write_songs(model, tokenizer, plans, seeds, config, roles, progress, given,
                             fresh, forced, forced_programs, batch))
    return [songs[index] for index in range(len(plans))]


def write_songs(model: MusicTransformer, tokenizer: SongTokenizer, plans: list[SongPlan],
                seeds: list[int], config: GenerateConfig | None = None,
                roles: tuple[str, ...] | None = None,
                progress: Callable[[int, int], None] | None = None,
                given: list[dict[int, list[str]]] | None = None,
                fresh: list[set[int]] | None = None,
                forced: list[dict[int, list[ForcedNote]]] | None = None,
                forced_programs: list[frozenset[str]] | None = None,
                batch: int | None = None) -> Iterator[tuple[int, PlannedScore]]:
    """Write several songs side by side through one cache, ``(plan index, song)`` as each is
    finished. At most ``batch`` songs are in flight (default: all); when one ends, the next
    plan takes its rows (longest plans first, so that no long song is left to run alone at
    the end). Each song comes out as :func:`generate` writes it alone with its seed. With
    ``config.takes`` above 1 every section is written that many times side by side and the
    take that best keeps the plan (``symbolic.takes``) is kept.

    Args:
        plans, seeds: one seed per plan.
        progress: called ``(bars done, bars)`` over all songs.
        given: per plan, bars whose note tokens are given (``{bar index: tokens}``): fed to
            the model as written, never sampled (the rest of a song when one part is
            written again).
        fresh: per plan, bars sampled afresh even where the plan restates an earlier bar
            (the part a user asked to write again).
        forced: per plan, notes of one program forced inside sampled bars (``{bar index:
            [ForcedNote]}``: a user's melody to arrange): each is written at its position
            and the model samples only the other programs around it (see ``BarSampler``);
            the bars that hold them should be ``fresh``.
        forced_programs: per plan, the programs never sampled in its forced bars (default:
            those of its forced notes; give them where a part may be silent for a whole
            song).
        batch: songs written side by side at most (each takes ``config.takes`` rows).

    Raises:
        InputError: the arguments do not match the plans, or a plan has bars the model has
            no tokens for (before anything is decoded).
    """
    config = config or GenerateConfig()
    roles = tuple(roles or TRACK_ROLES)
    if len(plans) != len(seeds) or not plans:
        raise InputError("generate_batch needs one seed per plan, and at least one plan")
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int)
                              or batch < 1):
        raise InputError(f"batch must be a positive integer, got {batch!r}")
    given = given or [{} for _ in plans]
    fresh = fresh or [set() for _ in plans]
    forced = forced or [{} for _ in plans]
    forced_programs = forced_programs or [programs_of(bars) for bars in forced]
    if len(given) != len(plans) or len(fresh) != len(plans) or len(forced) != len(plans) \
            or len(forced_programs) != len(plans):
        raise InputError("generate_batch needs given, fresh and forced bars per plan")
    skeletons = [plan_skeleton(tokenizer, plan, roles) for plan in plans]
    for skeleton in skeletons:
        _check_vocabulary(tokenizer, skeleton)
    model.eval()
    device = next(model.parameters()).device
    grammar = Grammar(tokenizer)
    tones = _chord_tone_ids(tokenizer)
    order = sorted(range(len(plans)), key=lambda song: -plans[song].num_bars)

    def new_rows(song: int) -> list[Row]:
        """The rows of song ``song``: one per take."""
        plan, seed = plans[song], seeds[song]
        bars = list(plan.bars())
        lift = _EnergyLift(tokenizer, sum(b.energy for b in bars) / len(bars), config)
        return [Row(song, take, seed, bars, skeletons[song], lift,
                    AttributeState(bars, tokenizer.settings.beat_resolution),
                    torch.Generator().manual_seed(seed), random.Random(seed))
                for take in range(config.takes)]

    first = order[:batch or len(plans)]
    rows = [row for song in first for row in new_rows(song)]
    decoder = Decoder(model, tokenizer, rows, config.context, device)
    judge = _TakeJudge(plans, tokenizer, config.takes) if config.takes > 1 else None
    writer = _BatchWriter(decoder, plans, roles, grammar, tones, config, judge, progress, given,
                          fresh, forced, forced_programs)
    waiting = iter(order[len(first):])
    return _finished_songs(writer, waiting, new_rows, tokenizer, plans, roles)


def _finished_songs(writer: _BatchWriter, waiting: Iterator[int],
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


class _BatchWriter:
    """Drives every row of the batch through its bars, each at its own pace: a step feeds
    one chunk per row that has one (its bar's plan tokens, a copied bar, or one sampled
    token), so a row that closes its bar early opens the next instead of waiting. Each row's
    chunks are the ones it feeds when written alone, which keeps batched songs equal to
    songs written alone. Takes of a song wait for each other at the end of a section, where
    the best is kept."""

    def __init__(self, decoder: Decoder, plans: list[SongPlan], roles: tuple[str, ...],
                 grammar: Grammar, tones: dict[int, torch.Tensor], config: GenerateConfig,
                 judge: _TakeJudge | None, progress: Callable[[int, int], None] | None,
                 given: list[dict[int, list[str]]], fresh: list[set[int]],
                 forced: list[dict[int, list[ForcedNote]]],
                 forced_programs: list[frozenset[str]]) -> None:
        self.decoder, self.plans, self.roles, self.given = decoder, plans, roles, given
        self.fresh, self.forced, self.forced_programs = fresh, forced, forced_programs
        self.grammar, self.tones, self.config, self.judge = grammar, tones, config, judge
        self.progress = progress
        self.samplers: dict[int, BarSampler] = {}
        self.total = sum(plan.num_bars for plan in plans)
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
        given = self.given[row.song]
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
                self.samplers[index] = BarSampler(
                    row, row.bars[row.bar], plan, self.roles, self.decoder.tokenizer,
                    self.grammar, self.tones, self.config, logits, self.judge is not None,
                    self.forced[row.song].get(row.bar), self.forced_programs[row.song])
                row.stage = "sampling"
        elif row.stage == "copied":
            self._end_bar(row)

    def _given(self, row: Row, plan: SongPlan) -> list[str] | None:
        """The bar's given tokens (checked against the grammar), or ``None``."""
        tokens = self.given[row.song].get(row.bar)
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


def _place_source(decoder: Decoder, row_index: int, index: int, config: GenerateConfig
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


def _copy(row: Row, index: int, plan: SongPlan, roles: tuple[str, ...], grammar: Grammar,
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

    def reseed(self, row: Row, bar: BarPlan) -> None:
        """At a section's first bar: reseed a take above 0 and restart its likelihood."""
        if row.take:
            row.generator.manual_seed(_take_seed(row.seed, bar.section_index, row.take))
        row.log_probability, row.sampled = 0.0, 0

    def keep_best(self, decoder: Decoder, first: int, index: int) -> None:
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


