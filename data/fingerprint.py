"""What a corpus cache is keyed by: every file under the corpus (path, size, modification
time), so that a file changed, added or removed anywhere in it is read again."""

from __future__ import annotations

import hashlib
from pathlib import Path


def corpus_fingerprint(path: str | Path) -> str:
    """A short hash of every file's relative path, size and modification time under ``path``
    (or of the file itself)."""
    root = Path(path).resolve()
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    digest = hashlib.sha256(str(root).encode())
    for file in files:
        stat = file.stat()
        digest.update(f"{file.relative_to(root.parent)}|{stat.st_size}|{stat.st_mtime_ns}\n"
                      .encode())
    return digest.hexdigest()[:16]
