"""The datasets a training run reads, assembled from corpora (the trainer itself never reads
a corpus): the JSB benchmark grid, one song corpus, or several song corpora by weight."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from torch.utils.data import Dataset

from songform.core.errors import InputError
from songform.symbolic.checkpoint_info import CheckpointInfo
from songform.symbolic.tokenizer import SongTokenizer

from .corpus_mix import CorpusShare, default_corpus_path
from .dataset import BarWindows, MixedWindows
from .jsb import VOCAB_SIZE, JsbWindows, load_jsb
from .splits import SPLIT_RULES, song_splits
from .token_cache import Progress, cache_source, tokenized_corpus


@dataclass
class TrainingSets:
    """What a run trains and validates on, the vocabulary's size, what its checkpoint will
    say it learned, and lines saying what was read (and ``skipped``: files, reasons)."""

    train: Dataset
    valid: Dataset
    vocab_size: int
    info: CheckpointInfo
    lines: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def jsb_grid_sets(path: Path, window: int, seed: int, crops: int) -> TrainingSets:
    """The JSB benchmark grid (SATB per sixteenth), as the Music Transformer paper reads it."""
    if not Path(path).is_file():
        raise InputError(f"JSB data not found: {path} (pass --data)")
    chorales = load_jsb(path)
    return TrainingSets(JsbWindows(chorales["train"], window, random_crops=True, seed=seed,
                                   crops_per_epoch=crops),
                        JsbWindows(chorales["valid"], window), VOCAB_SIZE,
                        CheckpointInfo("satb-16th", VOCAB_SIZE, corpus="jsb",
                                       split="the JSB valid split"))


def _split_parts(name: str, path: Path, tokenizer: SongTokenizer, cache: Path | None,
                 limit: int | None, progress: Progress | None):
    tokens, report = tokenized_corpus(path, tokenizer, cache, plain=name == "midi",
                                      limit=limit, progress=progress)
    splits = song_splits(tokens.names, name)
    train_part = tokens.subset([s == "train" for s in splits])
    valid_part = tokens.subset([s == "valid" for s in splits])
    if not len(train_part.names) or not len(valid_part.names):
        raise InputError(f"{path}: too few songs for a training and a validation split "
                         f"({len(tokens.names)} read, {len(report.skipped)} skipped)")
    return tokens, report, train_part, valid_part


def song_sets(name: str, path: Path | None, cache: Path | None, window: int, seed: int,
              limit: int | None = None, progress: Progress | None = None) -> TrainingSets:
    """One song corpus (POP909 or a MIDI folder) through the song tokenizer, split by
    POP909's fixed ids or, for other folders, every tenth song for validation."""
    path = path or cache_source(cache) or default_corpus_path(name)
    if path is None or not Path(path).exists():
        raise InputError(f"{name} data not found: {path} (pass --data)")
    tokenizer = SongTokenizer()
    tokens, report, train_part, valid_part = _split_parts(name, Path(path), tokenizer, cache,
                                                          limit, progress)
    roles = tokenizer.roles_in(tokens.ids)
    line = (f"{name}: {len(train_part.names)} training and {len(valid_part.names)} "
            f"validation songs, {len(tokens.ids):,} tokens; roles {', '.join(roles)}")
    return TrainingSets(BarWindows(train_part, tokenizer, window, augment=True, seed=seed),
                        BarWindows(valid_part, tokenizer, window), len(tokenizer),
                        CheckpointInfo.for_songs(tokenizer, name, roles, SPLIT_RULES[name]),
                        [line], list(report.skipped))


def mixed_sets(shares: tuple[CorpusShare, ...], window: int, seed: int,
               limit: int | None = None, progress: Progress | None = None) -> TrainingSets:
    """Song corpora in one run (a model of several idioms): each read and cached from its
    own place, split by its own rule, sampled by weight (:class:`MixedWindows`)."""
    tokenizer = SongTokenizer()
    trains, valids, idiom_roles, lines, skipped = [], [], {}, [], []
    for share in shares:
        path = default_corpus_path(share.name)
        if path is None or not path.exists():
            raise InputError(f"{share.name} data not found: {path}")
        tokens, report, train_part, valid_part = _split_parts(share.name, path, tokenizer,
                                                              None, limit, progress)
        trains.append(BarWindows(train_part, tokenizer, window, augment=True, seed=seed))
        valids.append(BarWindows(valid_part, tokenizer, window))
        roles = tokenizer.roles_in(train_part.ids)
        idiom_roles[share.idiom] = tuple(sorted({*idiom_roles.get(share.idiom, ()), *roles}))
        skipped += report.skipped
        lines.append(f"{share.name} (weight {share.weight:g}): {len(train_part.names)} "
                     f"training and {len(valid_part.names)} validation songs, "
                     f"{len(tokens.ids):,} tokens, {len(report.skipped)} skipped; roles "
                     f"{', '.join(roles)}")
    weights = [share.weight for share in shares]
    train_set = MixedWindows(trains, weights, seed)
    lines.append(f"windows per epoch by corpus: {train_set.counts()}")
    roles = tuple(sorted({r for rs in idiom_roles.values() for r in rs}))
    corpora = {share.idiom: share.name for share in reversed(shares)}  # the first one wins
    info = CheckpointInfo.for_songs(
        tokenizer, ",".join(f"{s.name}:{s.weight:g}" for s in shares), roles,
        "; ".join(f"{s.name}: {SPLIT_RULES[s.name]}" for s in shares), idiom_roles, corpora)
    return TrainingSets(train_set, MixedWindows(valids, weights, seed), len(tokenizer), info,
                        lines, skipped)
