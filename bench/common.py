"""What every benchmark shares: where the repository and the corpora lie, and how a result is
printed and written. Benchmarks run as files (``.venv/bin/python bench/NAME.py``), so this
module is imported as ``common``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
POP909 = SHARED_DATA / "pop909"
JSB = SHARED_DATA / "jsb-chorales" / "Jsb16thSeparated.json"
RESULTS = ROOT / "bench" / "results"

if str(ROOT) not in sys.path:  # the scripts import the package from the working tree
    sys.path.insert(0, str(ROOT))


def write_json(path: Path, results: Any) -> Path:
    """``results`` as indented JSON at ``path`` (its folder made), and a line saying so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {path}")
    return path


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                console: Console | None = None) -> None:
    """A table of ``rows`` (each cell shown with ``str``) under ``title``."""
    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    (console or Console()).print(table)


def add_pop909_option(parser) -> None:
    """``--pop909 FOLDER`` (default ``../shared/data/pop909``) on a benchmark's parser."""
    parser.add_argument("--pop909", type=Path, default=POP909,
                        help="POP909's folder (default ../shared/data/pop909)")


def add_json_option(parser, name: str) -> None:
    """``--json PATH`` (default ``bench/results/<name>``): where the results go."""
    parser.add_argument("--json", type=Path, default=RESULTS / name,
                        help=f"where the results go (default bench/results/{name})")


def missing(folder: Path, what: str = "POP909") -> bool:
    """Whether ``folder`` is absent (said in one line: the benchmark has nothing to
    measure)."""
    if folder.exists():
        return False
    print(f"no {what} at {folder}: nothing to measure", file=sys.stderr)
    return True


def bench_parser(doc: str, json_name: str, pop909: bool = False) -> argparse.ArgumentParser:
    """A benchmark's parser: described by its docstring's first line, with ``--json`` (and
    ``--pop909`` when it reads POP909)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    add_json_option(parser, json_name)
    if pop909:
        add_pop909_option(parser)
    return parser


def pop909_args(parser: argparse.ArgumentParser) -> argparse.Namespace | None:
    """The parsed options of a benchmark that decodes POP909-trained models, on one torch
    thread (the library's choice for batch-1 decoding); ``None`` when POP909 is absent."""
    args = parser.parse_args()
    if missing(args.pop909):
        return None
    import torch

    torch.set_num_threads(1)
    return args


def columns_table(title: str, columns: Sequence[str], justify: str = "right") -> Table:
    """An empty table under ``title`` with ``columns`` (numbers: right-justified)."""
    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(column, justify=justify)
    return table


def finish(path: Path, results: Any) -> int:
    """Write ``results`` (:func:`write_json`) and give the exit status of a finished run."""
    write_json(path, results)
    return 0
