"""What regenerating part of a song costs against writing the whole song: the
shipped model writes a 64-bar song, then one 8-bar section is written again with the rest
given (``songform edit --regenerate``'s path), side by side in one run.

    .venv/bin/python bench/edit.py [--json bench/results/edit.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch
from common import add_json_option, write_json

FORM = "intro:4 verse:8 chorus:8 verse:8 chorus:8 bridge:8 chorus:8 verse:4 outro:8"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_json_option(parser, "edit.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    from rich.console import Console
    from rich.table import Table

    import songform
    from songform.pipeline import SongPipeline
    from songform.project import Project, part_bars, regenerate

    pipeline = SongPipeline.from_options("model")
    template = songform.Template(form=FORM, style="pop")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        pipeline(template, seed=4, out=folder, outputs=("plan", "midi", "project"))
        whole = time.perf_counter() - started
        project = Project.load(Path(folder) / "song.json")
        song = songform.Song.from_symbolic(project.song())
        rows.append({"what": f"write the whole song ({project.plan.num_bars} bars)",
                     "bars_written": project.plan.num_bars, "seconds": whole})
        for name in ("verse 1", "bridge", "outro"):
            asked, chosen = part_bars(project.plan, name)
            started = time.perf_counter()
            regenerate(song, chosen, 9, pipeline.writer, asked)
            seconds = time.perf_counter() - started
            rows.append({"what": f"regenerate {name} ({len(asked)} bars)",
                         "bars_written": len(chosen), "seconds": seconds})
            print(json.dumps(rows[-1]), flush=True)
    for row in rows:
        row["vs_whole"] = row["seconds"] / rows[0]["seconds"]
    table = Table(title="Regenerating a section against writing the whole song (shipped "
                        "model, CPU, 1 thread)")
    for column in ("what", "bars written", "seconds", "of the whole song"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for row in rows:
        table.add_row(row["what"], str(row["bars_written"]), f"{row['seconds']:.1f}",
                      f"{row['vs_whole']:.2f}")
    Console(width=150).print(table)
    write_json(args.json, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
