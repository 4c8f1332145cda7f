"""Generation cost as the song grows: cached, chunked decoding (what ``SongModel.write``
runs) against recomputing the whole prefix for every token (decoding without a cache), side
by side on the same token streams; then whole songs written by a model end to end.

    .venv/bin/python bench/generate.py [--checkpoint DIR] [--json bench/results/generate.json]

Part 1 feeds a fixed stream (the baseline arranger's song, tokenized) token by token, so the
cost does not depend on what a model chooses to write: cached decoding should cost the same
per token however long the song is (linear in length); recomputing grows with the prefix
(quadratic), so it runs only on the shorter songs. Part 2 writes songs with a checkpoint
(default: the shipped one, else a random model of the shipped size) and reports seconds per
bar. CPU, one process.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def _song_tokens(tokenizer, bars: int):
    import songform
    from songform.hierarchy.planner import plan_song
    from songform.symbolic.arranger import arrange

    template = songform.Template(form=f"verse:{bars // 2} chorus:{bars - bars // 2}",
                                 style="pop", tempo=100, key="C")
    plan = plan_song(template, 1)
    return plan, tokenizer.encode(arrange(plan, 1))


@torch.no_grad()
def cached_seconds(model, tokenizer, plan, sequence, context: int) -> float:
    from songform.symbolic.generate import _Decoder

    decoder = _Decoder(model, tokenizer, list(plan.bars()), context + 64, "cpu")
    started = time.perf_counter()
    for token in sequence.tokens:
        decoder.feed([token])
    return time.perf_counter() - started


@torch.no_grad()
def recompute_seconds(model, sequence) -> float:
    ids = torch.as_tensor(sequence.ids)[None]
    pitches = torch.as_tensor(sequence.pitches)[None]
    onsets = torch.as_tensor(sequence.onsets, dtype=torch.float32)[None]
    durations = torch.as_tensor(sequence.durations, dtype=torch.float32)[None]
    started = time.perf_counter()
    for end in range(1, ids.shape[1] + 1):
        model(ids[:, :end], pitches[:, :end], onsets[:, :end], durations[:, :end])
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--lengths", type=int, nargs="+", default=[4, 8, 16, 32, 64])
    parser.add_argument("--recompute-up-to", type=int, default=8,
                        help="recompute only songs of at most this many bars (it is quadratic)")
    parser.add_argument("--write-lengths", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" /
                        "generate.json")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    from songform.symbolic.generate import SongModel
    from songform.symbolic.model import ModelConfig, MusicTransformer
    from songform.symbolic.shipped import shipped_checkpoint
    from songform.symbolic.tokenizer import SongTokenizer

    folder = args.checkpoint or shipped_checkpoint()
    if folder is not None:
        writer = SongModel.load(folder)
        label = f"checkpoint {folder.name}"
    else:
        tokenizer = SongTokenizer()
        torch.manual_seed(0)
        model = MusicTransformer(ModelConfig(vocab_size=len(tokenizer), dim=192, depth=4,
                                             heads=6, max_relative=384, max_positions=385))
        writer = SongModel(model.eval(), tokenizer, ("counter-melody", "harmony", "melody"))
        label = "random model of the shipped size"
    model, tokenizer = writer.model.eval(), writer.tokenizer
    context = model.config.max_relative
    rows = []
    for bars in args.lengths:
        plan, sequence = _song_tokens(tokenizer, bars)
        cached = cached_seconds(model, tokenizer, plan, sequence, context)
        row = {"bars": bars, "tokens": len(sequence), "cached_s": cached,
               "cached_ms_per_token": 1000 * cached / len(sequence)}
        if bars <= args.recompute_up_to:
            full = recompute_seconds(model, sequence)
            row.update(recompute_s=full, recompute_ms_per_token=1000 * full / len(sequence),
                       speedup=full / cached)
        rows.append(row)
        print(row, flush=True)
    written = []
    for bars in args.write_lengths:
        import songform
        from songform.hierarchy.planner import plan_song

        template = songform.Template(form=f"verse:{bars // 2} chorus:{bars - bars // 2}",
                                     style="pop", tempo=100, key="C")
        plan = plan_song(template, 2)
        started = time.perf_counter()
        song = writer.write(plan, seed=0)
        seconds = time.perf_counter() - started
        notes = sum(len(t.notes) for t in song.score.tracks)
        written.append({"bars": bars, "seconds": seconds, "seconds_per_bar": seconds / bars,
                        "notes": notes})
        print(written[-1], flush=True)
    console = Console()
    table = Table(title=f"Decoding a fixed token stream on the CPU ({label}, dim "
                        f"{model.config.dim}, depth {model.config.depth}, context {context})")
    for column in ("bars", "tokens", "cached s", "cached ms/token", "recompute s",
                   "recompute ms/token", "cached speed-up"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(str(row["bars"]), str(row["tokens"]), f"{row['cached_s']:.2f}",
                      f"{row['cached_ms_per_token']:.2f}",
                      f"{row['recompute_s']:.2f}" if "recompute_s" in row else "-",
                      f"{row['recompute_ms_per_token']:.2f}" if "recompute_s" in row else "-",
                      f"{row['speedup']:.1f}x" if "speedup" in row else "-")
    console.print(table)
    table = Table(title=f"Whole songs written by the {label}")
    for column in ("bars", "seconds", "seconds per bar", "notes"):
        table.add_column(column, justify="right")
    for row in written:
        table.add_row(str(row["bars"]), f"{row['seconds']:.2f}",
                      f"{row['seconds_per_bar']:.3f}", str(row["notes"]))
    console.print(table)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"model": label, "decode": rows, "write": written},
                                    indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
