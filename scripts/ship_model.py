"""Copy a trained checkpoint into the package as the shipped model: weights in float16
safetensors (half the size; loading casts them back), config and tokenizer as they are, and a
model card with where it came from and how it measures.

    .venv/bin/python scripts/ship_model.py CHECKPOINT [--card-notes TEXT]
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from safetensors.torch import load_file, save_file

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "symbolic" / "checkpoints" / "pop909"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--card-notes", default="", help="text added to MODEL.md")
    args = parser.parse_args()
    TARGET.mkdir(parents=True, exist_ok=True)
    weights = load_file(str(args.checkpoint / "model.safetensors"))
    halved = {name: (t.half() if t.is_floating_point() else t).contiguous()
              for name, t in weights.items()}
    save_file(halved, str(TARGET / "model.safetensors"))
    (TARGET / "model.safetensors").chmod(0o644)
    for name in ("config.json", "tokenizer.json", "curve.csv", "curve.png"):
        if (args.checkpoint / name).exists():
            shutil.copyfile(args.checkpoint / name, TARGET / name)
    config = json.loads((args.checkpoint / "config.json").read_text())
    tokenizer = json.loads((args.checkpoint / "tokenizer.json").read_text())
    parameters = sum(t.numel() for t in weights.values())
    attention = {"relative": "relative attention with Huang et al.'s skew",
                 "relative+music": "relative attention with the skew, FME embeddings of pitch, "
                                   "duration and onset, RIPO pitch-interval and onset terms; "
                                   "docs/DESIGN.md"}.get(config["position"], config["position"])
    run = args.checkpoint / "train.json"
    options = json.loads(run.read_text()) if run.exists() else None
    command = ("songform train " + " ".join(
        f"--{name.replace('_', '-')} {value}" if not isinstance(value, bool)
        else f"--{'' if value else 'no-'}{name}" for name, value in options.items()
        if value is not None and name not in ("device",))) if options else None
    card = [
        "# songform's shipped Music Transformer (POP909)",
        "",
        f"- Architecture: decoder, {config['depth']} layers, width {config['dim']}, "
        f"{config['heads']} heads, attention `{config['position']}` ({attention}).",
        f"- Parameters: {parameters:,} (stored as float16).",
        f"- Tokenizer: {tokenizer['scheme']}, vocabulary {tokenizer['vocab_size']}; roles "
        f"written: {', '.join(tokenizer.get('roles', []))} (bass and drums come from the "
        "baseline arranger).",
        f"- Data: {tokenizer.get('corpus')} training split (song id % 10 not 0 or 5), read "
        "from ../shared/data at training time; nothing of it is in this folder.",
        *([f"- Command: `{command}`"] if command else []),
        "- Curve: curve.csv and curve.png beside this card (training loss every step, "
        "validation NLL at each validation).",
        "",
        args.card_notes,
        "",
    ]
    (TARGET / "MODEL.md").write_text("\n".join(card))
    print(f"shipped {parameters:,} parameters to {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
