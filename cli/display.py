"""What the commands that write songs show: the pipeline's progress, the files written, a
song's summary, and the same as one JSON object."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from songform.hierarchy.plan import SongPlan

from .common import console, print_json
from .plan_cmd import plan_summary, print_plan_notes

OUTPUT_LABELS = {"stems": "stems", "plan": "plan", "project": "project", "midi": "MIDI",
                 "musicxml": "MusicXML", "pianoroll": "piano roll", "audio": "audio"}


@contextlib.contextmanager
def pipeline_display(writer: str, engine: str = "fluidsynth", silent: bool = False
                     ) -> Iterator[Callable[[str, int, int], None]]:
    """The pipeline's ``progress(stage, done, total)`` callback, drawn on the terminal as a
    spinner for the stages and a bar for the bars being written or the audio windows
    (nothing when ``silent``)."""
    if silent:
        yield lambda stage, done, total: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        yield _PipelineDisplay(progress, writer, engine).update


class _PipelineDisplay:
    """Draws the pipeline's progress callbacks as rich tasks: one for the stages, one for the
    bars while notes are written, one for the audio windows."""

    def __init__(self, progress: Progress, writer: str, engine: str) -> None:
        self.progress, self.writer, self.engine = progress, writer, engine
        self.stages = progress.add_task("planning", total=None)
        self.detail = None

    def update(self, stage: str, done: int, total: int) -> None:
        label = {"notes": f"writing notes ({self.writer})", "audio": f"writing audio "
                 f"({self.engine})"}.get(stage, f"writing {OUTPUT_LABELS.get(stage, stage)}")
        self.progress.update(self.stages, description=label)
        if stage in ("notes", "audio"):
            if self.detail is None:
                what = f"  {self.writer}: bars" if stage == "notes" else f"  {self.engine} windows"
                self.detail = self.progress.add_task(what, total=total or None)
            self.progress.update(self.detail, completed=done, total=total or None)
            if total and done >= total:
                self.progress.remove_task(self.detail)
                self.detail = None


def file_size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KiB" if size < 1024 ** 2 else f"{size / 1024 ** 2:.1f} MiB"


def print_outputs(written, seconds: bool = False) -> None:
    """The files a command wrote, as a table (output, file, size, and the seconds each took
    when asked)."""
    table = Table(header_style="bold")
    for column in ("output", "file", "size", *(("seconds",) if seconds else ())):
        table.add_column(column)
    for item in written:
        table.add_row(OUTPUT_LABELS.get(item.output, item.output), str(item.path),
                      file_size(item.path), *((f"{item.seconds:.2f}",) if seconds else ()))
    console.print(table)


def song_json(result, writer: str) -> dict:
    """A written song for ``--json``: the plan's summary, the writer, the files."""
    return {"seed": result.seed, "writer": writer, **plan_summary(result.song.plan),
            "files": {item.output: str(item.path) for item in result.written}}


def print_song(result, writer: str, note_writer) -> None:
    """A written song: its length and sections, who played which track (as ``note_writer``'s
    ``player`` decides; nothing said for the arranger alone), the plan's notes and the
    files."""
    plan: SongPlan = result.song.plan
    minutes, seconds = divmod(round(plan.duration_seconds), 60)
    console.print(f"[bold]{plan.title}[/]: {plan.num_bars} bars, {minutes}:{seconds:02d}, "
                  f"{len(plan.sections)} sections, seed {result.seed}, style {plan.style}, "
                  f"notes by the {writer}")
    if note_writer.song_model is not None:
        by_model = [t.name for t in plan.tracks if note_writer.player(plan, t.name) is None]
        by_arranger = [t.name for t in plan.tracks if t.name not in by_model]
        console.print(f"the {writer} writes {', '.join(by_model) or 'no track'}; the arranger "
                      f"plays {', '.join(by_arranger) or 'no track'}, and any section where a "
                      "planned track is left silent")
    print_plan_notes(plan)
    print_outputs(result.written, seconds=True)


def show_result(result, writer: str, as_json: bool, quiet: bool,
                text: Callable[[], None]) -> None:
    """One written song shown as ``--json`` asks (one object), ``--quiet`` (nothing) or as
    ``text`` prints it."""
    if as_json:
        print_json(song_json(result, writer))
    elif not quiet:
        text()
