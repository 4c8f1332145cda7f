"""The mix as it reaches the ear, for the demo song and one song per style: the master's
loudness, true peak and loudness range, its mono fold-down, and each track's stem (left/right
balance, correlation, the width the desk left it). Prints tables and writes JSON.

    .venv/bin/python bench/mix.py [--notes auto] [--json bench/results/mix.json]
"""

from __future__ import annotations

import math
import platform
import sys
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # as a script from anywhere

from common import bench_parser, write_json

import songform  # noqa: E402
from songform.hierarchy.styles import STYLES  # noqa: E402
from songform.render.audio import AudioConfig, mixdown  # noqa: E402
from songform.render.desk import correlation  # noqa: E402
from songform.render.levels import audio_levels  # noqa: E402
from songform.render.midi import midi_file  # noqa: E402
from songform.render.soundfont import find_soundfont  # noqa: E402


def balance_db(stem: np.ndarray) -> float:
    """Left over right energy, dB (positive: to the left)."""
    left, right = (float(np.dot(stem[:, i], stem[:, i])) for i in (0, 1))
    return 10 * math.log10(left / right) if left > 0 and right > 0 else 0.0


def measure(song: songform.Song, config: AudioConfig) -> dict:
    audio = mixdown(midi_file(song), None, config, stems=True)
    levels = audio_levels(audio.master, config.sample_rate)
    return {"loudness_lufs": levels.loudness_lufs, "true_peak_dbtp": levels.true_peak_dbtp,
            "loudness_range_lu": levels.loudness_range_lu, "correlation": levels.correlation,
            "mono_folddown_db": levels.mono_folddown_db,
            "tracks": {name: {"balance_db": balance_db(stem), "correlation": correlation(stem),
                              "width": audio.widths[name]}
                       for name, stem in audio.stems.items()}}


def main() -> int:
    parser = bench_parser(__doc__, "mix.json")
    parser.add_argument("--notes", default="auto", help="who writes the notes (auto, model, "
                                                        "arranger)")
    args = parser.parse_args()
    config = AudioConfig()
    songs = {"demo (pop, seed 7, takes 4)": songform.compose(
        songform.load_template(None, style="pop"), seed=7, notes=args.notes, takes=4)}
    for style in STYLES:
        songs[style] = songform.compose(songform.load_template(None, style=style), seed=1,
                                        notes=args.notes)
    results = {"machine": f"{platform.machine()}, python {platform.python_version()}",
               "soundfont": find_soundfont().name, "notes": args.notes, "songs": {}}
    console = Console()
    summary = Table(title=f"The master and its mono fold-down ({results['soundfont']})")
    for column in ("song", "LUFS", "true peak dBTP", "LRA LU", "L/R correlation",
                   "mono fold-down dB", "lowest stem correlation"):
        summary.add_column(column, justify="left" if column == "song" else "right")
    for name, song in songs.items():
        measured = measure(song, config)
        results["songs"][name] = measured
        summary.add_row(name, f"{measured['loudness_lufs']:.2f}",
                        f"{measured['true_peak_dbtp']:.2f}",
                        f"{measured['loudness_range_lu']:.1f}",
                        f"{measured['correlation']:.2f}", f"{measured['mono_folddown_db']:+.2f}",
                        f"{min(t['correlation'] for t in measured['tracks'].values()):.2f}")
    console.print(summary)
    tracks = Table(title="Each track's stem: left/right balance (dB, + is left), correlation, "
                         "width left by the desk")
    for column in ("song", "track", "balance dB", "correlation", "width"):
        tracks.add_column(column)
    for name, measured in results["songs"].items():
        for track, values in measured["tracks"].items():
            tracks.add_row(name, track, f"{values['balance_db']:+.1f}",
                           f"{values['correlation']:.2f}", f"{values['width']:.2f}")
    console.print(tracks)
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
