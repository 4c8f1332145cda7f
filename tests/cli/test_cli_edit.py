"""``songform edit``: a part written again, every other note kept; bad input one line."""

from __future__ import annotations

import json

import mido
import pytest
from typer.testing import CliRunner

import songform
from songform.cli.app import app
from songform.hierarchy.plan import SongPlan
from songform.pipeline import SongPipeline

from .test_cli_generate import _tiny_checkpoint

runner = CliRunner()
FORM = "intro:2 verse:4 chorus:4 verse:4 chorus:4 bridge:4 chorus:4"


def _notes(path):
    """Per track name: (start tick, pitch, velocity, duration) of every note."""
    midi = mido.MidiFile(str(path))
    tracks = {}
    for track in midi.tracks:
        name, now, sounding, notes = None, 0, {}, []
        for message in track:
            now += message.time
            if message.type == "track_name":
                name = message.name
            elif message.type == "note_on" and message.velocity:
                sounding[(message.channel, message.note)] = (now, message.velocity)
            elif message.type in ("note_off", "note_on"):
                start, velocity = sounding.pop((message.channel, message.note))
                notes.append((start, message.note, velocity, now - start))
        tracks[name] = sorted(notes)
    return tracks, midi.ticks_per_beat


def _song(tmp_path):
    checkpoint = _tiny_checkpoint(tmp_path / "ckpt")
    out = tmp_path / "song"
    result = runner.invoke(app, ["generate", FORM, "--no-audio", "--seed", "2",
                                 "--checkpoint", str(checkpoint), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return checkpoint, out


def test_regenerating_a_section_keeps_every_other_note(tmp_path):
    checkpoint, song = _song(tmp_path)
    project = json.loads((song / "song.json").read_text())
    assert project["format"] == "songform-project" and len(project["bars"]) == 26
    assert project["writer"]["checkpoint"] == "ckpt" and project["writer"]["weights_sha256"]
    edit = ["edit", str(song / "song.json"), "--regenerate", "chorus 2", "--seed", "9",
            "--no-audio", "--checkpoint", str(checkpoint)]
    result = runner.invoke(app, [*edit, "--out", str(tmp_path / "v2")])
    assert result.exit_code == 0, result.output
    assert "every other note is the song's own" in result.output
    again = runner.invoke(app, [*edit, "--out", str(tmp_path / "v3")])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "v2" / "song.mid").read_bytes() == (tmp_path / "v3" / "song.mid"
                                                           ).read_bytes()
    plan = SongPlan.from_json((song / "plan.json").read_text())
    before, tpq = _notes(song / "song.mid")
    after, _ = _notes(tmp_path / "v2" / "song.mid")
    bars = list(plan.bars())
    chorus = [b for b in bars if b.section_kind == "chorus" and b.section_number == 2]
    restating = [b for b in bars if b.repeat_of_bar in {c.index for c in chorus}]
    low = round(chorus[0].start * tpq)
    spans = [(round(b.start * tpq), round((b.start + b.length) * tpq))
             for b in chorus + restating]

    def outside(notes):
        return [n for n in notes if not any(a <= n[0] < b for a, b in spans)]

    changed = False
    for name in before:
        assert outside(after[name]) == outside(before[name]), name  # note for note
        changed |= after[name] != before[name]
    assert changed, "the regenerated chorus is a new take"
    assert low > 0
    best = runner.invoke(app, [*edit, "--candidates", "3", "--out", str(tmp_path / "v4")])
    assert best.exit_code == 0, best.output
    ranked, _ = _notes(tmp_path / "v4" / "song.mid")
    for name in before:
        assert outside(ranked[name]) == outside(before[name]), name
    reopened = songform.load(tmp_path / "v2" / "song.json")
    assert reopened.plan == plan and len(reopened.written) == plan.num_bars
    edits = json.loads((tmp_path / "v2" / "song.json").read_text())["edits"]
    assert edits[-1]["seed"] == 9 and edits[-1]["bars"][0] == chorus[0].index + 1


def test_bad_edits_are_one_line_and_write_nothing(tmp_path):
    checkpoint, song = _song(tmp_path)
    project = song / "song.json"
    other = tmp_path / "other.json"
    data = json.loads(project.read_text())
    other.write_text(json.dumps({**data, "version": 99}))
    missing = tmp_path / "moved"
    missing.mkdir()
    (missing / "song.json").write_text(project.read_text())
    cases = [
        (["--regenerate", "bridj"], 'did you mean "bridge"'),
        (["--regenerate", "chorus"], '"chorus 1"'),
        (["--bars", "40-44"], "outside the song's bars 1-26"),
        (["--bars", "x"], 'expected "A-B"'),
        ([], "nothing to edit"),
        (["--extend", "bridj", "4"], 'did you mean "bridge"'),
        (["--extend", "bridge", "0"], "--extend: 1 to 64 bars"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["edit", str(project), *args, "--no-audio",
                                     "--checkpoint", str(checkpoint), "--out",
                                     str(tmp_path / "x")])
        assert result.exit_code == 2, (args, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and message in lines[0], (args, result.output)
    for path, message in ((other, "version 99"), (missing / "song.json", "missing"),
                          (tmp_path / "none.json", "no such project")):
        result = runner.invoke(app, ["edit", str(path), "--regenerate", "bridge",
                                     "--no-audio", "--out", str(tmp_path / "x")])
        assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "x").exists()


def test_python_regenerate_keeps_the_rest_and_repeats(tmp_path):
    checkpoint, folder = _song(tmp_path)
    song = songform.load(folder / "song.json")
    bridge = song.regenerate("bridge", seed=5, checkpoint=checkpoint)
    again = song.regenerate("bridge", seed=5, checkpoint=checkpoint)
    bars = [b for b in song.plan.bars() if b.section_kind == "bridge"]
    low = round(bars[0].start * song.tpq)
    high = round((bars[-1].start + bars[-1].length) * song.tpq)

    def notes(piece, inside):
        return [(t.name, sorted((n.time, n.pitch, n.duration, n.velocity) for n in t.notes
                                if (low <= n.time < high) == inside))
                for t in piece.score.tracks]

    assert notes(bridge, False) == notes(song, False)
    assert notes(bridge, True) == notes(again, True) != notes(song, True)
    assert len(bridge.written) == song.plan.num_bars


def test_tempo_and_transposition_change_no_note_choice(tmp_path):
    _, folder = _song(tmp_path)
    song = songform.load(folder / "song.json")
    faster = song.with_tempo(150)
    lower = song.transposed(-3)
    assert faster.plan.sections[0].tempo == 150
    assert faster.plan.duration_seconds < song.plan.duration_seconds
    assert [s.key.transpose(-3) for s in song.plan.sections] == [s.key for s in
                                                                 lower.plan.sections]

    def notes(piece, shift=0):
        return [(t.name, sorted((n.time, n.duration, n.pitch + (0 if t.is_drum else shift),
                                 n.velocity) for n in t.notes)) for t in piece.score.tracks]

    assert notes(faster) == notes(song)  # onsets and lengths in beats, pitches: all kept
    assert notes(lower, 3) == notes(song)  # every interval kept, drums unmoved
    assert all(p.startswith("Pitch_") is False or int(p[6:]) + 3 == int(q[6:])
               for a, b in zip(lower.written, song.written, strict=True)
               for p, q in zip(a, b, strict=True))
    out = tmp_path / "v"
    result = runner.invoke(app, ["edit", str(folder / "song.json"), "--tempo", "150",
                                 "--transpose", "-3", "--no-audio", "--out", str(out)])
    assert result.exit_code == 0, result.output
    midi = mido.MidiFile(str(out / "song.mid"))
    assert midi.length == pytest.approx(faster.plan.duration_seconds, abs=1e-3)
    home = song.plan.sections[0].key
    moved = home.transpose(-3)
    keyed = runner.invoke(app, ["edit", str(folder / "song.json"), "--tempo", "150",
                                "--key", str(moved), "--no-audio", "--out", str(tmp_path / "k")])
    assert keyed.exit_code == 0, keyed.output  # --key: the same move as --transpose -3
    assert (tmp_path / "k" / "song.mid").read_bytes() == (out / "song.mid").read_bytes()
    other_mode = "A minor" if home.mode == "major" else "A major"
    for bad, message in ((["--tempo", "900"], "error:"), (["--transpose", "40"], "error:"),
                         (["--key", other_mode], "does not change its mode"),
                         (["--key", "H major"], "--key"),
                         (["--key", str(moved), "--transpose", "2"], "not both")):
        result = runner.invoke(app, ["edit", str(folder / "song.json"), *bad, "--no-audio",
                                     "--out", str(tmp_path / "x")])
        assert result.exit_code == 2 and message in result.output, (bad, result.output)
    assert not (tmp_path / "x").exists()


def test_setting_a_sections_energy_rewrites_that_section_only(tmp_path):
    checkpoint, folder = _song(tmp_path)
    out = tmp_path / "v"
    result = runner.invoke(app, ["edit", str(folder / "song.json"), "--set",
                                 "chorus 2 energy=7", "--set", "bridge chords=vi IV I V",
                                 "--no-audio", "--checkpoint", str(checkpoint), "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    before = SongPlan.from_json((folder / "plan.json").read_text())
    after = SongPlan.from_json((out / "plan.json").read_text())
    names = after.section_names()
    assert after.sections[names.index("Chorus 2")].energy == 7
    bridge = after.sections[names.index("Bridge")]
    assert bridge.phrases[0].chords[0][0].chord.root == bridge.key.scale[5]  # vi
    old, tpq = _notes(folder / "song.mid")
    new, _ = _notes(out / "song.mid")
    spans = [(round(b.start * tpq), round((b.start + b.length) * tpq)) for b in after.bars()
             if b.section_kind == "bridge" or (b.section_kind == "chorus"
                                               and b.section_number == 2)]
    for name in old:
        outside = [n for n in old[name] if not any(a <= n[0] < b for a, b in spans)]
        assert outside == [n for n in new[name] if not any(a <= n[0] < b for a, b in spans)]
    assert new != old
    result = runner.invoke(app, ["edit", str(folder / "song.json"), "--set",
                                 "chorus 2 tempo=90", "--no-audio", "--out",
                                 str(tmp_path / "x")])
    assert result.exit_code == 2 and "can set energy, chords" in result.output
    assert before.num_bars == after.num_bars


def test_removing_tracks_keeps_the_rest_and_later_edits_still_work(tmp_path):
    checkpoint, folder = _song(tmp_path)
    song = songform.load(folder / "song.json")
    lighter = song.without_track("drums").without_track("Piano")
    assert [t.name for t in lighter.plan.tracks] == ["Lead", "Strings", "Bass"]
    assert all("Piano" not in s.tracks and "Drums" not in s.tracks
               for s in lighter.plan.sections)
    assert not any(t.startswith("Program_0") for bar in lighter.written for t in bar)
    kept = {t.name: t for t in lighter.score.tracks}
    for track in song.score.tracks:
        if track.name in kept:
            assert list(kept[track.name].notes) == list(track.notes)
    again = lighter.regenerate("bridge", seed=4, checkpoint=checkpoint)  # tokens still fit
    assert [t.name for t in again.score.tracks] == ["Lead", "Strings", "Bass"]
    out = tmp_path / "v"
    result = runner.invoke(app, ["edit", str(folder / "song.json"), "--remove-track", "Drums",
                                 "--no-audio", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Drums" not in {t.name for t in mido.MidiFile(str(out / "song.mid")).tracks}
    result = runner.invoke(app, ["edit", str(folder / "song.json"), "--remove-track", "Tuba",
                                 "--no-audio", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and 'no track "Tuba"' in result.output


def test_adding_a_track_adds_its_part_and_changes_nothing_else(tmp_path):
    checkpoint, folder = _song(tmp_path)
    song = songform.load(folder / "song.json")
    fuller = song.with_track("Organ:harmony:16", seed=2)
    organ = next(t for t in fuller.plan.tracks if t.name == "Organ")
    assert (organ.role, organ.program) == ("harmony", 16)
    assert all("Organ" in s.tracks for s in fuller.plan.sections)
    played = next(t for t in fuller.score.tracks if t.name == "Organ")
    assert len(played.notes) > 0 and fuller.written == song.written
    for old, new in zip(song.score.tracks, fuller.score.tracks, strict=False):
        assert old.name == new.name and list(old.notes) == list(new.notes)
    again = fuller.regenerate("bridge", seed=4, checkpoint=checkpoint)
    assert "Organ" in [t.name for t in again.score.tracks]
    for bad, message in (("Organ", "expected"), ("Lead:melody", "already has"),
                         ("Horn:trumpet", "role")):
        result = runner.invoke(app, ["edit", str(folder / "song.json"), "--add-track", bad,
                                     "--no-audio", "--out", str(tmp_path / "x")])
        assert result.exit_code == 2 and message in result.output, (bad, result.output)
    assert not (tmp_path / "x").exists()


def test_extending_a_section_writes_its_new_bars_and_moves_the_rest_on(tmp_path):
    checkpoint, song = _song(tmp_path)
    result = runner.invoke(app, ["edit", str(song / "song.json"), "--extend", "verse 2", "4",
                                 "--seed", "3", "--no-audio", "--checkpoint", str(checkpoint),
                                 "--out", str(tmp_path / "longer"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["edit"]["extended"] == ["verse 2", 4]
    before, tpq = _notes(song / "song.mid")
    after, _ = _notes(tmp_path / "longer" / "song.mid")
    plan = SongPlan.from_json((tmp_path / "longer" / "plan.json").read_text())
    assert plan.num_bars == 30 and plan.sections[3].bars == 8  # verse 2: bars 15-22
    point, shift = 14 * 4 * tpq, 4 * 4 * tpq  # verse 2 ended at bar 14 (0-based: 10-13)
    for name, notes in before.items():
        moved = sorted((t if t < point else t + shift, *rest) for t, *rest in notes)
        kept = sorted(n for n in after[name] if not point <= n[0] < point + shift)
        assert kept == moved, name  # every old note, later ones one extension later
    assert sum(point <= n[0] < point + shift for notes in after.values() for n in notes) > 0
    project = json.loads((tmp_path / "longer" / "song.json").read_text())
    assert len(project["bars"]) == 30 and any(project["bars"][14:18])  # the model's tokens
    longer = songform.load(song / "song.json").extended("chorus 1", 2, seed=3,
                                                        checkpoint=checkpoint)
    assert longer.plan.num_bars == 28 and longer.plan.sections[2].bars == 6


def test_the_model_writes_an_added_part_around_every_other_note(tmp_path):
    """A part of a role the model writes and the song lacks is written by the model, the
    song's tokens forced note for note: every other track's notes and every old token kept,
    the same edit gives the same bytes."""
    from songform.plan_edits import drop_program

    checkpoint, folder = _song(tmp_path)  # the tiny model writes melody and harmony
    common = ["--remove-track", "Lead", "--add-track", "Flute:melody:73", "--seed", "5",
              "--no-audio", "--checkpoint", str(checkpoint)]
    result = runner.invoke(app, ["edit", str(folder / "song.json"), *common, "--out",
                                 str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert "Flute (melody, written by the model)" in result.output
    again = runner.invoke(app, ["edit", str(folder / "song.json"), *common, "--out",
                                str(tmp_path / "b")])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "a" / "song.mid").read_bytes() == \
        (tmp_path / "b" / "song.mid").read_bytes()
    before, _ = _notes(folder / "song.mid")
    after, _ = _notes(tmp_path / "a" / "song.mid")
    assert after.pop("Flute") and before.pop("Lead")  # the new tune has notes
    assert after == before  # every other note kept
    old = json.loads((folder / "song.json").read_text())["bars"]
    new = json.loads((tmp_path / "a" / "song.json").read_text())["bars"]
    assert sum(bar.count("Program_73") for bar in new) > 0
    assert [drop_program(bar, "Program_73") for bar in new] == \
        [drop_program(bar, "Program_73") for bar in old]  # the harmony's tokens as they were
    edited = songform.load(tmp_path / "a" / "song.json")
    assert [t.name for t in edited.plan.tracks][-1] == "Flute"
    plain = runner.invoke(app, ["edit", str(folder / "song.json"), "--add-track",
                                "Organ:harmony:16", "--no-audio", "--checkpoint",
                                str(checkpoint), "--out", str(tmp_path / "c")])
    assert plain.exit_code == 0, plain.output  # the song has a harmony part: the arranger
    assert "Organ (harmony, played by the arranger: the song already has" in plain.output


def test_one_track_written_again_keeps_every_other_track(tmp_path):
    """--track Piano with --regenerate: only the Piano's notes in that section change (its
    tokens written with the others forced); every other note, and every other token, kept;
    an arranger's track is played again the same way; bad use is one line."""
    from songform.plan_edits import drop_program

    checkpoint, folder = _song(tmp_path)
    common = ["--regenerate", "chorus 2", "--seed", "9", "--no-audio", "--checkpoint",
              str(checkpoint)]
    result = runner.invoke(app, ["edit", str(folder / "song.json"), *common, "--track",
                                 "piano", "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "wrote piano in" in result.output
    song = songform.load(folder / "song.json")
    edited = songform.load(tmp_path / "p" / "song.json")
    part = {bar - 1 for bar in json.loads((tmp_path / "p" / "song.json").read_text())[
        "edits"][-1]["bars"]}  # chorus 2 and the restatements that follow it
    assert set(songform.project.section_bars(song.plan, "chorus 2")) <= part
    before, tpq = _notes(folder / "song.mid")
    after, _ = _notes(tmp_path / "p" / "song.mid")
    lines = songform.symbolic.song.bar_lines(song.plan, tpq)

    def outside(notes):
        return [n for n in notes if not any(lines[b] <= n[0] < lines[b + 1] for b in part)]

    assert outside(after.pop("Piano")) == outside(before_piano := before.pop("Piano"))
    assert after == before  # every other track, everywhere
    assert _notes(tmp_path / "p" / "song.mid")[0]["Piano"] != before_piano
    for bar, (old, new) in enumerate(zip(song.written, edited.written, strict=True)):
        assert drop_program(new, "Program_0") == drop_program(old, "Program_0")
        if bar not in part:
            assert list(new) == list(old)
    drums = runner.invoke(app, ["edit", str(folder / "song.json"), *common, "--track",
                                "Drums", "--out", str(tmp_path / "d")])
    assert drums.exit_code == 0, drums.output
    after, _ = _notes(tmp_path / "d" / "song.mid")
    before, _ = _notes(folder / "song.mid")
    assert after.pop("Drums") != before.pop("Drums") and after == before
    kept = json.loads((tmp_path / "d" / "song.json").read_text())["bars"]
    assert kept == json.loads((folder / "song.json").read_text())["bars"]  # tokens kept
    for bad, message in ((["--track", "Tuba"], 'no track "Tuba"'),
                         (["--track", "Piano", "--set", "chorus 2 energy=7"], "--track goes")):
        result = runner.invoke(app, ["edit", str(folder / "song.json"), *common, *bad,
                                     "--out", str(tmp_path / "x")])
        assert result.exit_code == 2 and message in result.output, (bad, result.output)
    assert not (tmp_path / "x").exists()


def test_all_candidates_are_written_ranked_by_the_take_score(tmp_path):
    """--candidates 3 --all: three projects, best first by the stated take score, each the
    edit its seed gives alone; every note outside the part kept in each."""
    from songform.symbolic.takes import section_scores

    checkpoint, folder = _song(tmp_path)
    common = ["edit", str(folder / "song.json"), "--regenerate", "bridge", "--no-audio",
              "--checkpoint", str(checkpoint)]
    result = runner.invoke(app, [*common, "--seed", "4", "--candidates", "3", "--all",
                                 "--json", "--out", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    takes = json.loads(result.output)["takes"]
    assert [t["rank"] for t in takes] == [1, 2, 3] and {t["seed"] for t in takes} == {4, 5, 6}
    scores = []
    for row in takes:
        song = songform.load(row["project"])
        bridge = song.plan.section_names().index("Bridge")
        scores.append(dict(section_scores(song))[bridge].total)
        assert row["score"] == pytest.approx(scores[-1])
    assert scores == sorted(scores, reverse=True)
    alone = runner.invoke(app, [*common, "--seed", str(takes[1]["seed"]), "--out",
                                str(tmp_path / "alone")])
    assert alone.exit_code == 0, alone.output
    assert (tmp_path / "alone" / "song.mid").read_bytes() == \
        (tmp_path / "all" / "take-2" / "song.mid").read_bytes()
    bad = runner.invoke(app, [*common, "--all", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--all goes with --candidates" in bad.output


def test_song_regenerate_and_songform_edit_write_identical_files(tmp_path):
    """The Python edit verbs and ``songform edit`` build the same request, sample with the
    project's own settings (here not the defaults) and write the same bytes."""
    from songform.project import Project
    from songform.symbolic.writers import ArrangerWriter

    checkpoint, song = _song(tmp_path)
    project = Project.load(song / "song.json")
    project.writer["generation"]["temperature"] = 0.8
    project.writer["generation"]["top_p"] = 0.9
    project.save(song / "song.json")
    for name, argv, python in (
            ("regenerate", ["--regenerate", "bridge", "--seed", "5", "--candidates", "2"],
             lambda s: s.regenerate("bridge", seed=5, candidates=2, checkpoint=checkpoint)),
            ("set", ["--set", "chorus 2 energy=7", "--seed", "3"],
             lambda s: s.edit("chorus 2", energy=7, seed=3, checkpoint=checkpoint)),
            ("extend", ["--extend", "verse 1", "2", "--seed", "4"],
             lambda s: s.extended("verse 1", 2, seed=4, checkpoint=checkpoint))):
        result = runner.invoke(app, ["edit", str(song / "song.json"), *argv, "--no-audio",
                                     "--checkpoint", str(checkpoint), "--quiet",
                                     "--out", str(tmp_path / f"cli-{name}")])
        assert result.exit_code == 0, result.output
        edited = python(songform.load(song / "song.json"))
        SongPipeline(ArrangerWriter()).write_song(
            edited, tmp_path / f"py-{name}", ("plan", "midi", "project", "musicxml"))
        for file in ("song.mid", "song.json", "plan.json", "song.musicxml"):
            assert (tmp_path / f"py-{name}" / file).read_bytes() == \
                (tmp_path / f"cli-{name}" / file).read_bytes(), (name, file)
    recorded = json.loads((tmp_path / "py-regenerate" / "song.json").read_text())
    assert recorded["writer"]["generation"]["temperature"] == 0.8
    assert recorded["edits"][-1]["bars"] and recorded["edits"][-1]["seed"] == 5
