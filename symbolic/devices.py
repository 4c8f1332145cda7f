"""The device a model runs on, checked before any work (never chosen for the caller)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import torch

from songform.core.errors import InputError, MachineError

from .threads import DECODING_THREADS, check_threads

__all__ = ["DECODING_THREADS", "check_device", "check_threads", "torch_threads"]

_DEVICE_RE = re.compile(r"^(cpu|cuda(:\d+)?)$")


def check_device(device: str) -> str:
    """``device`` if this machine has it.

    Raises:
        InputError: not ``cpu``, ``cuda`` or ``cuda:N``.
        MachineError: CUDA (or that GPU) is not available here.
    """
    if not isinstance(device, str) or not _DEVICE_RE.match(device):
        raise InputError(f'--device: expected "cpu", "cuda" or "cuda:N", got "{device}"')
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise MachineError(f"--device {device}: no CUDA GPU is available on this machine")
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise MachineError(f"--device {device}: this machine has "
                               f"{torch.cuda.device_count()} GPU(s)")
    return device


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run the body on ``count`` torch CPU threads, then restore the caller's setting."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InputError(f"threads: expected a positive integer, got {count!r}")
    previous = torch.get_num_threads()
    if previous != count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)
