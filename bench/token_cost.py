"""Decoding cost per token of whole songs: one thread, one pop song (seed 0's plan, written
with seed 1 after a warm-up song), each checkpoint side by side.

    .venv/bin/python bench/token_cost.py CKPT [CKPT ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from common import add_json_option, write_json


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", type=Path, nargs="+")
    add_json_option(parser, "token_cost.json")
    args = parser.parse_args()
    import songform
    from songform.hierarchy.planner import plan_song
    from songform.symbolic.generate import GenerateConfig
    from songform.symbolic.skeleton import plan_skeleton
    from songform.symbolic.writers import note_writer

    torch.set_num_threads(1)
    plan = plan_song(songform.load_template(None, style="pop"), 0)
    rows = []
    for checkpoint in args.checkpoints:
        writer = note_writer("model", checkpoint, "cpu", GenerateConfig())
        writer.write(plan, 0)  # warm-up
        started = time.perf_counter()
        song = writer.write(plan, 1)
        seconds = time.perf_counter() - started
        model = writer.song_model
        tokens = sum(len(bar) for bar in song.written) + sum(
            len(prefix) for prefix in plan_skeleton(model.tokenizer, plan, model.roles))
        rows.append({"checkpoint": str(checkpoint), "bars": plan.num_bars, "tokens": tokens,
                     "seconds": seconds, "ms_per_token": 1000 * seconds / tokens,
                     "real_time_factor": seconds / plan.duration_seconds})
        print(f"{checkpoint}: {plan.num_bars} bars, {tokens} tokens in {seconds:.1f} s: "
              f"{rows[-1]['ms_per_token']:.2f} ms/token, real-time factor "
              f"{rows[-1]['real_time_factor']:.3f}", flush=True)
    write_json(args.json, {"rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
