"""Shared CLI pieces: argument aliases, the error-to-exit-code decorator, the console."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from songform.hierarchy.errors import TemplateError

# Piped output (logs, CI) gets a wide fixed width so that plan tables stay one line a row.
console = Console() if Console().is_terminal else Console(width=160)
error_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

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
MeterOpt = Annotated[str | None, typer.Option("--meter", "-m", help="Meter, e.g. 3/4 or 7/8.")]
BarsOpt = Annotated[int | None, typer.Option("--bars", "-b", help="Target length in bars "
                                                                 "(the style samples a form).")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Random seed (default: the "
                                                            "template's, else 0).")]
JsonOpt = Annotated[Path | None, typer.Option("--json", help="Write the plan as JSON here.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one red error line to stderr and return the exit to raise."""
    error_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handles_errors(command: F) -> F:
    """Turn known errors into one line on stderr: exit 2 for bad input, 1 for I/O."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TemplateError as error:
            raise fail(str(error), 2) from None
        except OSError as error:
            raise fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "),
                       1) from None

    return wrapper  # type: ignore[return-value]
