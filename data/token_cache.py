"""A corpus read and tokenized once, cached by path and tokenizer fingerprint (what ``songform
data prepare`` writes and ``songform train`` reads)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from .corpus import CorpusReport, detect_layout, read_corpus
from .dataset import TokenCorpus, cached_corpus
from .fingerprint import corpus_fingerprint

Progress = Callable[[int, int | None], None]  # (songs done, songs in all or None)


def cache_root() -> Path:
    """``$SONGFORM_CACHE``, else ``~/.cache/songform``."""
    return Path(os.environ.get("SONGFORM_CACHE", Path.home() / ".cache" / "songform"))


def default_cache(path: Path, plain: bool, limit: int | None) -> Path:
    """``<cache root>/tokens/<name>-<hash of path, layout and limit>``."""
    key = f"{Path(path).resolve()}|{plain}|{limit}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    return cache_root() / "tokens" / f"{Path(path).name}-{digest}"


def tokenized_corpus(path: Path, tokenizer, out: Path | None = None, plain: bool = False,
                     limit: int | None = None, progress: Progress | None = None
                     ) -> tuple[TokenCorpus, CorpusReport]:
    """``(TokenCorpus, CorpusReport)``: from the cache at ``out`` (default
    :func:`default_cache`) when it matches the tokenizer and the source files, else read,
    tokenized and cached. A cached corpus reports the files its reading skipped."""
    report = CorpusReport(detect_layout(path, plain))

    def build():
        sequences, names = [], []
        for name, song in read_corpus(path, plain, report, limit):
            sequences.append(tokenizer.encode(song))
            names.append(name)
            if progress:
                progress(len(names), limit)
        return sequences, names, {"layout": report.layout, "skipped": report.skipped,
                                  "source": str(Path(path).resolve())}

    folder = out or default_cache(path, plain, limit)
    corpus = cached_corpus(folder, tokenizer, build, corpus_fingerprint(path))
    if not report.read and not report.skipped:  # from the cache: its report
        saved = _meta(folder).get("report", {})
        report.skipped = [tuple(item) for item in saved.get("skipped", [])]
        report.read = len(corpus.names)
    return corpus, report


def _meta(folder: Path) -> dict:
    try:
        meta = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return meta if isinstance(meta, dict) else {}


def cache_source(cache: Path | None) -> Path | None:
    """The corpus folder a token cache was made from (its ``meta.json``), if it says."""
    if cache is None:
        return None
    report = _meta(cache).get("report")
    source = report.get("source") if isinstance(report, dict) else None
    return Path(source) if isinstance(source, str) else None
