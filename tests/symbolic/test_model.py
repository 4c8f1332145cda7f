"""The decoder: causality, cache equivalence, sliding windows, placed context, round trips,
overfitting, and DDP across two processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
import torch

from songform.symbolic.attributes import TokenAttributes
from songform.symbolic.checkpoint import CheckpointInfo, load_checkpoint, read_info, save_checkpoint
from songform.symbolic.model import POSITION_MODES, ModelConfig, MusicTransformer
from songform.symbolic.train import TrainConfig, train

VOCAB = 40


def tiny(position="relative+music", window=None, **kwargs) -> MusicTransformer:
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=VOCAB, dim=32, depth=2, heads=4, position=position,
                         dropout=0.0, window=window, max_relative=16, max_positions=256,
                         **kwargs)
    model = MusicTransformer(config).eval()
    with torch.no_grad():  # FME projections and RIPO maps start at zero: give them weight,
        for module in model.modules():  # so that every test exercises them
            if getattr(module, "zero_init", False):
                module.weight.normal_(std=0.1)
    return model


def sequence(batch=2, length=24, seed=1):
    generator = torch.Generator().manual_seed(seed)
    tokens = torch.randint(0, VOCAB, (batch, length), generator=generator)
    pitches = torch.where(tokens % 3 == 0, torch.full_like(tokens, -1), 48 + tokens)
    onsets = torch.cumsum((tokens % 2).float() / 4, 1)
    durations = torch.where(pitches >= 0, torch.full_like(onsets, 0.5),
                            torch.full_like(onsets, float("nan")))
    return tokens, TokenAttributes(pitches, onsets, durations)


@pytest.mark.parametrize("position", POSITION_MODES)
def test_causality_through_gradients(position):
    model = tiny(position)
    tokens, attributes = sequence(batch=1)
    embedded = model.embed(tokens, attributes).detach().requires_grad_(True)
    x = embedded
    positions = torch.arange(tokens.shape[1])[None]
    if model.positions is not None:
        x = x + model.positions(positions)
    for block in model.blocks:
        x = block(x, positions, attributes)
    k = 10
    x[0, k].sum().backward()
    grad = embedded.grad[0].abs().sum(-1)
    assert torch.all(grad[k + 1:] == 0) and grad[: k + 1].sum() > 0


@pytest.mark.parametrize("position", POSITION_MODES)
@pytest.mark.parametrize("chunk", [1, 5])
def test_cached_decoding_equals_full_pass(position, chunk):
    model = tiny(position)
    tokens, attributes = sequence()
    full = model(tokens, attributes)
    caches = model.new_caches(batch=2, capacity=tokens.shape[1])
    pieces = []
    for start in range(0, tokens.shape[1], chunk):
        end = min(start + chunk, tokens.shape[1])
        positions = torch.arange(start, end).expand(2, end - start)
        pieces.append(model(tokens[:, start:end], attributes.span(start, end),
                            positions=positions, caches=caches))
    assert torch.allclose(torch.cat(pieces, 1), full, atol=1e-4)


@pytest.mark.parametrize("position", ["relative", "relative+music"])
@pytest.mark.parametrize("chunk", [1, 3])
def test_sliding_window_cache_equals_banded_full_pass(position, chunk):
    window = 6
    model = tiny(position, window=window)
    tokens, attributes = sequence(length=30)
    banded = model(tokens, attributes)  # the model's window bands the mask
    caches = model.new_caches(batch=2, capacity=window + chunk - 1)  # smaller than the song
    pieces = []
    for start in range(0, 30, chunk):
        end = min(start + chunk, 30)
        positions = torch.arange(start, end).expand(2, end - start)
        pieces.append(model(tokens[:, start:end], attributes.span(start, end),
                            positions=positions, caches=caches))
    assert torch.allclose(torch.cat(pieces, 1), banded, atol=1e-4)
    unbanded = tiny(position)(tokens, attributes)
    assert not torch.allclose(unbanded[:, -1], banded[:, -1], atol=1e-3)  # the band matters
    # a ring of exactly the window: a chunk attends to the ring as it was and to itself
    # before it is stored, so even a chunk longer than the ring sees its whole window
    caches = model.new_caches(batch=2, capacity=window)
    pieces = []
    for start, end in ((0, 4), (4, 5), (5, 14), (14, 15), (15, 30)):
        positions = torch.arange(start, end).expand(2, end - start)
        pieces.append(model(tokens[:, start:end], attributes.span(start, end),
                            positions=positions, caches=caches))
    assert torch.allclose(torch.cat(pieces, 1), banded, atol=1e-4)
    assert sorted(caches[0].positions[0, caches[0].valid[0]].tolist()) == list(range(24, 30))


@pytest.mark.parametrize("position", POSITION_MODES)
def test_non_contiguous_context_in_cache_matches_full_pass(position):
    """A chorus at positions 40.. sees an earlier chorus placed at 0..7, nothing between."""
    model = tiny(position)
    tokens, attributes = sequence(batch=1, length=14)
    positions = torch.cat([torch.arange(0, 8), torch.arange(40, 46)])[None]
    full = model(tokens, attributes, positions=positions)
    caches = model.new_caches(batch=1, capacity=20)
    model(tokens[:, :8], attributes.span(0, 8), positions=positions[:, :8], caches=caches)
    out = [model(tokens[:, i:i + 1], attributes.span(i, i + 1),
                 positions=positions[:, i:i + 1], caches=caches)
           for i in range(8, 14)]
    assert torch.allclose(torch.cat(out, 1), full[:, 8:], atol=1e-4)


def test_batches_of_different_lengths_pad_cleanly():
    model = tiny()
    tokens, attributes = sequence(batch=2, length=16)
    valid = torch.ones(2, 16, dtype=torch.bool)
    valid[1, 10:] = False
    padded = model(tokens, attributes, valid=valid)
    row = TokenAttributes(attributes.pitches[1:], attributes.onsets[1:],
                          attributes.durations[1:]).span(0, 10)
    alone = model(tokens[1:, :10], row)
    assert torch.allclose(padded[1, :10], alone[0], atol=1e-5)


def test_config_and_checkpoint_round_trip(tmp_path):
    model = tiny()
    assert ModelConfig.from_json(model.config.to_json()) == model.config
    save_checkpoint(tmp_path, model, CheckpointInfo("test", VOCAB, corpus="random"))
    loaded = load_checkpoint(tmp_path)
    assert not loaded.training  # decoding and scoring see no dropout
    tokens, attributes = sequence()
    assert torch.equal(loaded(tokens, attributes),
                       model(tokens, attributes))
    assert json.loads((tmp_path / "tokenizer.json").read_text()) == {
        "scheme": "test", "vocab_size": VOCAB, "corpus": "random"}
    assert read_info(tmp_path) == CheckpointInfo("test", VOCAB, corpus="random")
    assert loaded.head.weight.data_ptr() != loaded.embed.tokens.weight.data_ptr()  # untied
    tied = tiny("relative")
    save_checkpoint(tmp_path / "tied", tied)
    loaded = load_checkpoint(tmp_path / "tied")
    assert loaded.head.weight.data_ptr() == loaded.embed.tokens.weight.data_ptr()
    assert torch.equal(loaded(tokens, attributes), tied(tokens, attributes))
    with pytest.raises(ValueError, match="unknown model config"):
        ModelConfig.from_dict({**model.config.to_dict(), "bogus": 1})


class Windows(torch.utils.data.Dataset):
    def __init__(self, count=8, length=17, seed=0):
        generator = torch.Generator().manual_seed(seed)
        self.items = [torch.randint(0, VOCAB, (length,), generator=generator)
                      for _ in range(count)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        tokens = self.items[index]
        return {"tokens": tokens, "pitches": 48 + tokens,
                "onsets": torch.arange(len(tokens)) / 4.0,
                "durations": torch.full((len(tokens),), 0.25)}


def test_tiny_model_overfits_a_tiny_batch(tmp_path):
    config = ModelConfig(vocab_size=VOCAB, dim=32, depth=2, heads=4, dropout=0.0,
                         max_relative=32)
    data = Windows(count=4)
    result = train(config, data, data, TrainConfig(steps=150, batch_size=4, lr=3e-3, warmup=10,
                                                   eval_every=150, seed=0),
                   out_dir=tmp_path / "ckpt", progress=False)
    assert result["history"][0]["loss"] > 3.0 and result["valid_nll"] < 0.3
    resumed = train(config, data, data, TrainConfig(steps=160, batch_size=4, lr=3e-3,
                                                    warmup=10, eval_every=160, seed=0),
                    resume=tmp_path / "ckpt", progress=False)
    assert resumed["history"][0]["step"] == 151 and resumed["valid_nll"] < 0.3


DDP_SCRIPT = textwrap.dedent("""
    import os, sys, torch, torch.distributed as dist
    sys.path.insert(0, {tests!r})
    from test_model import Windows, VOCAB
    from songform.symbolic.model import ModelConfig
    from songform.symbolic.train import TrainConfig, train
    config = ModelConfig(vocab_size=VOCAB, dim=16, depth=2, heads=2, dropout=0.0)
    result = train(config, Windows(count=8), None,
                   TrainConfig(steps=4, batch_size=2, warmup=1, seed=0), progress=False)
    flat = torch.cat([p.detach().flatten() for p in result["model"].parameters()])
    gathered = [torch.zeros_like(flat) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, flat)
    if dist.get_rank() == 0:
        print("MAXDIFF", max(float((g - gathered[0]).abs().max()) for g in gathered))
    sys.stdout.flush()
    dist.barrier()  # both ranks are done with gloo past this point
    # Leave without tearing gloo down: its destructors can abort one rank while the other's
    # threads still hold the pair ("terminate called without an active exception").
    os._exit(0)
""")


def test_two_process_ddp_keeps_parameters_in_sync(tmp_path):
    script = tmp_path / "ddp.py"
    script.write_text(DDP_SCRIPT.format(tests=os.path.dirname(__file__)))
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(script)],  # --standalone: a free port, so runs side by side never collide
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("MAXDIFF"))
    assert float(line.split()[1]) == 0.0


def test_logits_at_gives_each_rows_one_position():
    """Decoding asks for the logits after each row's last token only: the same numbers as
    the full output at those positions."""
    model = tiny()
    tokens, attributes = sequence(batch=2, length=12)
    full = model(tokens, attributes)
    picked = model(tokens, attributes, logits_at=torch.tensor([11, 4]))
    assert picked.shape == (2, full.shape[2])
    assert torch.allclose(picked[0], full[0, 11], atol=1e-5)
    assert torch.allclose(picked[1], full[1, 4], atol=1e-5)
