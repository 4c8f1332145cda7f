"""One bar's notes sampled token by token under the grammar, and the notes forced into it:
a user's melody to arrange, the song's other parts under an added part or a track written
again (``SongJob.forced``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

from songform.hierarchy.plan import TRACK_ROLES, BarPlan, SongPlan
from songform.hierarchy.styles import four_part

from .decoding import Row
from .grammar import BarState, Grammar
from .sampling import add_bias, restrict, sample
from .tokenizer import ROLE_PROGRAMS, SongTokenizer, token_number, token_type
from .voice_guard import voice_guard


class SamplingSettings(Protocol):
    """What a bar sampler reads of ``generate.GenerateConfig``."""

    temperature: float
    top_p: float
    chord_bias: float
    max_tokens_per_bar: int


def _chord_ids(bar: BarPlan, offset: float, tones: dict[int, torch.Tensor]) -> torch.Tensor:
    """Ids of the pitches of the chord sounding ``offset`` quarters into ``bar``."""
    chord = bar.chord_at(offset)
    if chord is None:
        return torch.zeros(0, dtype=torch.long)
    ids = [tones[pc] for pc in chord.pitch_classes if pc in tones]
    return torch.cat(ids) if ids else torch.zeros(0, dtype=torch.long)


def opening_state(bar: BarPlan, plan: SongPlan, roles: tuple[str, ...],
                   tokenizer: SongTokenizer) -> BarState:
    """The grammar state after ``bar``'s plan tokens: no position yet, the programs of the
    roles the plan lets play there that the model writes."""
    playing = sorted({t.role for t in plan.tracks if t.name in bar.tracks and t.role in roles})
    return BarState(previous="Tracks", position=-1,
                    steps=bar.meter.numerator * tokenizer.settings.beat_resolution,
                    programs=tuple(ROLE_PROGRAMS[role] for role in playing))


@dataclass(frozen=True)
class ForcedNote:
    """A note written, not sampled, inside a sampled bar: its ``Position`` step and its
    ``Program``, ``Pitch``, ``Velocity`` and ``Duration`` tokens."""

    position: int
    tokens: tuple[str, str, str, str]


REWIND = "<rewind>"
"""What a bar sampler returns to take back the token fed last (see ``BarSampler``)."""

ROLE_RANK = {program: TRACK_ROLES.index(role) for role, program in ROLE_PROGRAMS.items()}
"""A program's place among the notes at one onset: the stream lists them by role (melody,
counter-melody, harmony, bass, drums), as POP909's encodings do."""


def forced_notes(tokens: list[str] | tuple[str, ...]) -> list[ForcedNote]:
    """A bar's note tokens as forced notes."""
    notes, position = [], None
    for at, token in enumerate(tokens):
        if token.startswith("Position_"):
            position = token_number(token)
        elif token.startswith("Program_") and position is not None:
            notes.append(ForcedNote(position, tuple(tokens[at:at + 4])))
    return notes


def programs_of(forced: dict[int, list[ForcedNote]]) -> frozenset[str]:
    """The programs of ``forced``'s notes (never sampled in its bars, only written)."""
    return frozenset(note.tokens[0] for notes in forced.values() for note in notes)


