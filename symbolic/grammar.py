"""The token grammar, once: which token types may follow which (the type graph every encoded
sequence obeys), and the pure function from a bar's decoding state to the mask of token ids
that may come next. Generation samples under it; forced material (restated bars, a user's
melody) is checked against it; the tests walk real encodings through it.

A bar reads ``Bar [TimeSig] <plan tokens> (ChordAt Chord)* (Position (Program Pitch Velocity
Duration)+)* ``: the plan tokens are forced, so decoding inside a bar only ever chooses among the
*note* types below, plus ``Bar``, which closes the bar.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from .tokenizer import PLAN_ORDER, SongTokenizer, token_type

_AFTER_PLAN = ("ChordAt", "Position", "Bar", "EOS")
TYPE_GRAPH: dict[str, tuple[str, ...]] = {
    "BOS": ("Bar",), "Bar": ("TimeSig", "Idiom", "Section"), "TimeSig": ("Idiom", "Section"),
    **{kind: (after,) for kind, after in zip(PLAN_ORDER, PLAN_ORDER[1:], strict=False)},
    "Tracks": _AFTER_PLAN, "ChordAt": ("Chord",), "Chord": _AFTER_PLAN,
    "Position": ("Program",), "Program": ("Pitch", "PitchDrum"),
    "Pitch": ("Velocity",), "PitchDrum": ("Velocity",),
    "Velocity": ("Duration",), "Duration": ("Program", "Position", "Bar", "EOS"),
}
"""Which token types may follow which, for every token type of the song tokenizer."""

NOTE_TYPES = frozenset({"Position", "Program", "Pitch", "PitchDrum", "Velocity", "Duration",
                        "Bar"})
"""What decoding inside a bar may choose: note tokens, and ``Bar`` to close the bar."""


def follows(previous: str, token: str) -> bool:
    """Whether ``token`` may follow ``previous`` in a sequence (by their types)."""
    return token_type(token) in TYPE_GRAPH.get(token_type(previous), ())


def note_tokens_problem(tokens: list[str], vocab: dict[str, int]) -> str | None:
    """What is wrong with one bar's note tokens as stored (``Position (Program Pitch Velocity
    Duration)+`` groups, every token in ``vocab``), or ``None``."""
    previous = None
    for token in tokens:
        if token not in vocab:
            return f'"{token}" is not in the vocabulary of the model'
        if previous is None and token_type(token) != "Position":
            return f'the bar opens on "{token}", not on a Position'
        if token_type(token) not in NOTE_TYPES - {"Bar"} or (
                previous is not None and not follows(previous, token)):
            return f'"{token}" cannot follow "{previous}"'
        previous = token
    if previous is not None and token_type(previous) != "Duration":
        return f'the bar ends on "{previous}", inside a note'
    return None


@dataclass(frozen=True)
class BarState:
    """Where the decoding of one bar's notes stands.

    Attributes:
        previous: the type of the last token (the bar's last plan token at the start).
        position: the last ``Position`` step written in this bar (-1: none yet).
        steps: positions in the bar (the meter's beats times the beat resolution).
        programs: the ``Program`` values that may play in this bar (the plan's roles).
        drum: whether the current note is a drum note (``Program_-1``).
        program: the current note's ``Program`` value (``None`` before the first).
    """

    previous: str
    position: int
    steps: int
    programs: tuple[int, ...]
    drum: bool = False
    program: int | None = None

    def advance(self, token: str) -> BarState:
        """The state after ``token`` (pure)."""
        kind, _, value = token.partition("_")
        if kind == "Position":
            return replace(self, previous=kind, position=int(value))
        if kind == "Program":
            return replace(self, previous=kind, drum=int(value) == -1, program=int(value))
        return replace(self, previous=kind)


class Grammar:
    """Boolean masks over the vocabulary, built once from the tokenizer; :meth:`mask` maps a
    :class:`BarState` to the ids that may come next."""

    def __init__(self, tokenizer: SongTokenizer) -> None:
        vocab = tokenizer.vocab
        self.size = len(vocab)
        self.bar = vocab["Bar_None"]
        types = [""] * self.size
        values = torch.full((self.size,), -10**6, dtype=torch.long)  # a token's integer value
        for token, index in vocab.items():
            types[index] = token_type(token)
            value = token.partition("_")[2]
            if types[index] in ("Position", "Program") and value.lstrip("-").isdigit():
                values[index] = int(value)
        self.type_masks = {kind: torch.tensor([t == kind for t in types])
                           for kind in set(types)}
        self.values = values
        self._masks: dict[BarState, torch.Tensor] = {}  # a bar has few distinct states

    def _of_type(self, kind: str) -> torch.Tensor:
        return self.type_masks.get(kind, torch.zeros(self.size, dtype=torch.bool))

    def mask(self, state: BarState) -> torch.Tensor:
        """``[V]`` bool: the tokens that may follow in a bar in ``state`` (built once per
        state, then shared: do not modify it)."""
        cached = self._masks.get(state)
        if cached is None:
            if len(self._masks) > 4096:
                self._masks.clear()
            cached = self._masks[state] = self._build(state)
        return cached

    def _build(self, state: BarState) -> torch.Tensor:
        allowed = torch.zeros(self.size, dtype=torch.bool)
        for kind in TYPE_GRAPH.get(state.previous, ()):
            if kind not in NOTE_TYPES:
                continue
            if kind == "Position":
                allowed |= (self._of_type(kind) & (self.values > state.position)
                            & (self.values < state.steps))
            elif kind == "Program":
                allowed |= self._of_type(kind) & torch.isin(
                    self.values, torch.tensor(state.programs, dtype=torch.long))
            elif kind in ("Pitch", "PitchDrum"):
                if (kind == "PitchDrum") == state.drum:
                    allowed |= self._of_type(kind)
            else:
                allowed |= self._of_type(kind)
        return allowed

    def allows(self, state: BarState, token_id: int) -> bool:
        return bool(self.mask(state)[token_id])

    def accepts(self, state: BarState, tokens: list[str], vocab: dict[str, int]) -> bool:
        """Whether forced note tokens (a copied bar, a user's melody) are a complete bar
        from ``state``: each allowed in turn, and the bar may close after the last."""
        for token in tokens:
            if token not in vocab or not self.allows(state, vocab[token]):
                return False
            state = state.advance(token)
        return self.allows(state, self.bar)
