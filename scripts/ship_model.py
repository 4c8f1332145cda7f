"""Copy a trained checkpoint into the package as the shipped model: weights in float16
safetensors (half the size; loading casts them back), config and tokenizer as they are, and a
model card with where it came from and how it measures.

    .venv/bin/python scripts/ship_model.py CHECKPOINT [--name NAME] [--card-notes FILE]

NAME is the folder under symbolic/checkpoints/ (``--checkpoint NAME`` loads it); the default
model is the one symbolic/shipped.py names.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from safetensors.torch import load_file, save_file

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = ROOT / "symbolic" / "checkpoints"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--name", default="idioms", help="folder under symbolic/checkpoints")
    parser.add_argument("--card-notes", type=Path, default=None,
                        help="a Markdown file whose text ends MODEL.md")
    args = parser.parse_args()
    target = CHECKPOINTS / args.name
    notes = args.card_notes.read_text() if args.card_notes else ""
    target.mkdir(parents=True, exist_ok=True)
    weights = load_file(str(args.checkpoint / "model.safetensors"))
    halved = {name: (t.half() if t.is_floating_point() else t).contiguous()
              for name, t in weights.items()}
    save_file(halved, str(target / "model.safetensors"))
    (target / "model.safetensors").chmod(0o644)
    for name in ("config.json", "tokenizer.json", "curve.csv", "curve.png"):
        if (args.checkpoint / name).exists():
            shutil.copyfile(args.checkpoint / name, target / name)
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
    corpora = tokenizer.get("corpus") or "?"
    idiom_roles = tokenizer.get("idiom_roles") or {}
    idiom_corpora = tokenizer.get("idiom_corpora") or {}
    if idiom_roles:
        written = "; ".join(f"{idiom} ({idiom_corpora.get(idiom, '?')}): {', '.join(roles)}"
                            for idiom, roles in idiom_roles.items())
        roles_line = (f"roles written by idiom (the idiom is a plan token, `Idiom_*`): "
                      f"{written}; the baseline arranger plays the rest")
    else:
        roles_line = (f"roles written: {', '.join(tokenizer.get('roles', []))} (the baseline "
                      "arranger plays the rest)")
    split = tokenizer.get("split") or "POP909's fixed split (song id % 10: 5 valid, 0 test)"
    card = [
        f"# songform's shipped Music Transformer ({args.name}: {corpora})",
        "",
        f"- Architecture: decoder, {config['depth']} layers, width {config['dim']}, "
        f"{config['heads']} heads, attention `{config['position']}` ({attention}).",
        f"- Parameters: {parameters:,} (stored as float16).",
        f"- Tokenizer: {tokenizer['scheme']}, vocabulary {tokenizer['vocab_size']}; "
        f"{roles_line}.",
        f"- Data: {corpora} (corpus:weight, the share of training windows), the training "
        f"split of each: {split}. Read from ../shared/data and music21's corpus at training "
        "time; nothing of it is in this folder.",
        *([f"- Command: `{command}`"] if command else []),
        "- Curve: curve.csv and curve.png beside this card (training loss every step, "
        "validation NLL at each validation, CPU seconds).",
        "",
        notes,
        "",
    ]
    (target / "MODEL.md").write_text("\n".join(card))
    print(f"shipped {parameters:,} parameters to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
