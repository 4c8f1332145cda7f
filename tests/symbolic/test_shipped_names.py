"""A shipped model is found by its name as well as by its folder."""

from __future__ import annotations

import pytest

from songform.core.errors import InputError
from songform.symbolic import shipped
from songform.symbolic.shipped import checkpoint_folder, shipped_names
from songform.symbolic.writers import note_checkpoint


def _fake_install(tmp_path, monkeypatch, names):
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.safetensors").write_bytes(b"")
    (tmp_path / "half-copied").mkdir()  # a folder without weights is not a model
    monkeypatch.setattr(shipped, "CHECKPOINTS", tmp_path)


def test_a_name_finds_the_shipped_folder_and_a_folder_wins(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    _fake_install(pkg, monkeypatch, ["pop909", "idioms"])
    assert shipped_names() == ("idioms", "pop909")
    assert checkpoint_folder("pop909") == pkg / "pop909"
    assert note_checkpoint("model", "idioms") == pkg / "idioms"
    own = tmp_path / "mine"
    own.mkdir()
    assert checkpoint_folder(own) == own  # a folder on disk is taken as it is
    with pytest.raises(InputError, match=r"no such folder, nor a shipped model's name: "
                                         r"half-copied \(shipped: idioms, pop909\)"):
        checkpoint_folder("half-copied")
    with pytest.raises(InputError, match="no such folder"):
        checkpoint_folder(tmp_path / "nowhere" / "pop909")


def test_no_name_is_the_default_model(tmp_path, monkeypatch):
    _fake_install(tmp_path, monkeypatch, [shipped.DEFAULT_MODEL])
    assert checkpoint_folder(None) == tmp_path / shipped.DEFAULT_MODEL
    (tmp_path / "empty").mkdir()
    _fake_install(tmp_path / "empty", monkeypatch, [])
    assert checkpoint_folder(None) is None
    assert note_checkpoint("auto", None) is None
