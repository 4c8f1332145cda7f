"""Training windows of tokens, aligned to bar starts, with transposition augmentation and an
on-disk cache of the tokenized corpus.

Transposition works on tokens: ``Pitch`` tokens and pitch attributes move by k semitones,
``Key`` and ``Chord`` roots move with them, drums stay; a window whose notes would leave the
tokenizer's pitch range is left untransposed. This equals transposing the song and its plan
before tokenizing (tested), at a fraction of the cost.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from songform.core.fileio import atomic_path, atomic_write_text
from songform.symbolic.tokenizer import (
    ROOT_REGISTER,
    TONIC_REGISTER,
    SongTokenizer,
    TokenSequence,
)

CACHE_VERSION = 3  # 2: Program tokens name roles; ringing last notes kept; 3: pitches carried


@dataclass
class TokenCorpus:
    """A tokenized corpus: sequences concatenated, with song and bar offsets."""

    ids: np.ndarray  # [N] int64
    pitches: np.ndarray  # [N] int64
    onsets: np.ndarray  # [N] float64
    durations: np.ndarray  # [N] float64
    song_starts: np.ndarray  # [S + 1] offsets into the arrays
    bar_starts: np.ndarray  # indices of Bar tokens (absolute)
    names: list[str]

    @classmethod
    def from_sequences(cls, sequences: list[TokenSequence], names: list[str],
                       bar_id: int) -> TokenCorpus:
        lengths = [len(s) for s in sequences]
        starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        ids = np.concatenate([np.asarray(s.ids, dtype=np.int64) for s in sequences]) \
            if sequences else np.zeros(0, dtype=np.int64)

        def cat(name):
            return np.concatenate([getattr(s, name) for s in sequences]) if sequences else \
                np.zeros(0)

        return cls(ids, cat("pitches").astype(np.int64), cat("onsets"), cat("durations"),
                   starts, np.flatnonzero(ids == bar_id), list(names))

    def subset(self, keep: list[bool]) -> TokenCorpus:
        """The songs whose ``keep`` flag is set (one flag per song, in order)."""
        chosen = [i for i, flag in enumerate(keep) if flag]
        spans = [(int(self.song_starts[i]), int(self.song_starts[i + 1])) for i in chosen]
        take = (np.concatenate([np.arange(a, b) for a, b in spans]) if spans
                else np.zeros(0, dtype=np.int64))
        lengths = [b - a for a, b in spans]
        starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        bar_id = int(self.ids[self.bar_starts[0]]) if len(self.bar_starts) else -1
        ids = self.ids[take]
        return TokenCorpus(ids, self.pitches[take], self.onsets[take], self.durations[take],
                           starts, np.flatnonzero(ids == bar_id),
                           [self.names[i] for i in chosen])

    def save(self, path: Path, meta: dict) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with atomic_path(path / "tokens.npz", suffix=".npz") as temp, open(temp, "wb") as out:
            np.savez(out, ids=self.ids, pitches=self.pitches, onsets=self.onsets,
                     durations=self.durations, song_starts=self.song_starts,
                     bar_starts=self.bar_starts)
        atomic_write_text(path / "meta.json", json.dumps({**meta, "names": self.names},
                                                         indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> tuple[TokenCorpus, dict]:
        with np.load(Path(path) / "tokens.npz") as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads((Path(path) / "meta.json").read_text())
        return cls(names=meta["names"], **arrays), meta


def tokenizer_fingerprint(tokenizer: SongTokenizer) -> str:
    """A hash of everything that changes the tokens (settings and vocabulary)."""
    text = json.dumps({"version": CACHE_VERSION, "config": tokenizer.config(),
                       "vocab": sorted(tokenizer.vocab.items())}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cached_corpus(path: Path, tokenizer: SongTokenizer, build, source: str = ""
                  ) -> TokenCorpus:
    """Load the cached corpus at ``path``, or ``build()`` it and cache it when the cache is
    missing, was made with another tokenizer configuration, or from other source files.

    Args:
        build: returns ``(sequences, names, report)``.
        source: the source files' fingerprint (``data.fingerprint.corpus_fingerprint``).
    """
    fingerprint = f"{tokenizer_fingerprint(tokenizer)}|{source}"
    if (Path(path) / "meta.json").exists():
        corpus, meta = TokenCorpus.load(path)
        if meta.get("fingerprint") == fingerprint:
            return corpus
    sequences, names, report = build()
    corpus = TokenCorpus.from_sequences(sequences, names, tokenizer.vocab["Bar_None"])
    corpus.save(path, {"fingerprint": fingerprint, "report": report})
    return corpus


class TransposeTable:
    """Token-id maps for transposing by -6..+5 semitones; the pitches ``Key`` and ``Chord``
    tokens carry (tonic and root in a fixed octave) are read from the new tokens, so a
    transposed window carries what encoding the transposed song would."""

    def __init__(self, tokenizer: SongTokenizer) -> None:
        vocab = tokenizer.vocab
        size = len(vocab)
        self.maps: dict[int, np.ndarray] = {}
        self.valid: dict[int, np.ndarray] = {}
        self.carried = np.full(size, -2, dtype=np.int64)  # -2: the token carries no fixed pitch
        for token, index in vocab.items():
            kind, _, value = token.partition("_")
            if kind == "Key":
                self.carried[index] = TONIC_REGISTER + int(value[:-3])
            elif kind == "Chord" and value != "N":
                self.carried[index] = ROOT_REGISTER + int(value.split(":")[0])
        for shift in range(-6, 6):
            mapping = np.arange(size)
            ok = np.ones(size, dtype=bool)
            for token, index in vocab.items():
                kind, _, value = token.partition("_")
                target = None
                if kind == "Pitch":
                    target = f"Pitch_{int(value) + shift}"
                elif kind == "Key":
                    target = f"Key_{(int(value[:-3]) + shift) % 12}{value[-3:]}"
                elif kind == "Chord" and value != "N":
                    root, quality = value.split(":")
                    target = f"Chord_{(int(root) + shift) % 12}:{quality}"
                if target is not None:
                    if target in vocab:
                        mapping[index] = vocab[target]
                    else:
                        ok[index] = False
            self.maps[shift] = mapping
            self.valid[shift] = ok

    def apply(self, ids: np.ndarray, pitches: np.ndarray, shift: int
              ) -> tuple[np.ndarray, np.ndarray]:
        """Transposed ids and pitches, or the inputs unchanged if a pitch would fall out."""
        if shift == 0 or not self.valid[shift][ids].all():
            return ids, pitches
        moved = self.maps[shift][ids]
        carried = self.carried[moved]
        return moved, np.where(carried >= 0, carried,
                               np.where(pitches >= 0, pitches + shift, pitches))


class BarWindows(Dataset):
    """Windows of up to ``length`` + 1 tokens starting at bar lines.

    With ``augment``, each item is transposed by a random shift in -6..+5 (all twelve keys).
    """

    def __init__(self, corpus: TokenCorpus, tokenizer: SongTokenizer, length: int = 512,
                 augment: bool = False, seed: int = 0) -> None:
        self.corpus = corpus
        self.length = length
        self.augment = augment
        self.rng = np.random.default_rng(seed)
        self.table = TransposeTable(tokenizer) if augment else None
        ends = corpus.song_starts[1:]
        song_of_bar = np.searchsorted(corpus.song_starts, corpus.bar_starts, side="right") - 1
        self.windows = [(int(b), int(min(b + length + 1, ends[s])))
                        for b, s in zip(corpus.bar_starts, song_of_bar, strict=True)
                        if ends[s] - b > 8]

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        start, end = self.windows[index]
        ids = self.corpus.ids[start:end]
        pitches = self.corpus.pitches[start:end]
        if self.table is not None:
            ids, pitches = self.table.apply(ids, pitches, int(self.rng.integers(-6, 6)))
        origin = self.corpus.onsets[start]
        return {"tokens": torch.as_tensor(ids, dtype=torch.long),
                "pitches": torch.as_tensor(pitches, dtype=torch.long),
                "onsets": torch.as_tensor(self.corpus.onsets[start:end] - origin,
                                          dtype=torch.float32),
                "durations": torch.as_tensor(self.corpus.durations[start:end],
                                             dtype=torch.float32)}


class MixedWindows(Dataset):
    """Windows of several corpora in proportion to their weights: one table of ``(corpus,
    window)`` pairs in which no corpus is cut short (the one with the most windows for its
    share appears once, the others repeat to their share), in an order shuffled once with
    ``seed``. The parts share this dataset's ``rng`` (their transpositions), so a resumed run
    restores them with it."""

    def __init__(self, parts: list[Dataset], weights: list[float], seed: int = 0) -> None:
        if not parts or len(parts) != len(weights) or not all(len(p) for p in parts):
            raise ValueError("expected one weight per non-empty part")
        self.parts = parts
        self.rng = np.random.default_rng(seed)
        for part in parts:
            if hasattr(part, "rng"):
                part.rng = self.rng
        shares = np.asarray(weights, dtype=float) / float(sum(weights))
        total = max(len(p) / share for p, share in zip(parts, shares, strict=True))
        order = np.random.default_rng(seed + 1)
        table = []
        for index, (part, share) in enumerate(zip(parts, shares, strict=True)):
            count = int(round(total * share))
            windows = np.resize(order.permutation(len(part)), count)
            table.append(np.stack([np.full(count, index), windows], axis=1))
        self.table = np.concatenate(table)[order.permutation(sum(len(t) for t in table))]

    def __len__(self) -> int:
        return len(self.table)

    def counts(self) -> list[int]:
        """Windows per part in the table."""
        return [int((self.table[:, 0] == i).sum()) for i in range(len(self.parts))]

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        part, window = self.table[index]
        return self.parts[int(part)][int(window)]
