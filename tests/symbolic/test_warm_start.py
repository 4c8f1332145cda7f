"""A warm start: a new run begins from a checkpoint's weights, a grown vocabulary keeping the
old rows (the POP909 model's 831 tokens inside a tokenizer with idioms)."""

from __future__ import annotations

import pytest
import torch

from songform.core.errors import InputError
from songform.symbolic.checkpoint import CheckpointInfo, save_checkpoint
from songform.symbolic.model import ModelConfig, MusicTransformer
from songform.symbolic.tokenizer import SongTokenizer, TokenizerSettings
from songform.symbolic.train import start_from


def _model(vocab: int, dim: int = 16) -> MusicTransformer:
    return MusicTransformer(ModelConfig(vocab_size=vocab, dim=dim, depth=1, heads=2,
                                        position="relative+music", max_relative=32))


def test_a_grown_vocabulary_keeps_the_old_rows_and_everything_else(tmp_path):
    old_tokenizer = SongTokenizer(TokenizerSettings(idioms=()))
    new_tokenizer = SongTokenizer()
    torch.manual_seed(0)
    old = _model(len(old_tokenizer))
    save_checkpoint(tmp_path / "old", old, CheckpointInfo.for_songs(old_tokenizer))
    torch.manual_seed(1)
    new = _model(len(new_tokenizer))
    fresh_rows = new.embed.tokens.weight[len(old_tokenizer):].clone()
    start_from(new, tmp_path / "old")
    saved = {k: v.float() for k, v in old.state_dict().items()}
    for name, value in new.state_dict().items():
        kept = value[:saved[name].shape[0]] if value.shape != saved[name].shape else value
        assert torch.allclose(kept, saved[name], atol=1e-2), name  # stored as float16
    assert torch.equal(new.embed.tokens.weight[len(old_tokenizer):], fresh_rows)


def test_other_sizes_are_refused_by_name(tmp_path):
    tokenizer = SongTokenizer()
    save_checkpoint(tmp_path / "old", _model(len(tokenizer)),
                    CheckpointInfo.for_songs(tokenizer))
    with pytest.raises(InputError, match=r"--init .*: .* is \(.*16.*\) there"):
        start_from(_model(len(tokenizer), dim=32), tmp_path / "old")
