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


def _notes(song, bars, inside):
    """Each track's notes whose onset lies inside (or outside) ``bars``."""
    from songform.symbolic.song import bar_lines

    lines = bar_lines(song.plan, song.tpq)
    spans = [(lines[i], lines[i + 1]) for i in bars]
    return {t.name: sorted((n.time, n.pitch, n.duration, n.velocity) for n in t.notes
                           if any(a <= n.time < b for a, b in spans) == inside)
            for t in song.score.tracks}


def test_both_writers_write_around_a_song_keeping_every_other_note(tmp_path):
    """One call for every verb that writes around a song: bars written again, every note
    outside them kept; with ``tracks`` only those, every other part kept note for note."""
    import songform
    from songform.symbolic.writers import note_writer

    from ..cli.test_cli_generate import _tiny_checkpoint

    checkpoint = _tiny_checkpoint(tmp_path / "ckpt")
    plan = songform.plan(songform.Template(form="verse:2 chorus:2 bridge:2", style="pop"), 3)
    for writer in (ArrangerWriter(), note_writer("model", checkpoint)):
        song = writer.write(plan, 1)
        bars = [2, 3]
        again = writer.write(plan, 8, around=song, bars=bars)
        assert _notes(again, bars, False) == _notes(song, bars, False)
        one = writer.write(plan, 8, around=song, bars=bars, tracks=["Bass"])
        assert _notes(one, range(plan.num_bars), True)["Lead"] == \
            _notes(song, range(plan.num_bars), True)["Lead"]
        assert _notes(one, bars, False) == _notes(song, bars, False)


def test_who_plays_a_part_is_decided_by_the_writer(tmp_path):
    import dataclasses

    import songform
    from songform.hierarchy.plan import TrackSpec
    from songform.symbolic.writers import note_writer

    from ..cli.test_cli_generate import _tiny_checkpoint

    model = note_writer("model", _tiny_checkpoint(tmp_path / "ckpt"))  # melody and harmony
    plan = songform.plan(songform.Template(form="verse:2", style="pop"), 1)
    plan = dataclasses.replace(plan, tracks=(*plan.tracks, TrackSpec("Organ", 16, "harmony")))
    assert model.player(plan, "Lead") is None and model.player(plan, "Piano") is None
    assert "does not write bass" in model.player(plan, "Bass")
    assert "already has a harmony part" in model.player(plan, "Organ")
    assert ArrangerWriter().player(plan, "Lead") == "notes by the arranger"


def test_the_model_hears_a_song_without_tokens_as_its_notes(tmp_path):
    """A song the model did not write (a plain MIDI file) is edited by the model too: it
    hears the other bars' notes as tokens, and every note outside the part is kept."""
    import songform
    from songform.symbolic.writers import note_writer

    from ..cli.test_cli_generate import _tiny_checkpoint

    plan = songform.plan(songform.Template(form="verse:2 chorus:2", style="pop"), 2)
    song = ArrangerWriter().write(plan, 1)
    assert song.written is None
    model = note_writer("model", _tiny_checkpoint(tmp_path / "ckpt"))
    edited = model.write(plan, 5, around=song, bars=[2, 3])
    assert edited.written is not None and len(edited.written) == plan.num_bars
    assert _notes(edited, [2, 3], False) == _notes(song, [2, 3], False)
