"""The errors songform raises on purpose. The CLI catches ``SongformError`` at the front door,
prints its one-line message and exits with its ``exit_code``: 2 for bad input (the user can fix
the file or option), 1 for a failure of the machine (no GPU, disk full, a missing program)."""

from __future__ import annotations


class SongformError(Exception):
    """An error songform means to report in one line."""

    exit_code = 2


class InputError(SongformError, ValueError):
    """Bad input: a file, option or checkpoint that cannot be used as given."""


class MachineError(SongformError, RuntimeError):
    """The machine cannot do what was asked (no such device, no space, a missing tool)."""

    exit_code = 1
