"""Each sampling filter alone, then the composition."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from songform.symbolic.sampling import (
    add_bias,
    draw,
    restrict,
    sample,
    top_p,
    with_temperature,
)


def test_add_bias_touches_only_the_ids_and_copies():
    logits = torch.zeros(6)
    guided = add_bias(logits, torch.tensor([1, 4]), 2.0)
    assert guided.tolist() == [0, 2, 0, 0, 2, 0] and logits.sum() == 0
    assert add_bias(logits, torch.tensor([1]), 0.0) is logits


def test_restrict_masks_with_minus_infinity():
    out = restrict(torch.arange(4.0), torch.tensor([True, False, True, False]))
    assert out[0] == 0 and out[2] == 2 and torch.isinf(out[1]) and torch.isinf(out[3])


def test_temperature_flattens_and_sharpens():
    logits = torch.tensor([2.0, 0.0])
    hot = torch.softmax(with_temperature(logits, 2.0), 0)
    cold = torch.softmax(with_temperature(logits, 0.5), 0)
    assert hot[0] < torch.softmax(logits, 0)[0] < cold[0]


def test_top_p_keeps_the_nucleus_and_always_the_first():
    probabilities = np.array([0.1, 0.5, 0.3, 0.1])
    assert top_p(probabilities, 0.7).tolist() == [1, 2]  # most likely first
    assert top_p(probabilities, 0.01).tolist() == [1]
    assert top_p(probabilities, 1.0).tolist() == [0, 1, 2, 3]


def test_draw_is_seeded_and_follows_the_probabilities():
    probabilities = np.array([0.25, 0.25, 0.25, 0.25])
    first = [draw(probabilities, torch.Generator().manual_seed(3)) for _ in range(5)]
    again = [draw(probabilities, torch.Generator().manual_seed(3)) for _ in range(5)]
    assert first == again
    generator = torch.Generator().manual_seed(1)
    unnormalised = np.array([1.0, 0.0, 2.0, 7.0])  # 0.1, 0, 0.2, 0.7
    counts = np.bincount([draw(unnormalised, generator) for _ in range(4000)], minlength=4)
    assert counts[1] == 0
    assert np.allclose(counts / 4000, [0.1, 0.0, 0.2, 0.7], atol=0.03)


def test_sample_never_leaves_the_mask_or_the_nucleus():
    generator = torch.Generator().manual_seed(0)
    allowed = torch.tensor([False, True, False, True, False])
    picks = {sample(torch.randn(5, generator=generator), allowed, generator,
                    temperature=1.5, nucleus=0.9) for _ in range(200)}
    assert picks <= {1, 3} and len(picks) == 2
    logits = torch.tensor([0.0, 5.0, 4.0, -1.0, 9.0])  # 4 is masked: 1 and 2 hold the mass
    picks = [sample(logits, torch.tensor([True, True, True, True, False]), generator,
                    nucleus=0.6) for _ in range(200)]
    assert set(picks) == {1}  # 1 alone holds 0.73 of the allowed mass: the nucleus
    picks = [sample(logits, torch.tensor([True, True, True, True, False]), generator,
                    nucleus=0.9) for _ in range(400)]
    assert set(picks) == {1, 2} and 0.6 < picks.count(1) / 400 < 0.85  # 0.73 of 1 and 2


def test_add_ramp_tilts_by_value_and_copies():
    from songform.symbolic.sampling import add_ramp

    logits = torch.zeros(6)
    tilted = add_ramp(logits, torch.tensor([1, 3, 5]), torch.tensor([-12.0, 0.0, 12.0]), 0.1)
    assert tilted.tolist() == pytest.approx([0, -1.2, 0, 0, 0, 1.2])
    assert logits.tolist() == [0.0] * 6
    assert add_ramp(logits, torch.tensor([1]), torch.tensor([5.0]), 0.0) is logits
