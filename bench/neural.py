"""Neural rendering cost: real-time factor and peak memory per engine, and how whole-song
rendering grows with the song (it should be linear: windows of fixed length).

    .venv/bin/python bench/neural.py [--lengths 8 16 32] [--json bench/results/neural.json]

On CPU with a tiny random MusicGen-melody (the test model: what code paths cost, not what the
real model costs). Each configuration runs in its own subprocess for its ru_maxrss.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_one(engine: str, bars: int, model: str) -> dict:
    import songform
    from songform.render.neural.base import get_renderer

    song = songform.compose(songform.Template(form=f"verse:{bars // 2} chorus:{bars - bars // 2}",
                                              style="pop", tempo=120, key="C"), seed=1)
    renderer = get_renderer(engine, model=model or None)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        renderer.render(song, Path(folder) / "out.wav", seed=0)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    audio = song.plan.duration_seconds
    return {"engine": engine, "bars": bars, "audio_seconds": audio, "wall_seconds": seconds,
            "real_time_factor": audio / seconds, "peak_mb": (peak - before) / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[8, 16, 32],
                        help="song lengths in bars of 4/4 at 120 BPM (2 s a bar)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "neural.json")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, bars, model = args.one
        print(json.dumps(run_one(engine, int(bars), model)))
        return 0
    from rich.console import Console
    from rich.table import Table

    sys.path.insert(0, str(ROOT / "tests" / "render"))
    from tiny_musicgen import build_tiny_musicgen

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        model = str(build_tiny_musicgen(Path(folder) / "musicgen"))
        for engine in ("fluidsynth", "musicgen"):
            for bars in args.lengths:
                result = subprocess.run([sys.executable, __file__, "--one", engine, str(bars),
                                         model if engine == "musicgen" else ""],
                                        capture_output=True, text=True)
                if result.returncode:
                    rows.append({"engine": engine, "bars": bars,
                                 "error": result.stderr.strip().splitlines()[-1]})
                    continue
                rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
                print(rows[-1], flush=True)
    table = Table(title="Whole-song rendering on CPU (MusicGen: tiny random model, 30 s "
                        "windows, 2 s overlaps)")
    for column in ("engine", "song seconds", "wall seconds", "x real time",
                   "wall s per song s", "peak MB"):
        table.add_column(column, justify="right")
    for row in rows:
        if "error" in row:
            table.add_row(row["engine"], str(row["bars"] * 2), "failed", row["error"][:40],
                          "", "")
            continue
        table.add_row(row["engine"], f"{row['audio_seconds']:.0f}", f"{row['wall_seconds']:.2f}",
                      f"{row['real_time_factor']:.1f}",
                      f"{row['wall_seconds'] / row['audio_seconds']:.3f}",
                      f"{row['peak_mb']:.0f}")
    Console().print(table)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
