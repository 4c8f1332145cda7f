"""Who writes a plan's notes: a trained Music Transformer (:class:`ModelWriter`) or the
rule-based baseline (:class:`ArrangerWriter`), behind one ``write(plan, seed, progress)``; and
the one place that decides which writes by default (the shipped checkpoint when there is one).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from songform.core.errors import InputError
from songform.hierarchy.plan import TRACK_ROLES, SongPlan
from songform.hierarchy.styles import style_idiom, writer_roles

from .arranger import arrange
from .bar_sampler import forced_notes
from .checkpoint import TOKENIZER, CheckpointError, load_checkpoint, read_info
from .devices import DECODING_THREADS, check_threads, torch_threads
from .generate import GenerateConfig, SongJob, generate, write_songs
from .grammar import note_tokens_problem
from .model import MusicTransformer
from .shipped import checkpoint_folder
from .song import PlannedScore
from .splice import drop_program, given_tokens, splice, varied_bars
from .tokenizer import ROLE_PROGRAMS, SongTokenizer

Progress = Callable[[int, int], None]
NOTE_WRITERS = ("auto", "model", "arranger")


class NoteWriter(Protocol):
    """Writes the notes of a plan: ``write(plan, seed, progress) -> PlannedScore``, or some of
    them around a song's own (``around=``: the bars and tracks to write again, every other
    note kept, see :func:`write_around`); and several plans at once: ``write_stream(plans,
    seeds, batch, progress)`` yields ``(plan index, song)`` as each is finished (each song as
    ``write`` writes it).

    Who plays each part is the writer's decision, made in one place: the model plays the
    first track of each role it writes, the arranger every other (``player``).
    ``song_model`` is the model and tokenizer behind the writer, or ``None`` for a writer
    that reads no tokens (the arranger). ``identity()`` is what a project records of the
    writer."""

    description: str
    song_model: SongModel | None

    def identity(self) -> dict: ...

    def player(self, plan: SongPlan, track: str) -> str | None: ...

    def write(self, plan: SongPlan, seed: int = 0, progress: Progress | None = None, *,
              around: PlannedScore | None = None, bars: Collection[int] | None = None,
              fresh: Collection[int] = (), tracks: Collection[str] | None = None
              ) -> PlannedScore: ...

    def write_stream(self, plans: list[SongPlan], seeds: list[int], batch: int = 1,
                     progress: Progress | None = None
                     ) -> Iterator[tuple[int, PlannedScore]]: ...


@dataclass(frozen=True)
class ArrangerWriter:
    """The rule-based baseline arranger (every track, no model)."""

    description: str = "baseline arranger"
    song_model: SongModel | None = None  # reads no tokens

    def identity(self) -> dict:
        return {"kind": "arranger"}

    def player(self, plan: SongPlan, track: str) -> str | None:
        """Why the arranger plays ``track`` (it plays every track)."""
        return "notes by the arranger"

    def write(self, plan: SongPlan, seed: int = 0, progress: Progress | None = None, *,
              around: PlannedScore | None = None, bars: Collection[int] | None = None,
              fresh: Collection[int] = (), tracks: Collection[str] | None = None
              ) -> PlannedScore:
        """``plan`` arranged with ``seed``; around a song, spliced into it
        (:func:`arranged_around`)."""
        song = arrange(plan, seed)
        if progress:
            progress(plan.num_bars, plan.num_bars)
        return song if around is None else arranged_around(around, song, bars, tracks)

    def write_stream(self, plans: list[SongPlan], seeds: list[int], batch: int = 1,
                     progress: Progress | None = None
                     ) -> Iterator[tuple[int, PlannedScore]]:
        """One song after another (the arranger has nothing to batch)."""
        total, done = sum(p.num_bars for p in plans), 0
        for index, (plan, seed) in enumerate(zip(plans, seeds, strict=True)):
            song = arrange(plan, seed)
            done += plan.num_bars
            if progress:
                progress(done, total)
            yield index, song


@dataclass(frozen=True)
class SongModel:
    """A trained checkpoint ready to write songs: the model, the tokenizer it was trained
    with, and the roles it writes (per idiom, for a model of several corpora)."""

    model: MusicTransformer
    tokenizer: SongTokenizer
    roles: tuple[str, ...]
    idiom_roles: dict[str, tuple[str, ...]] | None = None

    def roles_for(self, plan: SongPlan) -> tuple[str, ...]:
        """The roles the model writes in ``plan``'s idiom (all its roles when it learned one
        corpus), less those the style's band always plays (``hierarchy.styles.band_roles``:
        the waltz's oom-pah-pah piano)."""
        roles = self.roles
        if self.idiom_roles:
            roles = self.idiom_roles.get(style_idiom(plan.style), roles)
        return writer_roles(roles, plan.style)

    def plans_roles(self, plans: list[SongPlan]) -> tuple[str, ...]:
        """:meth:`roles_for` the plans written side by side, which must agree.

        Raises:
            InputError: plans of idioms whose roles differ.
        """
        found = {self.roles_for(plan) for plan in plans}
        if len(found) > 1:
            raise InputError("songs written side by side must share the roles the model "
                             f"writes; these need {sorted(found)}")
        return found.pop() if found else self.roles

    @classmethod
    def load(cls, folder: str | Path, device: str = "cpu") -> SongModel:
        """Load a checkpoint folder (safetensors; no code runs).

        Raises:
            ValueError: the checkpoint was not trained on the song tokenizer (e.g. the JSB
                grid), or its vocabulary does not match.
        """
        folder = Path(folder)
        info = read_info(folder)
        if info is None or not info.writes_songs:
            scheme = info.scheme if info else None
            raise ValueError(f"{folder} was not trained on songform's song tokenizer "
                             f"(scheme {scheme!r}); it cannot write songs")
        tokenizer = info.tokenizer()
        if info.vocab_size != len(tokenizer):
            raise CheckpointError(f"{folder / TOKENIZER}: vocab_size {info.vocab_size} does "
                                  f"not match its settings, which make {len(tokenizer)} "
                                  "tokens")
        model = load_checkpoint(folder, device)
        if str(device).startswith("cuda"):
            model = model.half()
        if model.config.vocab_size != len(tokenizer):
            raise ValueError(f"{folder}: the model has {model.config.vocab_size} tokens, the "
                             f"tokenizer {len(tokenizer)}")
        return cls(model, tokenizer, tuple(info.roles or TRACK_ROLES), info.idiom_roles)

    def check_plans(self, plans: list[SongPlan]) -> None:
        """Refuse plans this model has no tokens for (a meter, section kind or label it never
        learned), before any writing.

        Raises:
            InputError: naming the tokens and the first bar that needs them.
        """
        for plan in plans:
            for bar in plan.bars():
                unknown = [t for t in self.tokenizer.plan_tokens(bar, plan)
                           if t not in self.tokenizer.vocab]
                if unknown:
                    raise InputError(
                        f"bar {bar.index + 1} ({bar.meter}, {bar.section_kind}): the model has "
                        f"no token for {', '.join(unknown)}; the arranger (--notes arranger) "
                        "plays any plan")

    def write(self, plan: SongPlan, seed: int = 0, config: GenerateConfig | None = None,
              progress: Progress | None = None) -> PlannedScore:
        """``plan`` as a song (see :func:`generate`)."""
        self.check_plans([plan])
        return generate(self.model, self.tokenizer, plan, seed, config,
                        self.roles_for(plan), progress)