class BarSampler:
    """One row's bar of notes, sampled token by token under the grammar.

    With forced notes (a user's melody, the song's other tracks under an added part) the
    forced programs are only written, never sampled, and the notes at one onset keep the
    stream's role order: the model may start a note of its own programs only where the role
    order puts it (before a forced note of a later role, after one of an earlier role), and a
    forced note is written when the model chooses its program, or when nothing else may come
    first. A position the model picks where no forced note starts is tentative: the program
    after it is sampled from every program the plan lets play, and if that is a forced
    program (the model meant a note of a part that has none there) the position is taken
    back (:data:`REWIND`) and the choice made again without it. So the sampled part starts a
    note where the model would put one of its own, not wherever it expected the forced parts
    to play: rejection sampling of (position, program) given that the forced parts have no
    note there. The mass the model puts past the next forced note (or on the bar's end) goes
    to that note's position (:meth:`_fold_beyond`); where a forced note is due, the mass of
    everything but a note of the sampled parts goes to it (:meth:`_fold_due`)."""

    def __init__(self, row: Row, bar: BarPlan, plan: SongPlan, roles: tuple[str, ...],
                 tokenizer: SongTokenizer, grammar: Grammar, tones: dict[int, torch.Tensor],
                 config: SamplingSettings, logits: torch.Tensor, measure_likelihood: bool,
                 forced: list[ForcedNote] | None = None,
                 programs: frozenset[str] = frozenset()) -> None:
        self.row, self.bar, self.config = row, bar, config
        self.tokenizer, self.grammar, self.tones = tokenizer, grammar, tones
        self.state = opening_state(bar, plan, roles, tokenizer)
        self.logits = logits
        self.tokens: list[str] = []
        self.unit = 4 / bar.meter.denominator / tokenizer.settings.beat_resolution
        self.measure = measure_likelihood
        self.pending = sorted(forced or [],  # stable: a chord keeps its given order
                              key=lambda note: (note.position,
                                                ROLE_RANK[token_number(note.tokens[0])]))
        self.queue: list[str] = []
        self.forcing = forced is not None
        self.rank_here = -1  # the role rank of the last note at the current onset
        self.tentative = False  # the last token is a position that may be taken back
        self.refused: list[int] = []  # position ids taken back at this choice
        self.before: tuple | None = None  # (state, rank, logits, log-probability) to go back to
        if self.forcing:
            programs = programs | {note.tokens[0] for note in self.pending}
            self.unforced = tuple(p for p in self.state.programs
                                  if f"Program_{p}" not in programs)
            vocab = tokenizer.vocab
            self.forced_ids = torch.tensor([vocab[p] for p in sorted(programs)],
                                           dtype=torch.long)
            self.unforced_ids = [(ROLE_RANK[p], vocab[f"Program_{p}"]) for p in self.unforced]
            self.forced_mask = torch.zeros(len(vocab), dtype=torch.bool)
            self.forced_mask[self.forced_ids] = True
        self.measured = 0.0
        self.closed = not self.state.programs and not self.pending
        self.guard = voice_guard(tokenizer) if four_part(plan.style) else None
        self.onsets = 0  # onsets written in this bar
        if self.guard is not None:  # what moves past an onset: the next one, the bar's end
            self.moving_on = grammar.type_masks["Position"].clone()
            self.moving_on[grammar.bar] = True

    def next_token(self) -> str | None:
        """The next note token, ``None`` when the bar closes, or :data:`REWIND` when the
        last token is taken back."""
        if self.queue:
            return self._write(self.queue.pop(0))
        if self.closed:
            return None
        confirming, self.tentative = self.tentative, False
        if not confirming and len(self.tokens) >= self.config.max_tokens_per_bar - 4:
            if not self.pending:  # the bar is full: only the forced notes still to come
                return None  # are written
            if self.state.previous not in ("Position", "Program", "Pitch", "PitchDrum",
                                           "Velocity"):
                return self._write(self._forced_next())
        logits, state, config = self.logits, self.state, self.config
        if state.previous == "Program" and config.chord_bias and not state.drum:
            logits = add_bias(logits, _chord_ids(self.bar, state.position * self.unit,
                                                 self.tones), config.chord_bias)
        logits = self.row.lift.apply(logits, state, self.bar)
        allowed = self.grammar.mask(state)
        if self.guard is not None and state.previous == "Program" and not state.drum:
            allowed = self._guarded(allowed)
        elif self.guard is not None and state.previous == "Duration":
            allowed = self.guard.once_an_onset(allowed, self.row.struck_here)
        if (self.guard is not None and self.onsets == 1 and self.bar.bar_in_phrase == 0
                and state.previous in ("Position", "Duration")):
            allowed = self.guard.enter_together(allowed, self.row.struck_here, self.moving_on)
        if self.forcing and not confirming:
            if self._due_here():
                logits = self._fold_due(logits, allowed)
            elif self.pending:
                logits = self._fold_beyond(logits, allowed)
            allowed = self._around_forced(allowed)
            if self.refused:
                allowed[self.refused] = False
            choices = allowed.nonzero()
            if len(choices) == 0 or (len(choices) == 1 and self._due_here()
                                     and self.tokenizer.inverse[int(choices[0])]
                                     == self.pending[0].tokens[0]):
                return self._write(self._forced_next())  # nothing else may come first
        choice = sample(logits, allowed, self.row.generator, temperature=config.temperature,
                        nucleus=config.top_p)
        if confirming and bool(self.forced_mask[choice]):
            return self._take_back()
        if self.measure:  # the model's own probability, before plan guidance
            gained = float(torch.log_softmax(restrict(self.logits, allowed), dim=-1)[choice])
            self.row.log_probability += gained
            self.row.sampled += 1
            self.measured = gained
        if choice == self.grammar.bar:
            self.closed = True
            return None
        token = self.tokenizer.inverse[choice]
        if (self.forcing and token.startswith("Position_") and self.unforced
                and not (self.pending and self.pending[0].position == token_number(token))):
            self.before = (self.state, self.rank_here, self.logits,
                           self.measured if self.measure else 0.0)
            self.tentative = True
        return self._write(token)

    def _fold_beyond(self, logits: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        """``logits`` with the mass of every position past the next forced note, and of the
        bar's end, moved onto that note's position: the model's "nothing of mine before
        then" (it cannot know the forced note is there), which masking alone would hand to
        the sampled parts."""
        position = self.pending[0].position
        grammar = self.grammar
        beyond = allowed & grammar.type_masks["Position"] & (grammar.values >= position)
        beyond[grammar.bar] = bool(allowed[grammar.bar])
        target = self.tokenizer.vocab[f"Position_{position}"]
        if not bool(allowed[target]):
            return logits
        logits = logits.clone()
        logits[target] = torch.logsumexp(logits[beyond], dim=0)
        return logits

    def _fold_due(self, logits: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        """``logits`` at an onset where a forced note is due, with the mass of everything but
        a note of the sampled parts (a later position, the bar's end, another program) moved
        onto the forced note's program: the model's "nothing of mine here"."""
        pending = self.tokenizer.vocab[self.pending[0].tokens[0]]
        ceiling = ROLE_RANK[token_number(self.pending[0].tokens[0])]
        others = allowed.clone()
        for rank, index in self.unforced_ids:
            if self.rank_here <= rank < ceiling:
                others[index] = False
        others[pending] = True
        logits = logits.clone()
        logits[pending] = torch.logsumexp(logits[others], dim=0)
        return logits

    def _take_back(self) -> str:
        """Undo the tentative position: the state and logits before it, the position refused
        at this choice."""
        token = self.tokens.pop()
        self.onsets -= 1  # the position taken back
        self.state, self.rank_here, self.logits, measured = self.before
        if self.measure:
            self.row.log_probability -= measured
            self.row.sampled -= 1
        self.refused.append(self.tokenizer.vocab[token])
        return REWIND

    def _due_here(self) -> bool:
        """Whether the next forced note starts at the current onset (and may start now)."""
        return (bool(self.pending) and self.state.previous in ("Position", "Duration")
                and self.pending[0].position == self.state.position)

    def _forced_next(self) -> str:
        """The token that moves on to the next forced note: its program when it is due at
        this onset, else its position."""
        if self._due_here():
            return self.pending[0].tokens[0]
        return f"Position_{self.pending[0].position}"

    def _write(self, token: str) -> str:
        """Take ``token``; the program of a forced note due at this onset queues the rest of
        that note."""
        if not self.tentative:
            self.refused.clear()
        if token.startswith("Position_"):
            self.rank_here = -1
            self.onsets += 1
            self._next_onset()
        elif token.startswith("Program_"):
            self.row.struck_here.add(token_number(token))
            if self.forcing and self._due_here() and token == self.pending[0].tokens[0]:
                self.queue += self.pending.pop(0).tokens[1:]
            self.rank_here = ROLE_RANK[token_number(token)]
        self.state = self.state.advance(token)
        self.tokens.append(token)
        return token

    def _latest(self) -> dict[int, int]:
        """Each program's latest pitch in the song so far."""
        return {int(program): pitch for program, pitch in self.row.state.track_pitch.items()
                if program.lstrip("-").isdigit()}

    def _next_onset(self) -> None:
        """A new onset: every voice's pitch now is the one before it."""
        self.row.before_onset = self._latest()
        self.row.struck_here = set()

    def _guarded(self, allowed: torch.Tensor) -> torch.Tensor:
        """``allowed`` pitches of the voice whose program was just chosen, under the voice
        guard (``voice_guard.VoiceGuard``); unchanged for a program that is not a voice."""
        program = token_number(self.tokens[-1])
        mask = self.guard.mask(program, self._latest(), self.row.before_onset)
        return allowed if mask is None else allowed & mask.to(allowed.device)

    def _around_forced(self, allowed: torch.Tensor) -> torch.Tensor:
        """``allowed`` under the forced notes: no forced program except a note due at this
        onset, no sampled program out of role order at this onset; while forced notes remain,
        no bar end and no position past the next one (and, where no other program may play,
        only that position)."""
        allowed = allowed.clone()
        allowed[self.forced_ids] = False
        due = self._due_here()
        ceiling = ROLE_RANK[token_number(self.pending[0].tokens[0])] if due else len(TRACK_ROLES)
        for rank, index in self.unforced_ids:
            if not self.rank_here <= rank < ceiling:
                allowed[index] = False
        if due:  # the forced note is next unless the model starts an earlier role's note
            allowed &= ~self.grammar.type_masks["Position"]
            allowed[self.grammar.bar] = False
            allowed[self.tokenizer.vocab[self.pending[0].tokens[0]]] = True
        elif not self.unforced and not self.pending:  # nothing left to write: the bar ends
            allowed &= ~self.grammar.type_masks["Position"]
        elif self.pending:
            position = self.pending[0].position
            values = self.grammar.values
            positions = self.grammar.type_masks["Position"]
            allowed &= ~(positions & (values > position))
            if not self.unforced:
                allowed &= ~(positions & (values != position))
            allowed[self.grammar.bar] = False
        return allowed

    def finish(self) -> list[str]:
        """The bar's tokens, an unfinished last note dropped."""
        tokens = self.tokens
        while tokens and token_type(tokens[-1]) != "Duration":
            tokens.pop()
        return tokens
