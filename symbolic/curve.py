"""The training curve beside a checkpoint: ``curve.csv`` (every step's loss, the validation
NLL where measured, the CPU seconds spent) and ``curve.png``, rewritten atomically at each
validation, carried on across resumed runs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from songform.core.fileio import atomic_path, atomic_write_text

COLUMNS = ("step", "loss", "valid_nll", "tokens_per_s", "cpu_s")
"""``cpu_s``: the CPU seconds the run had spent (every thread, every resumed part)."""
CSV, PNG = "curve.csv", "curve.png"
CSV_EVERY = 25  # steps between saves of the CSV alone


class TrainingCurve:
    """Collects ``train``'s log records (``on_log=curve.add``) and writes them."""

    def __init__(self, folder: str | Path, rows: list[dict] | None = None) -> None:
        self.folder = Path(folder)
        self.rows: list[dict] = rows or []

    @classmethod
    def resume(cls, folder: str | Path) -> TrainingCurve:
        """The curve so far; rows past the checkpoint's step are dropped by :meth:`add`."""
        path = Path(folder) / CSV
        rows = []
        if path.exists():
            with path.open(newline="", encoding="utf-8") as handle:
                for record in csv.DictReader(handle):
                    rows.append({k: float(v) for k, v in record.items() if v not in ("", None)})
        return cls(folder, rows)

    def add(self, record: dict) -> None:
        """One step's record; a validation record saves the curve and its plot, and every
        ``CSV_EVERY`` steps the CSV is saved (so a run killed before its first validation
        keeps its losses)."""
        step = record["step"]
        if self.rows and self.rows[-1]["step"] >= step:  # a resumed run's replay
            self.rows = [row for row in self.rows if row["step"] < step]
        self.rows.append({k: float(v) for k, v in record.items() if k in COLUMNS})
        if "valid_nll" in record:
            self.save()
        elif step % CSV_EVERY == 0:
            self.save(plot=False)

    def save(self, plot: bool = True) -> None:
        if not self.rows:
            return
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: (int(v) if k == "step" else f"{v:.5f}") for k, v in row.items()})
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.folder / CSV, buffer.getvalue())
        if plot:
            self._plot()

    def _plot(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        steps = [row["step"] for row in self.rows]
        losses = [row["loss"] for row in self.rows]
        span = max(1, len(losses) // 50)
        smooth = [sum(losses[max(0, i - span + 1):i + 1]) / len(losses[max(0, i - span + 1):i + 1])
                  for i in range(len(losses))]
        valid = [(row["step"], row["valid_nll"]) for row in self.rows if "valid_nll" in row]
        figure, axes = plt.subplots(figsize=(7, 4), dpi=100)
        axes.plot(steps, smooth, color="#999999", label=f"training loss (mean of {span})")
        if valid:
            axes.plot(*zip(*valid, strict=True), "o-", color="#c0392b", label="validation NLL")
        axes.set_xlabel("step")
        axes.set_ylabel("nats per token")
        axes.grid(alpha=0.3)
        axes.legend()
        figure.tight_layout()
        with atomic_path(self.folder / PNG) as temp:
            figure.savefig(temp, format="png")
        plt.close(figure)