@dataclass(frozen=True)
class ModelWriter:
    """A :class:`SongModel` with its sampling settings; roles it does not write come from the
    arranger."""

    song_model: SongModel
    config: GenerateConfig = field(default_factory=GenerateConfig)
    name: str = "model"
    folder: Path | None = None
    threads: int = DECODING_THREADS
    """Torch CPU threads while writing (the library's choice unless given)."""

    @property
    def description(self) -> str:
        return f"model {self.name}"

    def identity(self) -> dict:
        """Who wrote the notes, for a project file: the checkpoint's name, its weights'
        SHA-256 and the sampling settings."""
        weights = self.folder / "model.safetensors" if self.folder else None
        digest = (_weights_digest(weights, weights.stat().st_mtime_ns)
                  if weights is not None and weights.is_file() else None)
        return {"kind": "model", "checkpoint": self.name, "weights_sha256": digest,
                "generation": dataclasses.asdict(self.config)}

    def player(self, plan: SongPlan, track: str) -> str | None:
        """``None`` when the model plays ``track`` of ``plan`` (the first track of a role it
        writes), else why the arranger plays it."""
        spec = next(t for t in plan.tracks if t.name == track)
        if spec.role not in self.song_model.roles_for(plan):
            return f"the model does not write {spec.role}"
        if next(t for t in plan.tracks if t.role == spec.role) is not spec:
            return f"the song already has a {spec.role} part for the model"
        return None

    def write(self, plan: SongPlan, seed: int = 0, progress: Progress | None = None, *,
              around: PlannedScore | None = None, bars: Collection[int] | None = None,
              fresh: Collection[int] = (), tracks: Collection[str] | None = None
              ) -> PlannedScore:
        """``plan`` written by the model (its other roles by the arranger); around a song,
        as :func:`write_around` says."""
        if around is None:
            with torch_threads(self.threads):
                return self.song_model.write(plan, seed, self.config, progress)
        return write_around(self, plan, seed, progress, around, bars, fresh, tracks)

    def _generate(self, plan: SongPlan, seed: int, progress: Progress | None,
                  **conditions) -> PlannedScore:
        """``plan`` written with ``conditions`` (given, fresh, forced bars: ``SongJob``)."""
        model = self.song_model
        check_given(conditions.get("given", {}), model.tokenizer)
        with torch_threads(self.threads):
            return generate(model.model, model.tokenizer, plan, seed, self.config,
                            model.roles_for(plan), progress, **conditions)

    def write_stream(self, plans: list[SongPlan], seeds: list[int], batch: int = 1,
                     progress: Progress | None = None
                     ) -> Iterator[tuple[int, PlannedScore]]:
        """The songs written ``batch`` at a time side by side, each as it ends (a finished
        song's rows go to the next plan at once: see :func:`write_songs`)."""
        model = self.song_model
        model.check_plans(plans)
        jobs = [SongJob(plan, seed) for plan, seed in zip(plans, seeds, strict=True)]
        return self._threaded(write_songs(model.model, model.tokenizer, jobs, self.config,
                                          model.plans_roles(plans), progress, batch))

    def _threaded(self, songs: Iterator[tuple[int, PlannedScore]]
                  ) -> Iterator[tuple[int, PlannedScore]]:
        with torch_threads(self.threads):
            yield from songs


