"""Shared fixtures: where the real corpora are, skipping cleanly when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

if os.environ.get("PYTEST_XDIST_WORKER"):  # one thread a worker: -n 2 on 2 cores, no thrashing
    torch.set_num_threads(1)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
POP909 = SHARED_DATA / "pop909"


@pytest.fixture(scope="session")
def pop909_root() -> Path:
    if not (POP909 / "001" / "human_label1.txt").exists():
        pytest.skip(f"POP909 not found at {POP909} (../shared/data is absent)")
    return POP909
