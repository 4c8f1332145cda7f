"""Both note writers implement the whole ``NoteWriter`` protocol, with its signatures: a
writer that lacks a member fails here, not in a caller that probes for it."""

from __future__ import annotations

import inspect
from typing import get_type_hints

import pytest

from songform.symbolic.writers import ArrangerWriter, ModelWriter, NoteWriter

MEMBERS = sorted({name for name in vars(NoteWriter) if not name.startswith("_")}
                 | set(get_type_hints(NoteWriter)))


def test_the_protocol_names_what_callers_use():
    assert {"description", "song_model", "identity", "write", "write_stream"} <= set(MEMBERS)


@pytest.mark.parametrize("writer", [ArrangerWriter, ModelWriter])
def test_each_writer_has_every_member_with_the_protocols_parameters(writer):
    fields = getattr(writer, "__dataclass_fields__", {})
    for name in MEMBERS:
        declared = getattr(NoteWriter, name, None)
        if callable(declared):
            own = getattr(writer, name, None)
            assert callable(own), f"{writer.__name__} lacks {name}()"
            wanted = list(inspect.signature(declared).parameters)
            assert list(inspect.signature(own).parameters)[:len(wanted)] == wanted, name
        else:
            assert name in fields or isinstance(getattr(writer, name, None), property), \
                f"{writer.__name__} lacks {name}"
