"""``torch.compile`` on cached decoding: the shipped model's one-token
steps through generation's decoder, eager against compiled (``dynamic=True``), side by side
on the same tokens, with the largest difference between their logits.

    .venv/bin/python bench/compile.py [--steps 150] [--json bench/results/compile.json]
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from common import add_json_option, write_json


def decode(model, song_model, plan, tokens, context: int, steps: int
           ) -> tuple[float, list[torch.Tensor]]:
    """Tokens per second of ``steps`` one-token steps after ``context`` tokens, and the
    logits of each step."""
    from bench.generate import single_row_decoder

    decoder = single_row_decoder(model, song_model.tokenizer, plan, context + 64)
    decoder.feed({0: tokens[:context]})
    started = time.perf_counter()
    logits = [decoder.feed({0: [token]})[0] for token in tokens[context:context + steps]]
    return steps / (time.perf_counter() - started), logits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--context", type=int, default=384)
    add_json_option(parser, "compile.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    from bench.decoding import load_model, stream

    song_model, label = load_model()
    plan, tokens = stream(song_model.tokenizer, args.context + args.steps)
    eager = song_model.model
    results: dict = {"model": label, "context": args.context, "steps": args.steps}
    results["eager"], reference = decode(eager, song_model, plan, tokens, args.context,
                                         args.steps)
    try:
        started = time.perf_counter()
        compiled = torch.compile(eager, dynamic=True)
        decode(compiled, song_model, plan, tokens, args.context, 8)  # compiles
        results["compile_seconds"] = time.perf_counter() - started
        results["compiled"], logits = decode(compiled, song_model, plan, tokens,
                                             args.context, args.steps)
        results["max_logit_difference"] = max(float((a - b).abs().max())
                                              for a, b in zip(logits, reference, strict=True))
    except Exception as error:  # compile is optional: say why it did not run
        results["compile_error"] = f"{type(error).__name__}: {str(error)[:300]}"
    results["eager_again"], _ = decode(eager, song_model, plan, tokens, args.context,
                                       args.steps)
    print(json.dumps(results, indent=1))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
