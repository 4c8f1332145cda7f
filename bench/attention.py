"""Relative attention memory and time: our skewed relative attention (with and without RIPO)
against the naive Shaw-style version that materialises the L×L×D relative tensor.

    .venv/bin/python bench/attention.py [--quick] [--json bench/results/attention.json]

Each configuration runs in its own subprocess so that its peak resident memory (ru_maxrss,
minus the same process's footprint before the call) belongs to it alone. One attention layer,
batch 1, D = 512, 8 heads (the paper's setting for its 8.5 GB vs 4.2 MB figure at L = 2048).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time

from common import add_json_option, write_json

DIM, HEADS = 512, 8
PLAN = [  # (length, pass): naive up to 2048, ours alone beyond
    (256, "fwd+bwd"), (512, "fwd+bwd"), (1024, "fwd+bwd"), (2048, "fwd"),
    (4096, "fwd"), (8192, "fwd"),
]
QUICK_PLAN = [(256, "fwd+bwd"), (512, "fwd+bwd"), (1024, "fwd")]
VARIANTS = ("naive Shaw (L×L×D)", "ours: skew", "ours: skew + RIPO")


def run_one(variant: str, length: int, mode: str, repeats: int) -> dict:
    """Measure one configuration in this process (called in a subprocess)."""
    import torch

    from songform.symbolic.attention import AttentionConfig, CausalSelfAttention, relative_buckets
    from songform.symbolic.attributes import TokenAttributes

    torch.set_num_threads(2)
    torch.manual_seed(0)
    attention = CausalSelfAttention(AttentionConfig(dim=DIM, heads=HEADS,
                                                    ripo=variant.endswith("RIPO"),
                                                    max_relative=length))
    x = torch.randn(1, length, DIM, requires_grad=mode == "fwd+bwd")
    positions = torch.arange(length)[None]
    pitches = torch.randint(40, 90, (1, length))
    onsets = (torch.arange(length) / 4.0)[None]
    attributes = TokenAttributes(pitches, onsets, torch.full_like(onsets, float("nan")))

    def naive():
        config = attention.config
        q, k, v = attention.qkv(x).split(DIM, dim=2)
        shape = (1, length, HEADS, config.head_dim)
        q, k, v = (t.view(shape).transpose(1, 2) for t in (q, k, v))
        index = relative_buckets(positions, positions, length)[0]  # (L, L)
        table = attention.rel.permute(1, 0, 2).reshape(length, DIM)  # (R, D)
        relative = table[index]  # (L, L, D): the tensor the skew avoids
        rel_logits = torch.einsum("bhid,ijhd->bhij", q,
                                  relative.view(length, length, HEADS, config.head_dim))
        logits = (q @ k.transpose(-2, -1) + rel_logits) / math.sqrt(config.head_dim)
        mask = torch.ones(length, length, dtype=torch.bool).tril()
        weights = torch.softmax(logits.masked_fill(~mask, float("-inf")), -1)
        return attention.out((weights @ v).transpose(1, 2).reshape(1, length, DIM))

    def ours():
        return attention(x, positions, attributes)

    call = naive if variant.startswith("naive") else ours

    def once():
        out = call()
        if mode == "fwd+bwd":
            out.sum().backward()
        else:
            out.detach()

    grad = torch.enable_grad() if mode == "fwd+bwd" else torch.no_grad()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    with grad:
        for _ in range(repeats):
            started = time.perf_counter()
            once()
            times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"variant": variant, "length": length, "mode": mode,
            "peak_mb": (peak - before) / 1024, "seconds": statistics.median(times)}


def analytic_mb(variant: str, length: int) -> float:
    """Size of the relative-position intermediate: L·L·D floats naive, L·D ours."""
    floats = length * length * DIM if variant.startswith("naive") else length * DIM
    return floats * 4 / 2 ** 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    add_json_option(parser, "attention.json")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        variant, length, mode = args.one
        print(json.dumps(run_one(variant, int(length), mode, args.repeats)))
        return 0
    from rich.console import Console
    from rich.table import Table

    rows = []
    for length, mode in (QUICK_PLAN if args.quick else PLAN):
        for variant in VARIANTS:
            if variant.startswith("naive") and length > 2048:
                continue
            result = subprocess.run([sys.executable, __file__, "--one", variant, str(length),
                                     mode, "--repeats", str(args.repeats)],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                rows.append({"variant": variant, "length": length, "mode": mode,
                             "error": result.stderr.strip().splitlines()[-1]})
                continue
            row = json.loads(result.stdout.strip().splitlines()[-1])
            row["relative_tensor_mb"] = analytic_mb(variant, length)
            rows.append(row)
            print(row, flush=True)
    table = Table(title=f"One attention layer, B=1, D={DIM}, H={HEADS}: peak memory and time")
    for column in ("L", "pass", "variant", "peak MB", "naive/ours memory", "seconds",
                   "naive/ours time", "relative tensor MB (analytic)"):
        table.add_column(column, justify="right")
    for row in rows:
        naive = next((r for r in rows if r["length"] == row["length"]
                      and r["variant"].startswith("naive") and "error" not in r), None)
        if "error" in row:
            table.add_row(str(row["length"]), row["mode"], row["variant"], "failed", "", "", "",
                          row["error"][:40])
            continue
        ratio_memory = ratio_time = ""
        if naive is not None and not row["variant"].startswith("naive"):
            ratio_memory = f"{naive['peak_mb'] / max(row['peak_mb'], 1e-9):.1f}x"
            ratio_time = f"{naive['seconds'] / row['seconds']:.1f}x"
        table.add_row(str(row["length"]), row["mode"], row["variant"], f"{row['peak_mb']:.0f}",
                      ratio_memory, f"{row['seconds']:.3f}", ratio_time,
                      f"{row['relative_tensor_mb']:.1f}")
    Console().print(table)
    write_json(args.json, {"dim": DIM, "heads": HEADS, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
