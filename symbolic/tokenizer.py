"""The tokenizer that training and generation share: miditok's REMI with programs, plus our
plan tokens at the start of every bar.

Why REMI (one stream, programs inline) rather than a compound scheme: every token is one
event, so each can carry the pitch, onset and duration it stands for, which the model's FME
embeddings and RIPO attention need per position; compound tokens would bundle several notes'
attributes into one position. On POP909 it costs about 60 tokens a bar (bench/RESULTS.md).

``Program`` tokens name the track's role, not its General MIDI instrument (the plan holds the
instruments): melody 73, counter-melody 48, harmony 0, bass 33, drums -1 (programs that sound
like the role when a stream is decoded without its plan). So POP909's three piano tracks stay
apart, every corpus speaks one role vocabulary, and generation writes a role's notes into the
plan's track of that role. Tracks that share a role share a stream.

A bar reads::

    Bar  [TimeSig]  Idiom_pop  Section_chorus  Label_B  BarInSection_3  Key_7maj  Meter_4/4
    Energy_5  Tracks_harmony+melody  ChordAt_0 Chord_7:maj  ChordAt_2 Chord_4:min
    Position_0 Program_0 Pitch_67 Velocity_95 Duration_1.0.4 ...

``Idiom`` names the corpus idiom the plan's style is written in (pop, chorale, folk:
``hierarchy.styles.IDIOMS``). Tokens added after the first shipped model (the idioms, the
``phrase`` and ``strain`` section kinds) sit at the end of the vocabulary and only in a
tokenizer whose settings list them, so a checkpoint without them keeps its token ids and
reads such a plan as pop, its new section kinds as verses.

Per-token attributes are causal (they use only the token and what came before it): a
``Pitch`` token carries its pitch and onset; ``Velocity`` the same; ``Duration`` the note's
pitch, onset and duration; ``Position`` its onset and the last pitch played; ``Program`` the
last pitch its track played; ``Key`` its tonic and ``Chord`` its root as pitches (see
:class:`AttributeState`); plan and bar tokens the bar's start; the chord tokens their chord's
onset. Onsets are in beats (quarter notes) from the song's start.

Preprocessing (miditok's, documented by its config below): onsets and durations quantised to
``beat_resolution`` steps per beat, velocities to ``num_velocities`` bins, durations capped at
``max_duration_beats``, overlapping notes of one pitch and program merged. The round trip
``song -> tokens -> song`` reproduces the preprocessed notes exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import asdict, dataclass, field

import numpy as np
from miditok import REMI
from miditok import TokenizerConfig as MiditokConfig
from symusic import Score

from songform.core.errors import InputError
from songform.hierarchy.chord import Chord
from songform.hierarchy.chord_model import simplify_chord
from songform.hierarchy.labels import KNOWN_LETTERS
from songform.hierarchy.plan import ENERGY_LEVELS, SECTION_KINDS, TRACK_ROLES, BarPlan, SongPlan
from songform.hierarchy.styles import IDIOMS, style_idiom

from .schemes import SONG_SCHEME
from .song import PlannedScore, truncate_score

PLAN_ORDER = ("Idiom", "Section", "Label", "BarInSection", "Key", "Meter", "Energy", "Tracks")
PLAN_KINDS = (*PLAN_ORDER, "ChordAt", "Chord")
"""The kinds of the plan's own tokens in a bar (never sampled, never notes)."""
OPENING_KINDS = ("Bar", "TimeSig", *PLAN_KINDS)
"""Every kind a bar opens with before its notes: the bar line, the meter, the plan."""
NOTE_ORDER = ("Program", "Pitch", "Velocity", "Duration")
ROLE_PROGRAMS = {"melody": 73, "counter-melody": 48, "harmony": 0, "bass": 33, "drums": -1}
PROGRAM_ROLES = {program: role for role, program in ROLE_PROGRAMS.items()}
TONIC_REGISTER, ROOT_REGISTER = 60, 48  # the pitches Key and Chord tokens carry
LATE_SECTIONS = ("phrase", "strain")
"""Section kinds added to the vocabulary's end with the idioms (older tokenizers lack them)."""
QUALITY_NAMES = ("maj", "min", "dim", "aug", "sus2", "sus4", "7", "maj7", "min7", "hdim7",
                 "dim7", "7sus4")


