"""Files for every layer: atomic writes (a temporary file in the same folder, then a
rename), output paths and folders checked and held before the work, and JSON read within
bounds."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import InputError


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
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError(f"{what}: {target} is a folder, not a file")
    if not folder.is_dir():
        raise InputError(f"{what}: the folder {folder} does not exist (for {target})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{what}: cannot write in the folder {folder} (for {target})")
    return target


MIN_FREE_BYTES = 64 * 1024 ** 2
"""Free space an output folder's disk must have before a run starts (a song's files are a
few MB; stems and audio of a long song some tens)."""
LOCK_NAME = ".songform.lock"
_RESERVED: set[Path] = set()  # folders this process holds the lock of


def check_output_folder(path: str | Path, what: str = "--out") -> Path:
    """``path`` if it can become an output folder: it is a folder or does not exist yet, the
    nearest folder above it that exists is writable, and its disk has ``MIN_FREE_BYTES``
    free. Checked before any work; nothing is created.

    Raises:
        InputError: what is wrong, naming ``path``.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise InputError(f"{what}: {target} is a file, not a folder")
    existing = target
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{what}: cannot make the folder {target}: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{what}: cannot write in the folder {existing} (for {target})")
    free = shutil.disk_usage(existing).free
    if free < MIN_FREE_BYTES:
        raise InputError(f"{what}: {free / 1024 ** 2:.0f} MB free on the disk of {target}; "
                         f"a run needs {MIN_FREE_BYTES // 1024 ** 2} MB")
    return target


@contextlib.contextmanager
def reserved_folder(path: str | Path, what: str = "--out") -> Iterator[Path]:
    """Hold ``path`` as this run's output folder: checked (:func:`check_output_folder`),
    created with its parents, and locked so that a second run writing there at the same time
    is refused at once. If the body fails or is interrupted, every folder created here is
    removed again when it holds nothing else. Re-entrant within one process.

    Raises:
        InputError: the folder cannot be used, or another run holds it.
    """
    target = Path(path).absolute()
    if target in _RESERVED:
        yield Path(path)
        return
    check_output_folder(path, what)
    created = []
    folder = target
    while not folder.exists():
        created.append(folder)
        folder = folder.parent
    succeeded = False
    try:
        target.mkdir(parents=True, exist_ok=True)
        lock = target / LOCK_NAME
        handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(handle).st_ino != os.stat(lock).st_ino:  # removed by its last holder
                raise BlockingIOError
        except (BlockingIOError, FileNotFoundError):
            os.close(handle)
            raise InputError(f"{what}: another songform run is writing into {path}; wait for "
                             "it or choose another folder") from None
        _RESERVED.add(target)
        try:
            yield Path(path)
            succeeded = True
        finally:
            _RESERVED.discard(target)
            os.unlink(lock)
            os.close(handle)
    finally:
        if not succeeded:
            for folder in created:  # deepest first
                with contextlib.suppress(OSError):
                    folder.rmdir()


def read_json(path: str | Path, max_bytes: int, what: str) -> Any:
    """The JSON in ``path``, a songform ``what`` (``project``, ``plan``): at most
    ``max_bytes``, nested no deeper than the reader can follow, and with no NaN or infinity.

    Raises:
        InputError: one line naming ``path`` and what is wrong.
    """
    path = Path(path)

    def refused(name: str) -> None:
        raise ValueError(f"{name} is not a number a {what} holds")

    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: {size:,} bytes, over the {max_bytes:,} a {what} may "
                             "hold")
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=refused)
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: a folder, not a {what} file") from None
    except RecursionError:
        raise InputError(f"{path}: not a songform {what} (nested too deep)") from None
    except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
        raise InputError(f"{path}: not a songform {what} ({error})") from None
