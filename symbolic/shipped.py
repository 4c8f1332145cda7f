"""The checkpoint that ships inside the package (trained by us on POP909; see
``scripts/ship_model.py`` and bench/RESULTS.md), used by default to write songs."""

from __future__ import annotations

from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "checkpoints" / "pop909"


def shipped_checkpoint() -> Path | None:
    """The shipped checkpoint folder, or ``None`` when this install has none."""
    return SHIPPED if (SHIPPED / "model.safetensors").exists() else None
