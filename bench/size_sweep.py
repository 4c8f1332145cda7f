"""Which model size learns most per CPU-minute: training curves of runs started alike (same
data, window, batch, schedule; each alone on the machine), read at the same elapsed time.

    .venv/bin/python bench/size_sweep.py RUN_DIR [RUN_DIR ...] [--seconds 300]
        [--tokens-per-step 3072]

Each run's ``curve.csv`` gives every step's loss and the mean tokens per second since the run
started, so the time each step was reached; reported: the steps done by ``--seconds``, the mean
training loss of the 25 steps before then (a fair stand-in for validation NLL this early: under
one epoch, nothing is seen twice), and the last validation NLL by then, if any.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path


def read(run: Path, seconds: float, tokens_per_step: int) -> dict:
    rows = list(csv.DictReader((run / "curve.csv").open(encoding="utf-8")))
    config = json.loads((run / "config.json").read_text()) if (run / "config.json").exists() \
        else {}
    reached = [r for r in rows
               if int(r["step"]) * tokens_per_step / float(r["tokens_per_s"]) <= seconds]
    last = reached[-25:]
    valid = [float(r["valid_nll"]) for r in reached if r.get("valid_nll")]
    return {"run": run.name, "dim": config.get("dim"), "depth": config.get("depth"),
            "steps": int(reached[-1]["step"]) if reached else 0,
            "loss": sum(float(r["loss"]) for r in last) / max(len(last), 1),
            "valid_nll": valid[-1] if valid else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--tokens-per-step", type=int, default=3072)
    args = parser.parse_args()
    print(f"{'run':<10} {'dim':>4} {'depth':>5} {'steps':>6} {'loss':>7} {'valid':>7}"
          f"   (at {args.seconds:.0f} s)")
    for run in args.runs:
        row = read(run, args.seconds, args.tokens_per_step)
        valid = f"{row['valid_nll']:.3f}" if row["valid_nll"] is not None else "-"
        print(f"{row['run']:<10} {row['dim']!s:>4} {row['depth']!s:>5} {row['steps']:>6} "
              f"{row['loss']:>7.3f} {valid:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
