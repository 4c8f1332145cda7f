"""Every verb writes notes on the thread count the library chooses (one: batch-1 decoding is
fastest there, and many times slower on two beside a busy process), and gives the caller's
setting back afterwards."""

from __future__ import annotations

import torch
from typer.testing import CliRunner

import songform
from songform.cli.app import app
from songform.symbolic.devices import DECODING_THREADS

runner = CliRunner()


def test_generate_edit_arrange_continue_and_the_python_api_decode_on_the_librarys_threads(
        tmp_path, monkeypatch):
    import songform.symbolic.writers as writers

    seen = []
    for name in ("generate", "write_songs"):
        real = getattr(writers, name)

        def spy(*args, _real=real, **kwargs):
            seen.append(torch.get_num_threads())
            return _real(*args, **kwargs)

        monkeypatch.setattr(writers, name, spy)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        song = tmp_path / "song"
        for argv in (["generate", "verse:2", "-o", str(song)],
                     ["edit", str(song / "song.json"), "--regenerate", "verse", "-o",
                      str(tmp_path / "edit")],
                     ["arrange", str(song / "song.mid"), "--melody-track", "Lead", "-o",
                      str(tmp_path / "arranged")],
                     ["continue", str(song / "song.mid"), "--bars", "4", "-o",
                      str(tmp_path / "continued")]):
            result = runner.invoke(app, [*argv, "--no-audio", "--quiet"])
            assert result.exit_code == 0, result.output
            assert torch.get_num_threads() == 2  # the caller's setting, given back
        songform.compose("verse:2", seed=1)
        assert torch.get_num_threads() == 2
        count = len(seen)
        songform.load(song / "song.json").regenerate("verse", seed=2)
        assert len(seen) > count and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert len(seen) >= 5 and set(seen) == {DECODING_THREADS}
