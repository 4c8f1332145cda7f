"""Shared CLI pieces: argument aliases, the error-to-exit-code decorator, the console."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer
import yaml
from rich.console import Console
from rich.table import Table

from songform.core.errors import SongformError

# Piped output (logs, CI) gets a wide fixed width so that plan tables stay one line a row.
console = Console() if Console().is_terminal else Console(width=160)
error_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])
READER_ERRORS = (yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError, EOFError)
"""Errors third-party readers raise on malformed input (the project's readers wrap theirs)."""

SourceArg = Annotated[
    str | None,
    typer.Argument(help='A YAML template file, or a form string such as "intro:4 verse:8 '
                        'chorus:8" or "i4A8B8o4". Omit it to use the style alone.',
                   show_default=False),
]
StyleOpt = Annotated[str | None, typer.Option("--style", "-s", help="Built-in style "
                                                                   "(see `songform styles`).")]
KeyOpt = Annotated[str | None, typer.Option("--key", "-k", help='Key, e.g. "D major" or Am.')]
TempoOpt = Annotated[float | None, typer.Option("--tempo", "-t", help="Tempo in BPM.")]
HumanizeOpt = Annotated[float | None, typer.Option(
    "--humanize", help="0 (on the grid, the default) to 1: each note's timing (up to 12 ms) "
                       "and velocity moved by a seeded amount in the MIDI and audio.")]
SwingOpt = Annotated[float | None, typer.Option(
    "--swing", help="The feel: where the off-beat eighth falls, 0.5 (straight) to 0.75 (a "
                    "hard shuffle); default the style's (blues 0.66, jazz 0.66 lightening "
                    "to 0.58 at fast tempi, the rest 0.5).")]
MeterOpt = Annotated[str | None, typer.Option("--meter", "-m", help="Meter, e.g. 3/4 or 7/8.")]
BarsOpt = Annotated[int | None, typer.Option("--bars", "-b", help="Target length in bars "
                                                                 "(the style samples a form).")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Random seed (default: the "
                                                            "template's, else 0).")]
SaveOpt = Annotated[Path | None, typer.Option("--save", help="Write the plan as JSON here.")]
JsonFlag = Annotated[bool, typer.Option(
    "--json", help="Print one JSON object (paths, plan summary, measures) instead of tables: "
                   "for scripts and agents.")]
QuietFlag = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def print_json(data: Any) -> None:
    """One JSON object on stdout, nothing else (NaN written as null)."""
    typer.echo(json.dumps(_finite(data), ensure_ascii=False, sort_keys=False))


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def print_skipped(skipped: list[tuple[str, str]]) -> None:
    """The files a corpus reader skipped, with the reason for each, as a table."""
    if not skipped:
        return
    table = Table(title=f"skipped ({len(skipped)})", header_style="bold")
    table.add_column("file")
    table.add_column("reason")
    for name, reason in skipped:
        table.add_row(name, reason)
    console.print(table)


class CommandError(SongformError):
    """A command's own refusal (:func:`fail`), shown like any other error."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = code


def fail(message: str, code: int = 2) -> CommandError:
    """The error to raise for a refusal the command itself finds (one line, exit ``code``)."""
    return CommandError(message, code)


def debugging() -> bool:
    """Whether ``--debug`` (or ``SONGFORM_DEBUG=1``) asks for tracebacks."""
    return os.environ.get("SONGFORM_DEBUG") == "1"


def handles_errors(command: F) -> F:
    """The one exit path: every error becomes one line on stderr and an exit code: the
    project's own errors their ``exit_code`` (2 bad input, 1 the machine), a reader's error on
    bad input 2, an OS error 1, Ctrl-C 130, anything else 1 as an internal error. With
    ``--json`` the error is one JSON object on stdout instead, ``{"error": message,
    "exit_code": code}``, so that a script reads one format. ``--debug`` shows the traceback
    instead."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json"))
        try:
            return command(*args, **kwargs)
        except (typer.Exit, click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            raise exit_with("interrupted", 130, as_json) from None
        except Exception as error:
            if debugging() and not isinstance(error, CommandError):
                raise
            message, code = describe(error)
            raise exit_with(message, code, as_json) from None

    return wrapper  # type: ignore[return-value]


def exit_with(message: str, code: int, as_json: bool = False) -> typer.Exit:
    """Show an error (one red line on stderr, or one JSON object on stdout) and return the
    exit to raise."""
    if as_json:
        print_json({"error": message, "exit_code": code})
    else:
        error_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def describe(error: Exception) -> tuple[str, int]:
    """One line and an exit code for ``error``."""
    if isinstance(error, SongformError):
        return str(error), error.exit_code
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error}{where}", 1
    if isinstance(error, READER_ERRORS):
        return f"unreadable input ({type(error).__name__}: {_first_line(error)})", 2
    return (f"internal error ({type(error).__name__}: {_first_line(error)}); "
            "rerun with --debug for the traceback"), 1


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else "no message"


def command(group: typer.Typer, name: str, function) -> None:
    """Register ``function`` as ``name``: its docstring's text is the help, and the examples
    after its "Examples:" line close the ``--help`` page."""
    import inspect

    text = inspect.getdoc(function) or ""
    head, _, examples = text.partition("Examples:")
    epilog = None
    if examples.strip():
        lines = [line.strip() for line in examples.strip().splitlines() if line.strip()]
        epilog = "Examples:\n\n" + "\n\n".join(f"  {line}" for line in lines)
    group.command(name, help=head.strip(), epilog=epilog)(function)
