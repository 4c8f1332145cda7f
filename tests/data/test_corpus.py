"""Corpora by layout, and broken MIDI files skipped with a reason."""

from __future__ import annotations

import mido
import pytest
from typer.testing import CliRunner

from songform.cli.app import app
from songform.data.corpus import CorpusReport, detect_layout, read_corpus
from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Template
from songform.render.midi import write_midi
from songform.symbolic.arranger import arrange


def _type2(path):
    midi = mido.MidiFile(type=2)
    for _ in range(2):
        track = mido.MidiTrack()
        track.append(mido.Message("note_on", note=60, velocity=80, time=0))
        track.append(mido.Message("note_off", note=60, velocity=0, time=480))
        midi.tracks.append(track)
    midi.save(str(path))


def _tempo(path, bpm):
    midi = mido.MidiFile(type=1)
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
    track.append(mido.Message("note_on", note=60, velocity=80, time=0))
    track.append(mido.Message("note_off", note=60, velocity=0, time=480))
    midi.tracks.append(track)
    midi.save(str(path))


def _no_notes(path):
    midi = mido.MidiFile(type=1)
    midi.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="empty")]))
    midi.save(str(path))


def _huge(path, notes=200_001):
    track = mido.MidiTrack()
    for _ in range(notes):
        track.append(mido.Message("note_on", note=60, velocity=80, time=0))
        track.append(mido.Message("note_off", note=60, velocity=0, time=1))
    midi = mido.MidiFile(type=1)
    midi.tracks.append(track)
    midi.save(str(path))


@pytest.fixture(scope="module")
def broken_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("midi")
    good = arrange(plan_song(Template(style="waltz", bars=16), seed=1))
    write_midi(good, folder / "good.mid")
    sub = folder / "nested"
    sub.mkdir()
    write_midi(arrange(plan_song(Template(style="rock"), seed=2)), sub / "good2.midi")
    (folder / "empty.mid").write_bytes(b"")
    data = (folder / "good.mid").read_bytes()
    (folder / "truncated.mid").write_bytes(data[: len(data) // 3])
    (folder / "random.mid").write_bytes(bytes(range(256)) * 4)
    (folder / "header.mid").write_bytes(b"MThx" + data[4:])
    _type2(folder / "type2.mid")
    _tempo(folder / "tempo.mid", 5000.0)
    _no_notes(folder / "silent.mid")
    _huge(folder / "huge.mid")
    return folder


def test_broken_files_are_skipped_and_reported(broken_folder):
    report = CorpusReport("")
    songs = dict(read_corpus(broken_folder, report=report))
    assert sorted(songs) == ["good.mid", "good2.midi"]
    reasons = dict(report.skipped)
    assert set(reasons) == {"empty.mid", "truncated.mid", "random.mid", "header.mid",
                            "type2.mid", "tempo.mid", "silent.mid", "huge.mid"}
    assert "empty" in reasons["empty.mid"] and "type-2" in reasons["type2.mid"]
    assert "tempo" in reasons["tempo.mid"] and "no notes" in reasons["silent.mid"]
    assert "MThd" in reasons["random.mid"] and "more than 200,000 notes" in reasons["huge.mid"]
    song = songs["good.mid"]
    assert song.plan.num_bars >= 16 and str(song.plan.sections[0].meter) == "3/4"


def test_layout_detection(pop909_root, broken_folder):
    assert detect_layout(pop909_root) == "pop909"
    assert detect_layout(pop909_root, force_plain=True) == "midi"
    assert detect_layout(broken_folder) == "midi"


def test_data_cli_inspect_and_prepare(broken_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("SONGFORM_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    result = runner.invoke(app, ["data", "inspect", str(broken_folder)])
    assert result.exit_code == 0, result.output
    assert "truncated.mid" in result.output and "type-2" in result.output
    result = runner.invoke(app, ["data", "prepare", str(broken_folder), "-o",
                                 str(tmp_path / "tokens")])
    assert result.exit_code == 0, result.output
    assert "2 songs" in result.output and (tmp_path / "tokens" / "tokens.npz").exists()
    result = runner.invoke(app, ["data", "inspect", str(tmp_path / "missing")])
    assert result.exit_code == 2


def test_a_file_changed_in_place_deep_in_the_corpus_is_read_again(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("SONGFORM_CACHE", str(tmp_path / "cache"))
    corpus = tmp_path / "corpus"
    (corpus / "deep" / "er").mkdir(parents=True)
    song = corpus / "deep" / "er" / "song.mid"
    write_midi(arrange(plan_song(Template(style="waltz", bars=8), seed=1)), song)
    runner = CliRunner()
    first = runner.invoke(app, ["data", "inspect", str(corpus)])
    assert first.exit_code == 0, first.output
    stamp = os.stat(corpus).st_mtime_ns, os.stat(corpus / "deep").st_mtime_ns
    write_midi(arrange(plan_song(Template(style="rock", bars=32), seed=2)), song)
    os.utime(corpus, ns=(stamp[0], stamp[0]))  # the folders look untouched
    os.utime(corpus / "deep", ns=(stamp[1], stamp[1]))
    again = runner.invoke(app, ["data", "inspect", str(corpus)])
    assert again.exit_code == 0, again.output
    assert first.output != again.output  # the new notes were counted, not the cached ones


def test_hostile_midi_is_refused_by_the_scan_before_any_reader(tmp_path):
    """Every mutation kind on a real file ends in a song or a CorpusError, never another
    exception (a seeded few of each; bench/robustness.py runs thousands through the CLI)."""
    from songform.data.errors import CorpusError
    from songform.data.midi_files import read_midi_song
    from songform.data.mutations import mutants

    seed = tmp_path / "seed.mid"
    write_midi(arrange(plan_song(Template(form="verse:2 chorus:2", style="pop"), seed=3)),
               seed)
    outcomes = {}
    for index, (kind, _, data) in enumerate(mutants({"seed": seed.read_bytes()}, 4, seed=1)):
        path = tmp_path / f"m{index}.mid"
        path.write_bytes(data)
        try:
            read_midi_song(path)
            outcomes.setdefault(kind, set()).add("song")
        except CorpusError as error:
            assert str(error).startswith(f"m{index}.mid: ")
            outcomes.setdefault(kind, set()).add("refused")
    for kind in ("type 2", "division 0", "SMPTE division", "tempo 0", "key with 57 sharps",
                 "inflated chunk length", "huge delta", "time signature 0/0"):
        assert outcomes[kind] == {"refused"}, kind


def test_a_million_note_file_is_refused_in_bounded_memory():
    """The scan counts notes without building objects: constant memory beyond the bytes."""
    import tracemalloc

    from songform.core.limits import MAX_MIDI_NOTES
    from songform.data.mutations import many_notes
    from songform.symbolic.midi_input import MidiInputError, scan_midi

    at_limit = scan_midi(many_notes(MAX_MIDI_NOTES), "limit.mid")
    assert at_limit.notes == MAX_MIDI_NOTES  # at the limit: accepted
    data = many_notes(1_000_000)
    tracemalloc.start()
    with pytest.raises(MidiInputError, match="more than 200,000 notes"):
        scan_midi(data, "million.mid")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1024 ** 2  # bytes beyond the file's own 8 MB
    with pytest.raises(MidiInputError, match="minutes of music"):  # one note, days long
        scan_midi(many_notes(1, ticks_apart=2 ** 28 - 1), "long.mid")
