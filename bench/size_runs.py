"""Which size learns most per CPU-minute over runs of an hour or more: the validation NLL each
training run had reached at the same CPU time, read from the runs' own curves (``curve.csv``,
whose ``cpu_s`` counts every thread and every resumed part).

    .venv/bin/python bench/size_runs.py runs/mix-d128-l3 runs/mix-d192-l4 [--minutes 15 30 60]
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from common import bench_parser, finish, print_table


def curve(folder: Path) -> list[dict[str, float]]:
    """The run's curve rows that have a validation NLL and a CPU time."""
    with (folder / "curve.csv").open(newline="", encoding="utf-8") as handle:
        rows = [{k: float(v) for k, v in row.items() if v} for row in csv.DictReader(handle)]
    return [row for row in rows if "valid_nll" in row and "cpu_s" in row]


def size_of(folder: Path) -> dict:
    """The run's model size and batch from its saved options (``train.json``)."""
    options = json.loads((folder / "train.json").read_text(encoding="utf-8"))
    return {k: options[k] for k in ("dim", "depth", "heads", "window", "batch_size", "corpus")}


def at_minutes(rows: list[dict[str, float]], minutes: float) -> dict[str, float] | None:
    """The last validation at or before ``minutes`` of CPU time, or ``None`` (also when the
    run has not run that long)."""
    earlier = [row for row in rows if row["cpu_s"] <= minutes * 60]
    if not earlier or rows[-1]["cpu_s"] < minutes * 60 * 0.98:
        return None
    return earlier[-1]


def main() -> int:
    parser = bench_parser(__doc__, "size_runs.json")
    parser.add_argument("runs", type=Path, nargs="+", help="training run folders")
    parser.add_argument("--minutes", type=float, nargs="+", default=[15, 30, 45, 60])
    args = parser.parse_args()
    results = []
    for folder in args.runs:
        rows = curve(folder)
        found = {str(m): at_minutes(rows, m) for m in args.minutes}
        results.append({"run": folder.name, **size_of(folder),
                        "cpu_minutes": rows[-1]["cpu_s"] / 60 if rows else 0.0,
                        "steps": int(rows[-1]["step"]) if rows else 0,
                        "valid_nll_at": {m: row["valid_nll"] if row else None
                                         for m, row in found.items()},
                        "step_at": {m: int(row["step"]) if row else None
                                    for m, row in found.items()}})
    print_table("Validation NLL (nats/token) at equal CPU time",
                ("run", "width x depth", "CPU min", "steps",
                 *(f"@{m:g} CPU-min" for m in args.minutes)),
                [(r["run"], f"{r['dim']} x {r['depth']}", f"{r['cpu_minutes']:.0f}", r["steps"],
                  *((f"{r['valid_nll_at'][str(m)]:.3f} (step {r['step_at'][str(m)]})"
                     if r["valid_nll_at"][str(m)] is not None else "-")
                    for m in args.minutes)) for r in results])
    return finish(args.json, results)


if __name__ == "__main__":
    raise SystemExit(main())
