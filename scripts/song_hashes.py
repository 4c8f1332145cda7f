"""Hashes of the shipped model's songs for the README's templates and seeds: run before and
after a refactor that must not change behaviour, and compare the lines.

    python scripts/song_hashes.py > before.txt   # ... change ...
    python scripts/song_hashes.py | diff before.txt -
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

import torch

import songform

CASES = [  # (template, seed, notes): the README's examples
    ("pop", 7, "model"),
    ("ballad", 3, "model"),
    ("rock", 0, "model"),
    ("intro:4 verse:8 chorus:8 verse:8 chorus:8 bridge:8 chorus:8 outro:4", 7, "model"),
    ("pop", 7, "arranger"),
]


def main() -> None:
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        for source, seed, notes in CASES:
            template = songform.load_template(None, style=source) if " " not in source \
                else songform.load_template(source)
            song = songform.compose(template, seed=seed, notes=notes)
            path = Path(folder) / "song.mid"
            song.save_midi(path)
            midi = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            plan = hashlib.sha256(song.plan.to_json().encode()).hexdigest()[:16]
            print(f"{source[:24]:24s} seed {seed:2d} {notes:8s} midi {midi} plan {plan}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
