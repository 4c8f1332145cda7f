"""The ``songform`` command: a Typer app whose commands only call library functions."""

from __future__ import annotations

import os
import signal
from typing import Annotated

import typer

from songform import __version__

from . import (
    arrange_cmd,
    data_cmd,
    edit_cmd,
    eval_cmd,
    generate_cmd,
    plan_cmd,
    render_cmd,
    train_cmd,
)
from .common import command

app = typer.Typer(
    name="songform",
    help="Compose whole songs with structure you can name: plan, generate, render.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


command(app, "plan", plan_cmd.plan)
command(app, "styles", plan_cmd.styles)
command(app, "generate", generate_cmd.generate)
command(app, "render", render_cmd.render)
command(app, "edit", edit_cmd.edit)
command(app, "continue", arrange_cmd.continue_)
command(app, "arrange", arrange_cmd.arrange)
command(app, "train", train_cmd.train)
app.add_typer(data_cmd.data_app, name="data")
command(app, "eval", eval_cmd.evaluate)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"songform {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line "
                                        "errors (or set SONGFORM_DEBUG=1).")] = False,
) -> None:
    """songform: hierarchical long-form song composer."""
    if debug:  # read by the one exit path (cli/common.py), and by any process started here
        os.environ["SONGFORM_DEBUG"] = "1"


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)  # a killed run cleans up like Ctrl-C
    app()


def _terminated(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
