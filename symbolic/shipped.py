"""The checkpoints that ship inside the package (trained by us; see ``scripts/ship_model.py``
and bench/RESULTS.md), found by folder or by name; the default one writes songs."""

from __future__ import annotations

from pathlib import Path

from songform.core.errors import InputError

CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"
DEFAULT_MODEL = "idioms"
SHIPPED = CHECKPOINTS / DEFAULT_MODEL


def shipped_names() -> tuple[str, ...]:
    """The names of the models this install ships, sorted."""
    if not CHECKPOINTS.is_dir():
        return ()
    return tuple(sorted(p.name for p in CHECKPOINTS.iterdir()
                        if (p / "model.safetensors").is_file()))


def shipped_checkpoint(name: str = DEFAULT_MODEL) -> Path | None:
    """The shipped checkpoint folder called ``name`` (the default model unless named), or
    ``None`` when this install lacks it."""
    folder = CHECKPOINTS / name
    return folder if (folder / "model.safetensors").is_file() else None


def checkpoint_folder(given: str | Path | None) -> Path | None:
    """The folder a ``--checkpoint`` value names: a folder on disk, else a shipped model's
    name, else (``None`` given) the default shipped model or ``None`` when none ships.

    Raises:
        InputError: ``given`` is neither a folder nor a shipped model's name.
    """
    if given is None:
        return shipped_checkpoint()
    if Path(given).is_dir():
        return Path(given)
    named = shipped_checkpoint(str(given)) if "/" not in str(given) else None
    if named is not None:
        return named
    known = ", ".join(shipped_names()) or "none"
    raise InputError(f"--checkpoint: no such folder, nor a shipped model's name: {given} "
                     f"(shipped: {known})")
