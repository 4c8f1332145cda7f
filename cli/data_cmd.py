"""``songform data inspect`` and ``songform data prepare``: corpora as tables and caches."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from songform.core.fileio import atomic_write_text, check_output_folder

from .common import (
    JsonFlag,
    QuietFlag,
    command,
    console,
    fail,
    handles_errors,
    print_json,
    print_skipped,
)

data_app = typer.Typer(help="Read corpora: inspect them, prepare token caches.",
                       no_args_is_help=True)
PathArg = Annotated[Path, typer.Argument(help="POP909 folder, JSB .json, or a MIDI folder.",
                                         show_default=False)]
PlainOpt = Annotated[bool, typer.Option("--plain", help="Read as plain MIDI, ignoring "
                                                        "labels.")]
SUMMARY_VERSION = 1


def _cache_root() -> Path:
    from songform.data.token_cache import cache_root

    return cache_root()


def _summary_key(path: Path, plain: bool) -> str:
    from songform.data.fingerprint import corpus_fingerprint

    text = f"{SUMMARY_VERSION}|{plain}|{corpus_fingerprint(path)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _summaries(path: Path, plain: bool, limit: int | None) -> dict:
    from songform.data.corpus import CorpusReport, detect_layout, read_corpus

    cache = _cache_root() / "summaries" / f"{_summary_key(path, plain)}-{limit}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    report = CorpusReport(detect_layout(path, plain))
    songs = []
    with Progress(TextColumn("reading {task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(str(path), total=limit)
        for name, song in read_corpus(path, plain, report, limit):
            plan = song.plan
            songs.append({"name": name, "bars": plan.num_bars,
                          "notes": sum(len(t.notes) for t in song.score.tracks),
                          "tracks": len(song.score.tracks),
                          "meters": sorted({str(s.meter) for s in plan.sections}),
                          "keys": sorted({str(s.key) for s in plan.sections})})
            progress.advance(task)
    summary = {"layout": report.layout, "songs": songs, "skipped": report.skipped}
    cache.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(cache, json.dumps(summary) + "\n")
    return summary


@handles_errors
def inspect(path: PathArg, plain: PlainOpt = False,
            limit: Annotated[int | None, typer.Option(min=1, help="Read at most this many songs."
                                                      )] = None) -> None:
    """Songs, bars, notes, tracks, meters and keys of a corpus, and what was skipped.

    Examples:

      songform data inspect ../shared/data/pop909

      songform data inspect my-midi-folder/
    """
    if not path.exists():
        raise fail(f"no such corpus: {path}")
    summary = _summaries(path, plain, limit)
    songs = summary["songs"]
    table = Table(title=f"{path} ({summary['layout']})", header_style="bold")
    for column in ("songs", "bars", "notes", "tracks/song", "meters", "keys (top 5)",
                   "skipped"):
        table.add_column(column)
    meters = Counter(m for s in songs for m in s["meters"])
    keys = Counter(k for s in songs for k in s["keys"])
    table.add_row(str(len(songs)), str(sum(s["bars"] for s in songs)),
                  str(sum(s["notes"] for s in songs)),
                  f"{sum(s['tracks'] for s in songs) / max(1, len(songs)):.1f}",
                  ", ".join(f"{m} ({n})" for m, n in meters.most_common()),
                  ", ".join(f"{k} ({n})" for k, n in keys.most_common(5)),
                  str(len(summary["skipped"])))
    console.print(table)
    print_skipped(summary["skipped"])


@handles_errors
def prepare(path: PathArg, out: Annotated[Path, typer.Option("--out", "-o",
                                                             help="Cache folder.")],
            plain: PlainOpt = False,
            limit: Annotated[int | None, typer.Option(min=1, help="At most this many songs."
                                                      )] = None,
            as_json: JsonFlag = False, quiet: QuietFlag = False) -> None:
    """Tokenize a corpus once into a cache that training reloads quickly.

    Examples:

      songform data prepare ../shared/data/pop909 -o cache/pop909

      songform data prepare my-midi-folder/ -o cache/mine
    """
    from songform.data.token_cache import tokenized_corpus
    from songform.symbolic.tokenizer import SongTokenizer

    if not path.exists():
        raise fail(f"no such corpus: {path}")
    check_output_folder(out)
    with Progress(TextColumn("tokenizing"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True, disable=as_json or quiet) as bar:
        task = bar.add_task("songs", total=limit)
        corpus, report = tokenized_corpus(path, SongTokenizer(), out, plain, limit,
                                          lambda done, total: bar.update(task, completed=done))
    if as_json:
        print_json({"cache": str(out), "songs": len(corpus.names), "tokens": len(corpus.ids),
                    "bars": len(corpus.bar_starts),
                    "skipped": [{"file": n, "reason": r} for n, r in report.skipped]})
    elif not quiet:
        print_skipped(report.skipped)
        console.print(f"{len(corpus.names)} songs, {len(corpus.ids)} tokens, "
                      f"{len(corpus.bar_starts)} bars in [bold]{out}[/]; skipped "
                      f"{len(report.skipped)}")


command(data_app, "inspect", inspect)
command(data_app, "prepare", prepare)