@dataclass(frozen=True)
class TokenizerSettings:
    """Settings of the note stream and the plan vocabulary."""

    beat_resolution: int = 4  # positions per beat
    num_velocities: int = 8
    max_duration_beats: int = 8
    max_bar_in_section: int = 64
    meters: dict = field(default_factory=lambda: {8: [3, 5, 6, 7, 9, 12],
                                                  4: [1, 2, 3, 4, 5, 6, 7], 2: [2, 3, 4]})
    idioms: tuple[str, ...] = IDIOMS
    """The ``Idiom`` tokens (none: a tokenizer from before them, which also lacks
    :data:`LATE_SECTIONS`)."""

    def __post_init__(self) -> None:
        for name, high in (("beat_resolution", 32), ("num_velocities", 128),
                           ("max_duration_beats", 64), ("max_bar_in_section", 1024)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
                raise InputError(f"tokenizer {name} must be an integer from 1 to {high}, got "
                                 f"{value!r}")
        meters = self.meters
        if not isinstance(meters, dict) or not all(
                d in (1, 2, 4, 8, 16, 32) and isinstance(ns, list)
                and all(isinstance(n, int) and 1 <= n <= 32 for n in ns)
                for d, ns in meters.items()):
            raise InputError(f"tokenizer meters must map denominators to numerators 1-32, got "
                             f"{meters!r}")
        idioms = self.idioms
        if not isinstance(idioms, (tuple, list)) or not all(
                isinstance(i, str) and i.isidentifier() for i in idioms) \
                or len(set(idioms)) != len(idioms):
            raise InputError(f"tokenizer idioms must be distinct names, got {idioms!r}")
        object.__setattr__(self, "idioms", tuple(idioms))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TokenizerSettings:
        """The inverse of :meth:`to_dict`, also after a JSON round trip (string meter keys)."""
        values = dict(data)
        values.setdefault("idioms", ())  # settings saved before the idioms had none
        if "meters" in values:
            values["meters"] = {int(k): list(v) for k, v in values["meters"].items()}
        return cls(**values)

    def miditok(self) -> MiditokConfig:
        return MiditokConfig(
            use_programs=True, one_token_stream_for_programs=True, use_time_signatures=True,
            use_tempos=False, use_chords=False, use_rests=False,
            beat_res={(0, self.max_duration_beats): self.beat_resolution},
            num_velocities=self.num_velocities, time_signature_range=dict(self.meters),
            special_tokens=["PAD", "BOS", "EOS"])


@dataclass
class TokenSequence:
    """Token ids with their per-token attributes (``pitch`` -1 / NaN onset or duration:
    none), all of one length."""

    ids: list[int]
    tokens: list[str]
    pitches: np.ndarray
    onsets: np.ndarray
    durations: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def token_type(token: str) -> str:
    """A token's kind: ``Pitch`` of ``Pitch_60``."""
    return token.split("_", 1)[0]


def token_value(token: str) -> str:
    """A token's value: ``60`` of ``Pitch_60``, ``1.0.4`` of ``Duration_1.0.4``."""
    return token.split("_", 1)[1]


def token_number(token: str) -> int:
    """The whole-number value of a ``Pitch``, ``Position``, ``Program``... token."""
    return int(token.split("_", 1)[1])


def _tracks_token(bar: BarPlan, plan: SongPlan, writes: Collection[str] | None) -> str:
    roles = sorted({t.role for t in plan.tracks if t.name in bar.tracks
                    and (writes is None or t.role in writes)})
    return "Tracks_" + ("+".join(roles) if roles else "none")


def _chord_token(symbol: str) -> str:
    chord = Chord.parse(symbol)
    if chord.root is None:
        return "Chord_N"
    simple = simplify_chord(chord)
    return f"Chord_{simple.root}:{simple.quality}"


class SongTokenizer:
    """Songs <-> token sequences (REMI + programs + plan tokens), with per-token attributes."""

    def __init__(self, settings: TokenizerSettings | None = None) -> None:
        self.settings = settings or TokenizerSettings()
        self.base = REMI(self.settings.miditok())
        for token in self._plan_vocabulary():
            self.base.add_to_vocab(token)
        self.vocab: dict[str, int] = dict(self.base.vocab)
        self.inverse = {i: t for t, i in self.vocab.items()}

    def _plan_vocabulary(self) -> list[str]:
        tokens = [f"Section_{k}" for k in SECTION_KINDS if k not in LATE_SECTIONS]
        tokens += [f"Label_{letter}" for letter in sorted(KNOWN_LETTERS)]
        tokens += [f"BarInSection_{i}" for i in range(self.settings.max_bar_in_section)]
        tokens += [f"Key_{pc}{mode}" for pc in range(12) for mode in ("maj", "min")]
        tokens += [f"Meter_{n}/{d}" for d, ns in self.settings.meters.items() for n in ns]
        tokens += [f"Energy_{e}" for e in range(ENERGY_LEVELS)]
        roles = list(TRACK_ROLES)
        for size in range(0, len(roles) + 1):
            for combo in itertools.combinations(sorted(roles), size):
                tokens.append("Tracks_" + ("+".join(combo) if combo else "none"))
        steps = self.settings.beat_resolution * 8 * 4  # chord offsets up to 32 beats
        tokens += [f"ChordAt_{i}" for i in range(steps)]
        tokens += ["Chord_N"] + [f"Chord_{pc}:{q}" for pc in range(12) for q in QUALITY_NAMES]
        if self.settings.idioms:  # appended, so older checkpoints keep their ids
            tokens += [f"Section_{k}" for k in LATE_SECTIONS]
            tokens += [f"Idiom_{i}" for i in self.settings.idioms]
        return tokens

    def __len__(self) -> int:
        return len(self.vocab)

    def config(self) -> dict:
        """What identifies the token streams (the corpus cache's fingerprint)."""
        return {"scheme": SONG_SCHEME, "settings": self.settings.to_dict(),
                "vocab_size": len(self.vocab)}

    # -- plan tokens ------------------------------------------------------------------------
    def plan_tokens(self, bar: BarPlan, plan: SongPlan,
                    writes: Collection[str] | None = None) -> list[str]:
        """The plan tokens that open ``bar`` (``Tracks_`` names the roles of ``plan``'s tracks
        that play in it, only those in ``writes`` when given: what a model writes)."""
        kind = bar.section_kind
        if f"Section_{kind}" not in self.vocab:
            kind = "verse"  # a tokenizer from before the kind: its nearest, a verse
        idiom = self._idiom(plan)
        tokens = [f"Idiom_{idiom}"] if idiom else []
        tokens += [f"Section_{kind}", f"Label_{bar.phrase_label}",
                  f"BarInSection_{min(bar.bar_in_section, self.settings.max_bar_in_section - 1)}",
                  f"Key_{bar.key.tonic}{'maj' if bar.key.mode == 'major' else 'min'}",
                  f"Meter_{bar.meter.numerator}/{bar.meter.denominator}",
                  f"Energy_{bar.energy}", _tracks_token(bar, plan, writes)]
        for event in bar.chords:
            step = int(round(event.offset * self.settings.beat_resolution))
            tokens += [f"ChordAt_{step}", _chord_token(event.symbol)]
        return tokens

    def _idiom(self, plan: SongPlan) -> str | None:
        """The ``Idiom`` of ``plan``'s style, the first idiom (pop) for one this tokenizer
        lacks, ``None`` for a tokenizer without idioms."""
        idioms = self.settings.idioms
        if not idioms:
            return None
        idiom = style_idiom(plan.style)
        return idiom if idiom in idioms else idioms[0]

    def bar_opening(self, bar: BarPlan, plan: SongPlan, writes: Collection[str] | None = None,
                    time_signature: bool = True) -> list[str]:
        """What opens ``bar`` in a stream: the bar line, the ``TimeSig`` (miditok writes one in
        every bar it encodes), then :meth:`plan_tokens`."""
        meter = bar.meter
        signature = [f"TimeSig_{meter.numerator}/{meter.denominator}"] if time_signature else []
        return ["Bar_None", *signature, *self.plan_tokens(bar, plan, writes)]

    # -- encoding ---------------------------------------------------------------------------
    @staticmethod
    def _clipped(song: PlannedScore) -> Score:
        """The score cut at the plan's end (note tails past the last bar line shortened), each
        track's program set to its role's (:data:`ROLE_PROGRAMS`)."""
        score = truncate_score(song.score, song.end_tick)
        roles = {t.name: t.role for t in song.plan.tracks}
        for track in score.tracks:
            role = roles.get(track.name, "drums" if track.is_drum else "harmony")
            track.is_drum = role == "drums"
            track.program = 0 if track.is_drum else ROLE_PROGRAMS[role]
        return score

    def preprocess(self, song: PlannedScore) -> Score:
        """What a round trip reproduces: the score cut at the plan's end, then miditok's
        preprocessing (quantisation, velocity bins, merged overlaps), less notes that
        quantisation moved onto the end."""
        score = self.base.preprocess_score(self._clipped(song))
        end = song.end_tick * score.ticks_per_quarter // song.tpq
        for track in score.tracks:
            keep = [n for n in track.notes if n.time < end]
            if len(keep) != len(track.notes):
                track.notes.clear()
                track.notes.extend(keep)
        return score

    def encode(self, song: PlannedScore) -> TokenSequence:
        """Tokens of ``song``: REMI note events with the plan's tokens after each bar line."""
        notes = self.base.encode(self.preprocess(song))
        bars = list(song.plan.bars())
        tokens: list[str] = []
        bar_index = -1
        for token in notes.tokens:
            tokens.append(token)
            if token == "Bar_None":
                bar_index += 1
                if bar_index < len(bars):
                    pending = self.plan_tokens(bars[bar_index], song.plan)
                    tokens.append("__PLAN__")
                    tokens.extend(pending)
        while bar_index + 1 < len(bars):  # trailing bars without note onsets still get a bar
            bar_index += 1
            tokens.append("Bar_None")
            tokens.extend(self.plan_tokens(bars[bar_index], song.plan))
        tokens = [t for t in tokens if t != "__PLAN__"]
        # a TimeSig token that miditok puts after Bar belongs before our plan tokens
        tokens = _move_time_signatures(tokens)
        unknown = [t for t in tokens if t not in self.vocab]
        if unknown:
            raise InputError(f"tokens outside the vocabulary: {sorted(set(unknown))[:5]}")
        pitches, onsets, durations = self.attributes(tokens, bars)
        return TokenSequence([self.vocab[t] for t in tokens], tokens, pitches, onsets,
                             durations)

    def attributes(self, tokens: list[str], bars: list[BarPlan]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Causal per-token pitch, onset (beats) and duration (beats) arrays."""
        n = len(tokens)
        pitches = np.full(n, -1, dtype=np.int64)
        onsets = np.full(n, np.nan)
        durations = np.full(n, np.nan)
        state = AttributeState(bars, self.settings.beat_resolution)
        for i, token in enumerate(tokens):
            pitches[i], onsets[i], durations[i] = state.step(token)
        return pitches, onsets, durations

    def roles_in(self, ids) -> tuple[str, ...]:
        """The roles whose ``Program`` tokens occur among ``ids`` (what a model trained on them
        writes), sorted."""
        programs = {self.inverse[int(i)] for i in set(np.asarray(ids).tolist())
                    if self.inverse[int(i)].startswith("Program_")}
        return tuple(sorted(PROGRAM_ROLES[token_number(p)] for p in programs
                            if token_number(p) in PROGRAM_ROLES))

    # -- decoding ---------------------------------------------------------------------------
    def decode(self, ids: list[int]) -> Score:
        """The notes of a token sequence (plan tokens are skipped)."""
        tokens = [self.inverse[i] for i in ids]
        note_tokens = [t for t in tokens if token_type(t) not in PLAN_KINDS]
        return self.base.decode([self.vocab[t] for t in note_tokens])


class AttributeState:
    """Per-token attributes one token at a time (what :meth:`SongTokenizer.attributes` and
    generation share): feed tokens in order, get each one's ``(pitch, onset, duration)``.

    Pitches are carried so that every query that predicts a pitch has one to measure
    intervals from (RIPO) and embed (FME): a ``Program`` token carries the last pitch its
    track played (the token before a ``Pitch`` is always a ``Program``), a ``Position`` the
    last pitch of any track, a ``Key`` its tonic (60-71) and a ``Chord`` its root (48-59;
    ``data.dataset.TransposeTable`` keeps them there when it transposes a window).
    Drum notes have no pitch."""

    def __init__(self, bars: list[BarPlan], beat_resolution: int) -> None:
        self.bars = bars
        self.resolution = beat_resolution
        self.bar_index, self.bar_start, self.unit = -1, 0.0, 1.0
        self.onset, self.pitch = float("nan"), -1
        self.chord_onset = float("nan")
        self.program = "none"
        self.last_pitch = -1
        self.track_pitch: dict[str, int] = {}

    def step(self, token: str) -> tuple[int, float, float]:
        kind, _, value = token.partition("_")
        duration = float("nan")
        if kind == "Bar":
            self.bar_index += 1
            if self.bar_index < len(self.bars):
                bar = self.bars[self.bar_index]
                self.bar_start = bar.start
                self.unit = 4 / bar.meter.denominator  # miditok beats -> quarters
            self.onset, self.pitch = self.bar_start, -1
        elif kind == "Key":
            return TONIC_REGISTER + int(value[:-3]), self.bar_start, duration
        elif kind == "Position":
            self.onset = self.bar_start + int(value) / self.resolution * self.unit
            return self.last_pitch, self.onset, duration
        elif kind == "ChordAt":
            self.chord_onset = self.bar_start + int(value) / self.resolution
            return -1, self.chord_onset, duration
        elif kind == "Chord":
            root = value.split(":")[0]
            return (ROOT_REGISTER + int(root) if root.isdigit() else -1,
                    self.chord_onset, duration)
        elif kind == "Program":
            self.program = value
            return self.track_pitch.get(value, -1), self.onset, duration
        elif kind == "Pitch":
            self.pitch = self.last_pitch = self.track_pitch[self.program] = int(value)
        elif kind == "PitchDrum":  # drum notes have no pitch for intervals
            self.pitch = -1
        elif kind == "Duration":
            beats, steps, res = (int(x) for x in value.split("."))
            duration = (beats + steps / res) * self.unit
        pitch = self.pitch if kind in ("Pitch", "Velocity", "Duration") else -1
        return pitch, self.onset, duration


def _move_time_signatures(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        if token.startswith("TimeSig_") and out and out[-1] != "Bar_None":
            back = len(out)
            while back > 0 and out[back - 1] != "Bar_None":
                back -= 1
            out.insert(back, token)
        else:
            out.append(token)
    return out
