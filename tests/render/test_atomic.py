"""Outputs are written atomically: a crash mid-write leaves the old file whole."""

from __future__ import annotations

import mido
import pytest

from songform.core.fileio import atomic_write_text
from songform.render import midi as midi_module
from songform.render.midi import write_midi


def test_crash_mid_write_keeps_the_old_file(changing_song, tmp_path, monkeypatch):
    path = tmp_path / "song.mid"
    write_midi(changing_song, path)
    before = path.read_bytes()

    def crash(self, filename=None, file=None):
        with open(filename, "wb") as handle:
            handle.write(b"MThd trunc")
        raise OSError("disk full")

    monkeypatch.setattr(mido.MidiFile, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        midi_module.write_midi(changing_song, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.mid"]


def test_atomic_text_replaces_whole_file(tmp_path):
    path = tmp_path / "plan.json"
    atomic_write_text(path, "first")
    atomic_write_text(path, "second")
    assert path.read_text() == "second" and len(list(tmp_path.iterdir())) == 1


def test_atomic_files_get_ordinary_permissions(tmp_path):
    import os
    import stat

    from songform.core.fileio import atomic_write_text

    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.txt", "hello")
        assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644  # not mkstemp's 0600
        os.chmod(tmp_path / "new.txt", 0o640)
        atomic_write_text(tmp_path / "new.txt", "again")  # a replaced file keeps its mode
        assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640
    finally:
        os.umask(umask)
