"""The same template, seed and checkpoint give byte-identical files across processes: MIDI,
MusicXML, plan JSON and (on the CPU) audio, with the model writing the notes."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from songform.symbolic.shipped import shipped_checkpoint

from .render.soundfont_check import needs_soundfont


def _generate(folder) -> dict[str, str]:
    subprocess.run([sys.executable, "-m", "songform", "generate", "verse:2 chorus:2 verse:2",
                    "--style", "pop", "--seed", "11", "--notes", "model", "--out", str(folder)],
                   check=True, capture_output=True, text=True)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@needs_soundfont
@pytest.mark.skipif(shipped_checkpoint() is None, reason="no shipped model in this install")
def test_two_processes_write_the_same_bytes(tmp_path):
    first, second = _generate(tmp_path / "a"), _generate(tmp_path / "b")
    assert set(first) == {"plan.json", "song.json", "song.mid", "song.musicxml",
                          "pianoroll.png", "song.wav"}
    assert first == second
