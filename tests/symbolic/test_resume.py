"""Training resumes exactly: a run killed after a checkpoint and resumed gives the same losses
and the same weights as a run never interrupted (dropout, data order, augmentation and all)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from songform.core.errors import InputError
from songform.symbolic.model import ModelConfig
from songform.symbolic.train import EpochSampler, TrainConfig, train

VOCAB = 24


class AugmentedWindows(torch.utils.data.Dataset):
    """Random windows whose items draw from the dataset's own ``rng`` (like BarWindows)."""

    def __init__(self, count=7, length=13, seed=0):
        generator = torch.Generator().manual_seed(seed)
        self.items = [torch.randint(0, VOCAB - 2, (length,), generator=generator)
                      for _ in range(count)]
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        tokens = self.items[index] + int(self.rng.integers(0, 2))  # "transposition"
        return {"tokens": tokens, "pitches": 40 + tokens,
                "onsets": torch.arange(len(tokens)) / 4.0,
                "durations": torch.full((len(tokens),), 0.25)}


CONFIG = ModelConfig(vocab_size=VOCAB, dim=16, depth=2, heads=2, dropout=0.2, max_relative=16)
SCHEDULE = TrainConfig(steps=9, batch_size=2, lr=3e-3, warmup=2, eval_every=100, seed=5,
                       checkpoint_every=3)


class Killed(Exception):
    pass


def _kill_at(step):
    def on_log(record):
        if record["step"] == step:
            raise Killed

    return on_log


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    whole = train(CONFIG, AugmentedWindows(), None, SCHEDULE, progress=False)
    with pytest.raises(Killed):  # killed during step 5: the checkpoint of step 3 survives
        train(CONFIG, AugmentedWindows(), None, SCHEDULE, out_dir=tmp_path / "ckpt",
              progress=False, on_log=_kill_at(5))
    resumed = train(CONFIG, AugmentedWindows(), None, SCHEDULE, resume=tmp_path / "ckpt",
                    out_dir=tmp_path / "ckpt", progress=False)
    assert [h["step"] for h in resumed["history"]] == list(range(4, 10))  # epochs crossed
    assert [h["loss"] for h in resumed["history"]] == [h["loss"] for h in whole["history"][3:]]
    for (name, a), b in zip(whole["model"].state_dict().items(),
                            resumed["model"].state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_the_sampler_is_a_function_of_seed_epoch_and_place():
    sampler = EpochSampler(10, seed=1)
    sampler.set_position(2, 0)
    full = list(sampler)
    sampler.set_position(2, 4)
    assert list(sampler) == full[4:] and sorted(full) == list(range(10))
    sampler.set_position(3, 0)
    assert list(sampler) != full
    shares = []
    for rank in range(3):
        part = EpochSampler(10, seed=1, rank=rank, world=3)
        part.set_position(2, 0)
        shares.append(list(part))
    assert [len(s) for s in shares] == [4, 4, 4] and set(sum(shares, [])) == set(range(10))


@pytest.mark.parametrize("field,value", [("steps", 0), ("batch_size", 0), ("lr", float("nan")),
                                         ("lr", -1.0), ("checkpoint_every", 0)])
def test_bad_schedules_are_refused(field, value):
    with pytest.raises(InputError, match=field):
        TrainConfig(**{field: value})


def test_too_few_windows_for_a_batch_is_a_clear_error():
    with pytest.raises(InputError, match="do not fill one batch"):
        train(CONFIG, AugmentedWindows(count=1), None, SCHEDULE, progress=False)
