"""The per-row ring cache: own cursors and ring sizes, padding stored nowhere, rows selected
and viewed."""

from __future__ import annotations

import torch

from songform.symbolic.attributes import TokenAttributes
from songform.symbolic.cache import LayerCache


def _write(cache, positions, valid):
    batch, steps = positions.shape
    keys = positions[:, None, :, None].float().expand(batch, 1, steps, 2)
    attributes = TokenAttributes(torch.full((batch, steps), 60), positions.float(),
                                 torch.zeros(batch, steps))
    cache.write(keys, keys, positions, attributes, valid)


def _held(cache, row):
    return sorted(int(p) for p, v in zip(cache.positions[row], cache.valid[row],
                                         strict=True) if v)


def test_rows_keep_their_own_ring_and_padding_goes_nowhere():
    cache = LayerCache.empty(batch=2, heads=1, capacity=4, head_dim=2)
    cache.limit = torch.tensor([4, 3])
    _write(cache, torch.tensor([[0, 1, 2], [0, 1, 2]]), torch.tensor([[True] * 3] * 2))
    # row 0 writes two tokens; row 1 waits (padding)
    _write(cache, torch.tensor([[3, 4], [9, 9]]), torch.tensor([[True, True], [False, False]]))
    assert _held(cache, 0) == [1, 2, 3, 4]  # a ring of 4: position 0 overwritten
    assert _held(cache, 1) == [0, 1, 2]  # untouched while it waited
    _write(cache, torch.tensor([[5], [3]]), torch.tensor([[True], [True]]))
    assert _held(cache, 1) == [1, 2, 3]  # its own ring of 3
    assert not cache.valid[:, cache.capacity].any()  # the padding slot is never valid
    # more entries than a ring holds: the latest are kept, in order, the cursor after them
    _write(cache, torch.tensor([[6, 7, 8, 9, 10, 11], [4, 5, 6, 7, 8, 0]]),
           torch.tensor([[True] * 6, [True] * 5 + [False]]))
    assert _held(cache, 0) == [8, 9, 10, 11] and _held(cache, 1) == [6, 7, 8]
    _write(cache, torch.tensor([[12], [9]]), torch.tensor([[True], [True]]))
    assert _held(cache, 0) == [9, 10, 11, 12] and _held(cache, 1) == [7, 8, 9]


def test_select_copies_rows_and_views_write_through():
    cache = LayerCache.empty(batch=2, heads=1, capacity=4, head_dim=2)
    _write(cache, torch.tensor([[0, 1], [5, 6]]), torch.tensor([[True] * 2] * 2))
    cache.select(torch.tensor([1, 1]))
    assert _held(cache, 0) == _held(cache, 1) == [5, 6]
    view = cache.rows(0, 1)
    _write(view, torch.tensor([[7]]), torch.tensor([[True]]))
    assert _held(cache, 0) == [5, 6, 7] and _held(cache, 1) == [5, 6]
    assert int(cache.cursor[0]) == 3 and int(cache.cursor[1]) == 2
