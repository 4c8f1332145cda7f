"""``songform train`` on a few JSB steps writes a loadable checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from songform.cli.app import app
from songform.symbolic.checkpoint import load_checkpoint

JSB = Path(__file__).resolve().parents[3] / "shared" / "data" / "jsb-chorales" / \
    "Jsb16thSeparated.json"
runner = CliRunner()


@pytest.mark.skipif(not JSB.exists(), reason=f"JSB chorales not found at {JSB}")
def test_train_writes_a_checkpoint_and_resumes(tmp_path):
    args = ["train", "--out", str(tmp_path / "ckpt"), "--data", str(JSB), "--steps", "3",
            "--batch-size", "2", "--window", "32", "--dim", "32", "--depth", "1",
            "--heads", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    model = load_checkpoint(tmp_path / "ckpt")
    assert model.config.position == "relative+music" and model.config.dim == 32
    logits = model(torch.zeros(1, 4, dtype=torch.long))
    assert logits.shape == (1, 4, model.config.vocab_size)
    result = runner.invoke(app, [*args[:-8], "--steps", "5", "--batch-size", "2", "--window",
                                 "32", "--resume", str(tmp_path / "ckpt")])
    assert result.exit_code == 0, result.output
    assert "trained 5 steps" in result.output


def test_train_rejects_unknown_corpus(tmp_path):
    result = runner.invoke(app, ["train", "--out", str(tmp_path), "--corpus", "lakh"])
    assert result.exit_code == 2 and "expected one of jsb, pop909, midi" in result.output
