"""Hostile song projects, options, checkpoints, sketches and outputs: the cases bench/robustness.py
runs through the real CLI (each yields ``(category, argv, source)``)."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import mido

JSB = (Path(__file__).resolve().parents[2] / "shared" / "data" / "jsb-chorales"
       / "Jsb16thSeparated.json")


def _song(folder: Path, name: str, notes: str) -> Path:
    """A small song's project, written by a separate process: the bench forks a child per
    case, and a parent that has run torch's thread pool cannot fork safely."""
    out = folder / name
    if not out.exists():
        subprocess.run([sys.executable, "-m", "songform", "generate", "verse:4 chorus:4",
                        "--notes", notes, "--seed", "1", "--no-audio", "-o", str(out),
                        "--quiet"], check=True)
    return out / "song.json"


PROJECT_TAMPERS = {
    "bars an int": lambda d: d.update(bars=7),
    "a token outside the vocabulary": lambda d: d["bars"][-1].insert(2, "Pitch_999"),
    "a bar out of grammar": lambda d: d["bars"][-1].insert(0, "Duration_1.0.4"),
    "a token not a string": lambda d: d["bars"][0].insert(2, 12),
    "NaN chord_bias": lambda d: d["writer"]["generation"].update(chord_bias=math.nan),
    "infinite seed": lambda d: d.update(seed=math.inf),
    "seed 2^64+1": lambda d: d.update(seed=2 ** 64 + 1),
    "a string top_p": lambda d: d["writer"]["generation"].update(top_p="high"),
    "top_p 7": lambda d: d["writer"]["generation"].update(top_p=7),
    "context 10^7": lambda d: d["writer"]["generation"].update(context=10 ** 7),
    "context 10^12": lambda d: d["writer"]["generation"].update(context=10 ** 12),
    "max_tokens_per_bar 10^9": lambda d: d["writer"]["generation"].update(
        max_tokens_per_bar=10 ** 9),
    "temperature -1": lambda d: d["writer"]["generation"].update(temperature=-1),
    "generation a list": lambda d: d["writer"].update(generation=[1, 2]),
    "writer a string": lambda d: d.update(writer="model"),
    "NaN chord offset": lambda d: d["plan"]["sections"][0]["phrases"][0]["chords"][0][0]
    .__setitem__(0, math.nan),
    "a section kind that is an int": lambda d: d["plan"]["sections"][0].update(kind=5),
    "tempo 10^9": lambda d: d["plan"]["sections"][0].update(tempo=1e9),
    "energy -40": lambda d: d["plan"]["sections"][0].update(energy=-40),
    "repeat_of out of range": lambda d: d["plan"]["sections"][1]["phrases"][0].update(
        repeat_of=99),
    "a phrase of 10^6 bars": lambda d: d["plan"]["sections"][0]["phrases"][0].update(
        bars=10 ** 6),
    "midi outside the folder": lambda d: d.update(midi="../../../etc/passwd"),
    "midi a folder": lambda d: d.update(midi="."),
    "edits a string": lambda d: d.update(edits="all"),
    "bars of the wrong count": lambda d: d["bars"].pop(),
    "a bar of 10^6 tokens": lambda d: d["bars"].__setitem__(0, ["Position_0"] * 1_000_000),
    "tracks missing": lambda d: d["plan"].pop("tracks"),
    "a track on channel 99 (program 999)": lambda d: d["plan"]["tracks"][0].update(
        program=999),
}


def _tampered(source: Path, folder: Path, name: str, tamper) -> Path:
    data = json.loads(source.read_text())
    tamper(data)
    case = folder / ("project-" + "".join(c if c.isalnum() else "-" for c in name))
    case.mkdir()
    shutil.copy(source.with_name("song.mid"), case / "song.mid")
    (case / "song.json").write_text(json.dumps(data))
    return case / "song.json"


def project_cases(folder: Path):
    model = _song(folder, "song-model", "model")
    for name, tamper in PROJECT_TAMPERS.items():
        path = _tampered(model, folder, name, tamper)
        yield "song.json", ["edit", str(path), "--regenerate", "verse", "--no-audio",
                            "-o", str(path.parent / "out")], name
    deep = folder / "deep"
    deep.mkdir()
    shutil.copy(model.with_name("song.mid"), deep / "song.mid")
    (deep / "song.json").write_text("[" * 100_000 + "]" * 100_000)
    yield "song.json", ["edit", str(deep / "song.json"), "--regenerate", "verse",
                        "--no-audio", "-o", str(deep / "out")], "nested 100,000 deep"


