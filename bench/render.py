"""Rendering speed for a 3-minute song: MIDI and MusicXML write times, the piano roll, and for
each SoundFont installed the FluidSynth parts alone, the whole render (parts, desk, master)
with and without stems, and the write time of each audio format. Prints a table and writes
JSON.

    .venv/bin/python bench/render.py [--repeats 3] [--json bench/results/render.json]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

from common import add_json_option, write_json
from rich.console import Console
from rich.table import Table

import songform
from songform.render.audio import AUDIO_FORMATS, AudioConfig, mixdown, write_audio
from songform.render.midi import midi_file
from songform.render.synth import render_parts, render_workers, split_parts

FONTS = ("/usr/share/sounds/sf3/MuseScore_General_Lite.sf3",
         "/usr/share/sounds/sf3/MuseScore_General.sf3", "/usr/share/sounds/sf2/FluidR3_GM.sf2")


def _timed(function, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    add_json_option(parser, "render.json")
    args = parser.parse_args()
    template = songform.Template(style="pop", tempo=100, bars=76, key="C")
    song = songform.compose(template, seed=1, notes="arranger")
    seconds = song.plan.duration_seconds
    config = AudioConfig()
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        rows["compose (plan + arrange)"] = _timed(
            lambda: songform.compose(template, seed=1, notes="arranger"), args.repeats)
        rows["MIDI write"] = _timed(lambda: song.save_midi(out / "s.mid"), args.repeats)
        rows["MusicXML write"] = _timed(lambda: song.save_musicxml(out / "s.musicxml"),
                                        args.repeats)
        rows["piano roll PNG"] = _timed(lambda: song.pianoroll(out / "s.png"), args.repeats)
        midi = midi_file(song)
        parts = split_parts(midi)
        for font in FONTS:
            if not Path(font).is_file():
                continue
            name = Path(font).name
            rows[f"{name}: FluidSynth parts"] = _timed(
                lambda font=font: render_parts(parts, font, config.sample_rate, config.gain,
                                               config.tail_seconds), args.repeats)
            rows[f"{name}: whole render"] = _timed(
                lambda font=font: mixdown(midi, font, config), args.repeats)
            rows[f"{name}: whole render + stems"] = _timed(
                lambda font=font: mixdown(midi, font, config, stems=True), args.repeats)
        master = mixdown(midi, None, config).master
        for suffix in AUDIO_FORMATS:
            rows[f"{suffix[1:].upper()} write"] = _timed(
                lambda suffix=suffix: write_audio(master, out / f"s{suffix}"), args.repeats)
    audio_seconds = seconds + config.tail_seconds
    medians = {k: statistics.median(v) for k, v in rows.items()}
    results = {
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
                   f"python {platform.python_version()}, {render_workers()} render threads",
        "song": {"bars": song.plan.num_bars, "seconds": round(seconds, 2),
                 "notes": sum(len(t.notes) for t in song.score.tracks)},
        "median_seconds": medians,
        "real_time_factors": {k: audio_seconds / v for k, v in medians.items()},
        "repeats": args.repeats,
    }
    table = Table(title=f"Rendering a {seconds / 60:.1f}-minute song "
                        f"({results['song']['notes']} notes), median of {args.repeats}")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("x real time", justify="right")
    for name, median in results["median_seconds"].items():
        table.add_row(name, f"{median:.3f}", f"{audio_seconds / median:.0f}")
    Console().print(table)
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
