"""The README's worked example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _example(name: str) -> str:
    text = (ROOT / "README.md").read_text()
    found = re.search(rf"<!-- readme-example: {name} -->\s*```python\n(.*?)```", text, re.S)
    assert found, f"README example {name} is missing"
    return found.group(1)


def test_the_loop_example_runs(tmp_path, monkeypatch, capsys):
    from songform.symbolic.shipped import shipped_checkpoint

    if shipped_checkpoint() is None:
        pytest.skip("no shipped model in this install")
    monkeypatch.chdir(tmp_path)
    exec(compile(_example("loop"), "README.md", "exec"), {})
    assert (tmp_path / "loop" / "v1" / "song.json").is_file()
    assert (tmp_path / "loop" / "final.mid").stat().st_size > 0
    assert (tmp_path / "loop" / "final.png").stat().st_size > 0
    assert capsys.readouterr().out.startswith("Song(")