def option_cases(folder: Path):
    model = _song(folder, "song-model", "model")
    arranged = _song(folder, "song-arranger", "arranger")
    melody = _melody(folder / "melody.mid", bars=8)
    out = str(folder / "opt-out")
    generate = ["generate", "verse:4", "--no-audio", "-o", out]
    for options in (["--seed", "18446744073709551617"], ["--seed", "-1"],
                    ["--temperature", "nan"], ["--temperature", "0"], ["--temperature", "-1"],
                    ["--temperature", "inf"], ["--top-p", "0"], ["--top-p", "2"],
                    ["--top-p", "nan"], ["--chord-bias", "nan"], ["--chord-bias", "inf"],
                    ["--chord-bias", "-1e9"], ["--takes", "0"], ["--takes", "1000000"],
                    ["--loudness", "nan"], ["--loudness", "40"], ["--humanize", "nan"],
                    ["--swing", "inf"], ["--songs-per-batch", "100000000"],
                    ["--count", "100000000"], ["--threads", "100000"]):
        yield "option", [*generate, *options], "generate " + " ".join(options)
    edit = ["edit", str(model), "--no-audio", "-o", out]
    for options in (["--regenerate", "verse", "--chord-bias", "nan"],
                    ["--regenerate", "verse", "--temperature", "inf"],
                    ["--regenerate", "verse", "--seed", "18446744073709551617"],
                    ["--regenerate", "verse", "--candidates", "0"],
                    ["--regenerate", "verse", "--candidates", "100000"],
                    ["--tempo", "nan"], ["--tempo", "1e308"], ["--transpose", "1000000000"],
                    ["--extend", "verse", "1000000000"], ["--extend", "verse", "-4"],
                    ["--bars", "3-1"], ["--bars", "1-99999999999999999999"],
                    ["--remove-track", "Lead", "--add-track", "Lead:melody"],
                    [x for i in range(16) for x in ("--add-track", f"T{i}:harmony")],
                    ["--add-track", "X:nonsense"], ["--add-track", "X:harmony:999"],
                    ["--set", "verse energy=nan"], ["--set", "verse tempo=inf"],
                    ["--set", "verse bars=100000000"]):
        yield "option", [*edit, *options], "edit " + " ".join(options)[:60]
    yield "option", ["edit", str(arranged), "--no-audio", "-o", out, "--regenerate", "verse",
                     "--top-p", "nan"], "edit (arranger) --top-p nan"
    for options in (["--chord-bias", "nan"], ["--temperature", "nan"],
                    ["--seed", "18446744073709551617"], ["--key", "Q major"]):
        yield "option", ["arrange", str(melody), "--no-audio", "-o", out, *options], \
            "arrange " + " ".join(options)
    yield "option", ["continue", str(melody), "--bars", "100000000", "--no-audio", "-o", out], \
        "continue --bars 10^8"


def _melody(path: Path, bars: int, ticks_per_beat: int = 480, meter=(4, 4),
            notes_every: int = 1, tempo_every_tick: bool = False, drums: bool = False,
            long_note_seconds: float = 0.0, first_note_seconds: float = 0.0) -> Path:
    """A one-track MIDI melody of ``bars`` bars of quarter notes (built with mido)."""
    midi = mido.MidiFile(ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("time_signature", numerator=meter[0],
                                  denominator=meter[1]))
    track.append(mido.MetaMessage("set_tempo", tempo=500_000))
    channel = 9 if drums else 0
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    beat = ticks_per_beat * 4 // meter[1]
    if first_note_seconds:
        track.append(mido.Message("note_on", note=60, velocity=80, channel=channel,
                                  time=int(first_note_seconds * 2 * ticks_per_beat)))
        track.append(mido.Message("note_off", note=60, channel=channel, time=ticks_per_beat))
    elif long_note_seconds:
        track.append(mido.Message("note_on", note=60, velocity=80, channel=channel, time=0))
        track.append(mido.Message("note_off", note=60, channel=channel,
                                  time=int(long_note_seconds * 2 * ticks_per_beat)))
    else:
        for index in range(0, bars * meter[0], notes_every):
            track.append(mido.Message("note_on", note=scale[index % 8], velocity=80,
                                      channel=channel, time=0))
            track.append(mido.Message("note_off", note=scale[index % 8], channel=channel,
                                      time=beat * notes_every))
    if tempo_every_tick:
        conductor = mido.MidiTrack()
        midi.tracks.append(conductor)
        for tick in range(bars * meter[0] * beat):
            conductor.append(mido.MetaMessage("set_tempo", tempo=400_000 + tick % 200_000,
                                              time=1))
    midi.save(path)
    return path


