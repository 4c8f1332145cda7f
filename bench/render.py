"""Rendering speed: FluidSynth real-time factor for a 3-minute song, MIDI and MusicXML write
times, piano-roll time. Prints a table and writes JSON.

    .venv/bin/python bench/render.py [--repeats 3] [--json bench/results/render.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

import songform
from songform.render.audio import AudioConfig, synthesize, write_audio
from songform.render.midi import midi_file

ROOT = Path(__file__).resolve().parents[1]


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
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" /
                        "render.json")
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
        samples_holder = {}
        rows["FluidSynth synthesis"] = _timed(
            lambda: samples_holder.setdefault("s", synthesize(midi, None, config)),
            args.repeats)
        rows["WAV write"] = _timed(lambda: write_audio(samples_holder["s"], out / "s.wav"),
                                   args.repeats)
    audio_seconds = seconds + config.tail_seconds
    synthesis = statistics.median(rows["FluidSynth synthesis"])
    results = {
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
                   f"python {platform.python_version()}",
        "song": {"bars": song.plan.num_bars, "seconds": round(seconds, 2),
                 "notes": sum(len(t.notes) for t in song.score.tracks)},
        "median_seconds": {k: statistics.median(v) for k, v in rows.items()},
        "fluidsynth_real_time_factor": audio_seconds / synthesis,
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
    Console().print(f"FluidSynth real-time factor: {results['fluidsynth_real_time_factor']:.1f}"
                    " (seconds of audio per second of wall time)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