def arranged_around(around: PlannedScore, arranged: PlannedScore,
                    bars: Collection[int] | None = None,
                    tracks: Collection[str] | None = None) -> PlannedScore:
    """``around`` with the arranger's ``arranged`` notes in ``bars`` (default every bar) of
    ``tracks`` (default every track). The model's tokens of ``around`` lose the parts the
    arranger now plays there (those first of their role), or all of them when it plays every
    track."""
    plan = arranged.plan
    chosen = set(range(plan.num_bars)) if bars is None else set(bars)
    if tracks is None:
        return splice(around, arranged, chosen, {t.name for t in plan.tracks})
    spliced = splice(around, arranged, chosen, set(tracks))
    written = around.written
    for name in tracks:
        spec = next(t for t in plan.tracks if t.name == name)
        if written is not None and next(t for t in plan.tracks if t.role == spec.role) is spec:
            program = f"Program_{ROLE_PROGRAMS[spec.role]}"
            written = tuple(tuple(drop_program(tokens, program)) if index in chosen
                            else tokens for index, tokens in enumerate(written))
    return type(around)(plan=spliced.plan, score=spliced.score, written=written)


def write_around(writer: ModelWriter, plan: SongPlan, seed: int, progress: Progress | None,
                 around: PlannedScore, bars: Collection[int] | None,
                 fresh: Collection[int], tracks: Collection[str] | None) -> PlannedScore:
    """``around`` (a song under ``plan``) with ``bars`` (default every bar) written again:
    every track the model writes (``tracks`` ``None``), or ``tracks`` (the model plays
    those it plays, :meth:`ModelWriter.player`; the arranger the rest); every other note is
    ``around``'s own. The model hears the rest as ``around``'s tokens (or its notes as
    tokens, when it has none). Where the model writes again only some of its parts, the
    others are forced note for note in those bars and only these are sampled. ``fresh``
    bars are sampled even where the plan restates an earlier bar."""
    model = writer.song_model
    roles = model.roles_for(plan)
    chosen = set(range(plan.num_bars)) if bars is None else set(bars)
    if tracks is not None and all(writer.player(plan, name) for name in tracks):
        return arranged_around(around, arrange(plan, seed), chosen, tracks)
    model.check_plans([plan])
    tokens = around.written if around.written is not None else tuple(
        tuple(bar) for bar in given_tokens_of(around, model.tokenizer, roles))
    given = {i: list(tokens[i]) for i in range(plan.num_bars) if i not in chosen}
    ours = {t.name for t in plan.tracks if t.role in roles}
    if tracks is None:
        written = writer._generate(plan, seed, progress, given=given, fresh=frozenset(fresh))
        return splice(around, written, chosen, ours)
    sampled = {next(t.role for t in plan.tracks if t.name == name) for name in tracks
               if writer.player(plan, name) is None}
    kept = {t.name for t in plan.tracks if writer.player(plan, t.name) is None} - set(tracks)
    if not kept:  # every part the model plays is written again: whole bars
        written = writer._generate(plan, seed, progress, given=given, fresh=frozenset(fresh))
        return splice(around, written, chosen, set(tracks))
    programs = {f"Program_{ROLE_PROGRAMS[role]}" for role in sampled}
    forced = {i: [n for n in forced_notes(tokens[i]) if n.tokens[0] not in programs]
              for i in chosen}
    others = frozenset(f"Program_{ROLE_PROGRAMS[r]}" for r in roles if r not in sampled)
    again = set(fresh) | (chosen & varied_bars(plan, tokens))
    written = writer._generate(plan, seed, progress, given=given, fresh=frozenset(again),
                               forced=forced, forced_programs=others)
    return splice(around, written, chosen, set(tracks))