def sketch_cases(folder: Path):
    sketches = {
        "no notes": dict(bars=0),
        "only drums": dict(bars=8, drums=True),
        "one tick per quarter": dict(bars=8, ticks_per_beat=1),
        "a tempo change every tick": dict(bars=8, ticks_per_beat=24, tempo_every_tick=True),
        "meter 1/32": dict(bars=8, meter=(1, 32)),
        "meter 32/1": dict(bars=2, meter=(32, 1)),
        "meter 13/16": dict(bars=8, meter=(13, 16)),
        "a note an hour long": dict(bars=1, long_note_seconds=3600),
        "a note an hour in": dict(bars=1, first_note_seconds=3590),
        "1,000 bars": dict(bars=1000),
        "2,000 bars": dict(bars=2000),
    }
    for index, (name, options) in enumerate(sketches.items()):
        path = _melody(folder / f"sketch{index}.mid", **options)
        out = str(folder / f"sketch{index}-out")
        yield "sketch: arrange", ["arrange", str(path), "--notes", "arranger",
                                  "--no-audio", "-o", out], name
        yield "sketch: continue", ["continue", str(path), "--bars", "16", "--no-audio",
                                   "-o", out], name


def checkpoint_cases(folder: Path):
    from songform.symbolic.shipped import shipped_checkpoint

    source = shipped_checkpoint()
    cases = {}

    def copy(name: str) -> Path:
        case = folder / f"ckpt-{len(cases)}"
        shutil.copytree(source, case)
        cases[name] = case
        return case

    import pickle

    (copy("a pickle under the safetensors name") / "model.safetensors").write_bytes(
        pickle.dumps({"x": list(range(100))}, protocol=5))
    case = copy("a header that lies about a shape")
    _rewrite_header(case / "model.safetensors", lambda h: _first_tensor(h).update(
        shape=[1, 1]))
    case = copy("a header that lies about offsets")
    _rewrite_header(case / "model.safetensors", lambda h: _first_tensor(h).update(
        data_offsets=[0, 8]))
    case = copy("a config within limits that its weights do not match")
    config = json.loads((case / "config.json").read_text())
    config.update(dim=2048, depth=8, heads=16)
    (case / "config.json").write_text(json.dumps(config))
    case = copy("a tokenizer that does not match the config")
    info = json.loads((case / "tokenizer.json").read_text())
    info["vocab_size"] = info["vocab_size"] + 7
    (case / "tokenizer.json").write_text(json.dumps(info))
    case = copy("links that loop")
    (case / "model.safetensors").unlink()
    (case / "model.safetensors").symlink_to(case / "loop.safetensors")
    (case / "loop.safetensors").symlink_to(case / "model.safetensors")
    case = copy("config.json a folder")
    (case / "config.json").unlink()
    (case / "config.json").mkdir()
    case = copy("an empty weights file")
    (case / "model.safetensors").write_bytes(b"")
    for name, case in cases.items():
        yield "checkpoint", ["generate", "verse:4", "--checkpoint", str(case), "--no-audio",
                             "-o", str(folder / "ckpt-out")], name


def _first_tensor(header: dict) -> dict:
    return next(v for k, v in header.items() if k != "__metadata__")


def _rewrite_header(path: Path, change) -> None:
    data = path.read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    change(header)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(len(text).to_bytes(8, "little") + text + data[8 + length:])


def output_cases(folder: Path):
    model = _song(folder, "song-model", "model")
    melody = _melody(folder / "out-melody.mid", bars=8)
    a_file = folder / "a-file.txt"
    a_file.write_text("keep me\n")
    under_file = str(a_file / "sub")
    commands = {
        "generate": ["generate", "verse:4", "--no-audio"],
        "edit": ["edit", str(model), "--regenerate", "verse", "--no-audio"],
        "arrange": ["arrange", str(melody), "--no-audio"],
        "continue": ["continue", str(melody), "--no-audio"],
        "train": ["train", "--corpus", "jsb", "--steps", "1", "--dim", "16", "--depth", "1",
                  "--heads", "1"],
        "data prepare": ["data", "prepare", str(JSB)],
    }
    for name, argv in commands.items():
        option = "-o"
        yield "output", [*argv, option, str(a_file)], f"{name} -o an existing file"
        yield "output", [*argv, option, under_file], f"{name} -o under a file"
    yield "output", ["render", str(model.with_name("song.mid")), "--audio",
                     str(folder / "x.xyz")], "render --audio x.xyz"
