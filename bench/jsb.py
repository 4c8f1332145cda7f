"""JSB chorales: vanilla (x-transformers, absolute positions) vs ours (relative) vs ours
(relative + FME + RIPO), equal budget, three seeds each. Prints a table, writes JSON.

    .venv/bin/python bench/jsb.py --quick          # under 15 minutes on 2 CPU cores
    .venv/bin/python bench/jsb.py                  # the full, time-boxed run (resumable)

Each finished run is stored in the JSON at once; a rerun skips runs already there, so an
interrupted full run continues where it stopped.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path

import torch
from common import JSB, ROOT, write_json
from rich.console import Console
from rich.table import Table
from torch import nn

from songform.data.jsb import VOCAB_SIZE, JsbWindows, load_jsb
from songform.symbolic.model import ModelConfig, MusicTransformer
from songform.symbolic.train import TrainConfig, collate, evaluate, train

DATA = JSB
VARIANTS = ("vanilla (x-transformers, absolute)", "ours: relative",
            "ours: relative + FME + RIPO")


class XTransformersBaseline(nn.Module):
    """x-transformers' decoder with learned absolute positions, in our trainer's interface."""

    def __init__(self, dim: int, depth: int, heads: int, max_len: int, dropout: float) -> None:
        super().__init__()
        from x_transformers import Decoder, TransformerWrapper

        self.net = TransformerWrapper(
            num_tokens=VOCAB_SIZE, max_seq_len=max_len,
            attn_layers=Decoder(dim=dim, depth=depth, heads=heads, attn_dropout=dropout,
                                ff_dropout=dropout))

    def forward(self, tokens, attributes=None, valid=None):
        return self.net(tokens, mask=valid)


def build(variant: str, args) -> tuple[nn.Module, ModelConfig]:
    position = {VARIANTS[1]: "relative", VARIANTS[2]: "relative+music"}.get(variant,
                                                                           "absolute")
    config = ModelConfig(vocab_size=VOCAB_SIZE, dim=args.dim, depth=args.depth,
                         heads=args.heads, position=position, max_relative=args.window,
                         max_positions=args.window + 1, dropout=args.dropout,
                         pitch_range=24, onset_buckets=64, onset_resolution=4)
    if variant == VARIANTS[0]:
        return XTransformersBaseline(args.dim, args.depth, args.heads, args.window + 1,
                                     args.dropout), config
    return MusicTransformer(config), config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--variants", default="0,1,2", help="which of the three variants to "
                        "run, by index (0 vanilla, 1 relative, 2 relative + FME + RIPO)")
    args = parser.parse_args()
    variants = [VARIANTS[int(i)] for i in args.variants.split(",")]
    steps = args.steps or (150 if args.quick else 600)
    mode = "quick" if args.quick else "full"
    out = args.json or ROOT / "bench" / "results" / f"jsb_{mode}.json"
    torch.set_num_threads(2)
    chorales = load_jsb(args.data)
    valid = JsbWindows(chorales["valid"], args.window)
    test = JsbWindows(chorales["test"], args.window)
    results = json.loads(out.read_text()) if out.exists() else {"runs": {}}
    results.update({"mode": mode, "steps": steps, "batch": args.batch, "window": args.window,
                    "dim": args.dim, "depth": args.depth, "heads": args.heads})
    console = Console()
    for seed in range(args.seeds):
        for variant in variants:
            key = f"{variant}|{seed}"
            if key in results["runs"]:
                continue
            torch.manual_seed(seed)
            model, config = build(variant, args)
            train_set = JsbWindows(chorales["train"], args.window, random_crops=True,
                                   seed=seed, crops_per_epoch=steps * args.batch)
            started = time.perf_counter()
            summary = train(config, train_set, None, TrainConfig(
                steps=steps, batch_size=args.batch, lr=1e-3, warmup=max(10, steps // 10),
                seed=seed, eval_every=10 ** 9), model=model, progress=True)
            trained = summary["model"]
            device = torch.device("cpu")
            run = {
                "variant": variant, "seed": seed,
                "parameters": sum(p.numel() for p in trained.parameters()),
                "valid_nll": evaluate(trained, torch.utils.data.DataLoader(
                    valid, batch_size=32, collate_fn=collate), device),
                "test_nll": evaluate(trained, torch.utils.data.DataLoader(
                    test, batch_size=32, collate_fn=collate), device),
                "train_loss_last": summary["final_loss"],
                "seconds": time.perf_counter() - started,
            }
            results["runs"][key] = run
            write_json(out, results)
            console.print(f"{variant} seed {seed}: valid {run['valid_nll']:.4f} "
                          f"test {run['test_nll']:.4f} ({run['seconds']:.0f} s)")
    table = Table(title=f"JSB chorales ({mode}: {steps} steps x batch {args.batch}, window "
                        f"{args.window} tokens, {args.seeds} seeds), NLL per token (nats)")
    for column in ("model", "parameters", "valid NLL", "test NLL", "seconds/run"):
        table.add_column(column, justify="left" if column == "model" else "right")
    summary = {}
    for variant in VARIANTS:
        runs = [r for r in results["runs"].values() if r["variant"] == variant]
        if not runs:
            continue

        def stat(name, runs=runs):
            values = [r[name] for r in runs]
            spread = statistics.stdev(values) if len(values) > 1 else math.nan
            return statistics.mean(values), spread

        summary[variant] = {name: stat(name) for name in ("valid_nll", "test_nll")}
        summary[variant]["parameters"] = runs[0]["parameters"]
        summary[variant]["seeds"] = len(runs)
        table.add_row(variant, f"{runs[0]['parameters']:,}",
                      "{:.4f} ± {:.4f}".format(*summary[variant]["valid_nll"]),
                      "{:.4f} ± {:.4f}".format(*summary[variant]["test_nll"]),
                      f"{statistics.mean(r['seconds'] for r in runs):.0f}")
    results["summary"] = summary
    out.write_text(json.dumps(results, indent=2) + "\n")
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
