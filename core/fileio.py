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
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=suffix if suffix is not None else target.suffix,
            dir=target.parent if str(target.parent) else ".",
        )
    except OSError as error:  # name the user's path, not the staging name
        raise type(error)(error.errno, f"cannot write {target}: {error.strerror}") from None
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


def check_output_file(path: str | Path, what: str = "output") -> Path:
    """``path`` if a file can be written there: its folder exists and is writable and the
    path is not a folder. Checked before any work, so a run fails at once, not at the end.

    Raises:
        InputError: what is wrong, naming ``path``.
    """
    from .errors import InputError

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError(f"{what}: {target} is a folder, not a file")
    if not folder.is_dir():
        raise InputError(f"{what}: the folder {folder} does not exist (for {target})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{what}: cannot write in the folder {folder} (for {target})")
    return target
