"""A corpus read and tokenized once, cached by path and tokenizer fingerprint (shared by
``songform data prepare`` and ``songform train``)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from .common import console


def cache_root() -> Path:
    return Path(os.environ.get("SONGFORM_CACHE", Path.home() / ".cache" / "songform"))


def default_cache(path: Path, plain: bool, limit: int | None) -> Path:
    """``<cache root>/tokens/<name>-<hash of path, layout and limit>``."""
    key = f"{Path(path).resolve()}|{plain}|{limit}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    return cache_root() / "tokens" / f"{Path(path).name}-{digest}"


def tokenized_corpus(path: Path, tokenizer, out: Path | None = None, plain: bool = False,
                     limit: int | None = None):
    """``(TokenCorpus, CorpusReport)``: from the cache at ``out`` (default
    :func:`default_cache`) when it matches the tokenizer, else read, tokenized and cached."""
    from songform.data.corpus import CorpusReport, detect_layout, read_corpus
    from songform.data.dataset import cached_corpus
    from songform.data.fingerprint import corpus_fingerprint

    report = CorpusReport(detect_layout(path, plain))

    def build():
        sequences, names = [], []
        with Progress(TextColumn("tokenizing"), BarColumn(), MofNCompleteColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("songs", total=limit)
            for name, song in read_corpus(path, plain, report, limit):
                sequences.append(tokenizer.encode(song))
                names.append(name)
                progress.advance(task)
        return sequences, names, {"layout": report.layout, "skipped": report.skipped,
                                  "source": str(Path(path).resolve())}

    corpus = cached_corpus(out or default_cache(path, plain, limit), tokenizer, build,
                           corpus_fingerprint(path))
    return corpus, report


def cache_source(cache: Path | None) -> Path | None:
    """The corpus folder a token cache was made from (its ``meta.json``), if it says."""
    import json

    meta = Path(cache) / "meta.json" if cache is not None else None
    if meta is None or not meta.exists():
        return None
    try:
        source = json.loads(meta.read_text(encoding="utf-8")).get("report", {}).get("source")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return None
    return Path(source) if isinstance(source, str) else None
