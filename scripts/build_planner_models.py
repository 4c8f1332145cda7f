"""Learn the planner's form and chord models from POP909 and measure them on the test songs.

    python scripts/build_planner_models.py [--pop909 ../shared/data/pop909] [--json OUT]

Writes ``hierarchy/models/form_model.json`` and ``chord_model.json`` (trained on the train
split; the chord chain is chosen on the valid split), prints a table of test-split numbers and
writes them as JSON (default ``bench/results/planner_models.json``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from songform.data.pop909_annotations import beats_per_bar_table, read_annotations, song_dirs
from songform.hierarchy.chord_model import ChordModel, bar_token
from songform.hierarchy.form_model import FormModel
from songform.hierarchy.labels import parse_label_string, sections_from_labels
from songform.hierarchy.splits import POP909_UNUSABLE_LABELS, pop909_split

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "hierarchy" / "models"


def chord_phrases(annotations) -> list[tuple[str, list[str]]]:
    """(section kind, bar tokens) for every phrase that the chord annotations cover."""
    bars = annotations.bar_chords()
    phrases, start = [], 0
    for section in sections_from_labels(parse_label_string(annotations.labels)):
        for phrase in section.phrases:
            if start + phrase.bars > len(bars):
                return phrases
            tokens = [bar_token(a, b, annotations.key) for a, b in bars[start:start + phrase.bars]]
            phrases.append((section.kind, tokens))
            start += phrase.bars
    return phrases


def distinct_phrases(annotated_songs) -> list[tuple[str, list[str]]]:
    """Training phrases, each distinct (kind, progression) counted once per song.

    A song states its chorus progression three or four times; counting it once keeps a few
    songs from dominating the higher-order contexts (measured: lower validation perplexity).
    """
    out = []
    for song in annotated_songs:
        seen = set()
        for kind, tokens in chord_phrases(song):
            if (kind, tuple(tokens)) not in seen:
                seen.add((kind, tuple(tokens)))
                out.append((kind, tokens))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pop909", type=Path, default=ROOT.parent / "shared" / "data" / "pop909")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" /
                        "planner_models.json")
    args = parser.parse_args()
    if not args.pop909.is_dir():
        print(f"POP909 not found at {args.pop909}", file=sys.stderr)
        return 2
    bpb = beats_per_bar_table(args.pop909)
    songs = {"train": [], "valid": [], "test": []}
    for song_dir in song_dirs(args.pop909):
        if int(song_dir.name) in POP909_UNUSABLE_LABELS:
            continue
        songs[pop909_split(song_dir.name)].append(
            read_annotations(song_dir, bpb.get(song_dir.name, 4)))

    # Form model: order chosen on valid, reported on test against the order-blind unigram.
    def form_nll(model: FormModel, split: str) -> tuple[float, float]:
        total, tokens = 0.0, 0
        for a in songs[split]:
            ll, n = model.log_likelihood(a.labels)
            total, tokens = total + ll, tokens + n
        return -total / tokens, -total / len(songs[split])

    train_labels = [a.labels for a in songs["train"]]
    order = min((2, 3, 4), key=lambda o: form_nll(FormModel.fit(train_labels, o), "valid")[0])
    form_model = FormModel.fit(train_labels, order)
    form_unigram = FormModel.fit(train_labels, 1)

    # Chord model: n-gram shape and smoothing, then the kind strength, chosen on valid.
    phrases = {split: [p for a in songs[split] for p in chord_phrases(a)] for split in songs}
    train_phrases = distinct_phrases(songs["train"])
    candidates = {(chain, discount): ChordModel.fit(train_phrases, chain, discount)
                  for chain in ("trigram", "bigram") for discount in (None, 0.9)}
    # Chosen by top-3 accuracy: the planner samples at low temperature, so the head of the
    # distribution matters more than the tail that perplexity is most sensitive to.
    valid = {k: m.evaluate(phrases["valid"]) for k, m in candidates.items()}
    chain, discount = max(valid, key=lambda k: (valid[k]["top3"], -valid[k]["perplexity"]))
    base = candidates[(chain, discount)]
    betas = {b: base.with_beta(b).evaluate(phrases["valid"])["perplexity"]
             for b in (0.0, 0.25, 0.5, 0.75, 1.0)}
    beta = min(betas, key=betas.get)
    chord_models = {"kind": base.with_beta(beta), "no-kind": base.with_beta(0.0),
                    "unigram": ChordModel.fit(train_phrases, "unigram", discount)}
    results = {
        "split": {k: len(v) for k, v in songs.items()},
        "form_model": {"order": order},
        "chord_model": {"selected": {"chain": chain, "discount": discount, "beta": beta},
                        "valid_by_shape": {f"{c}/{d}": v for (c, d), v in valid.items()},
                        "valid_perplexity_by_beta": betas},
    }
    for name, model in (("model", form_model), ("unigram (order-blind)", form_unigram)):
        per_token, per_song = form_nll(model, "test")
        results["form_model"][name] = {"nll_per_phrase": per_token, "nll_per_song": per_song,
                                       "perplexity": math.exp(per_token)}
    for name, model in chord_models.items():
        results["chord_model"][name] = model.evaluate(phrases["test"])

    MODELS.mkdir(parents=True, exist_ok=True)
    for name, model in (("form_model.json", form_model), ("chord_model.json",
                                                          chord_models["kind"])):
        (MODELS / name).write_text(json.dumps(model.to_dict(), sort_keys=True,
                                              separators=(",", ":")) + "\n")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")

    console = Console()
    table = Table(title=f"Form model on POP909 test songs ({len(songs['test'])})")
    for col in ("model", "NLL / phrase (nats)", "NLL / song", "perplexity"):
        table.add_column(col)
    for name, r in results["form_model"].items():
        if isinstance(r, dict):
            table.add_row(f"{name}" + (f" ({order}-gram)" if name == "model" else ""),
                          f"{r['nll_per_phrase']:.3f}", f"{r['nll_per_song']:.1f}",
                          f"{r['perplexity']:.2f}")
    console.print(table)
    table = Table(title=f"Chord model, next bar on test phrases "
                        f"({results['chord_model']['kind']['tokens']} bars)")
    for col in ("model", "top-3 accuracy", "perplexity"):
        table.add_column(col)
    labels = {"kind": f"{chain} + section kind (beta {beta})",
              "no-kind": f"{chain}, no section kind", "unigram": "unigram"}
    for name, label in labels.items():
        r = results["chord_model"][name]
        table.add_row(label, f"{r['top3']:.3f}", f"{r['perplexity']:.2f}")
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
