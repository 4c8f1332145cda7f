"""Atomic file writes (temporary file in the same folder, then rename), for every layer."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    If the body raises, the temporary file is removed and ``path`` is left as it was.

    Raises:
        OSError: the folder does not exist or cannot be written.
    """
    target = Path(path)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=suffix if suffix is not None else target.suffix,
        dir=target.parent if str(target.parent) else ".",
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, _mode_for(target))  # mkstemp makes 0600; a plain open() would not
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, or what a new file gets under the umask."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)
