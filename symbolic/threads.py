"""How many CPU threads a model writes on: the library's choice, and a caller's checked
(torch-free, so that commands that may not need torch check it at start-up)."""

from __future__ import annotations

import os

from songform.core.errors import InputError

DECODING_THREADS = 1
"""Torch CPU threads while a model writes notes: one song's batch-1 decoding is as fast on one
thread as on two on a quiet machine, and 10-40x faster on one beside another busy process
(bench/RESULTS.md); every verb, CLI and Python, writes on this many unless told otherwise."""


def check_threads(threads: int | None) -> int:
    """The torch CPU threads to write on: ``threads`` when given (1 to this machine's cores),
    else :data:`DECODING_THREADS`.

    Raises:
        InputError: naming ``--threads`` and the range.
    """
    if threads is None:
        return DECODING_THREADS
    cores = os.cpu_count() or 1
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= cores:
        raise InputError(f"--threads: expected 1 to {cores} (this machine's cores), got "
                         f"{threads!r}")
    return threads