def given_tokens_of(song: PlannedScore, tokenizer: SongTokenizer, roles: tuple[str, ...]
                    ) -> list[list[str]]:
    """Every bar's note tokens of ``song``'s notes, as the model writing ``roles`` writes
    them."""
    found = given_tokens(song, tokenizer, roles, song.plan.num_bars)
    return [found.get(index, []) for index in range(song.plan.num_bars)]


@functools.lru_cache(maxsize=8)
def _weights_digest(path: Path, modified_ns: int) -> str:
    """SHA-256 of a weights file, read once per file and version (``--count`` writes a
    project per song)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def note_checkpoint(notes: str = "auto", checkpoint: str | Path | None = None) -> Path | None:
    """The checkpoint folder that will write the notes, or ``None`` for the arranger.

    Args:
        notes: ``"model"`` (``checkpoint``, a folder or a shipped model's name, else the
            default shipped one), ``"arranger"``, or ``"auto"`` (the model when a checkpoint
            is given or shipped, else the arranger).

    Raises:
        InputError: ``notes`` is unknown, the checkpoint is neither a folder nor a shipped
            model, or ``"model"`` with no checkpoint given or shipped (naming the option).
    """
    if notes not in NOTE_WRITERS:
        raise InputError(f'--notes: expected "auto", "model" or "arranger", got "{notes}"')
    folder = checkpoint_folder(checkpoint)
    if notes == "model" and folder is None:
        raise InputError("--notes model: no model to write notes: pass a checkpoint (this "
                         "install ships none)")
    return None if notes == "arranger" else folder


def note_writer(notes: str = "auto", checkpoint: str | Path | None = None,
                device: str = "cpu", config: GenerateConfig | None = None,
                threads: int | None = None) -> NoteWriter:
    """The writer :func:`note_checkpoint` chooses, loaded on ``device`` with ``config``,
    writing on ``threads`` torch threads (default :data:`DECODING_THREADS`)."""
    threads = check_threads(threads)
    folder = note_checkpoint(notes, checkpoint)
    if folder is None:
        return ArrangerWriter()
    weights = folder / "model.safetensors"
    stamp = weights.stat().st_mtime_ns if weights.is_file() else 0
    return ModelWriter(_loaded(folder.resolve(), stamp, str(device)),
                       config or GenerateConfig(), folder.name, folder, threads)


@functools.lru_cache(maxsize=2)
def _loaded(folder: Path, stamp: int, device: str) -> SongModel:
    """A checkpoint loaded once per folder, weights version and device: the Python edit
    verbs (``Song.regenerate`` and the rest) build a writer per call; writing never changes
    the model."""
    return SongModel.load(folder, device)


def check_given(given: dict[int, list[str]], tokenizer: SongTokenizer) -> None:
    """Refuse given bars (a project's stored tokens) that this model cannot read.

    Raises:
        InputError: naming the bar (1-based) and the token.
    """
    for index in sorted(given):
        problem = note_tokens_problem(given[index], tokenizer.vocab)
        if problem:
            raise InputError(f"the song's notes in bar {index + 1}: {problem}")
