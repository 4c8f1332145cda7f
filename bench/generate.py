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

import numpy as np
import torch

from songform.symbolic.metrics import plan_adherence

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


ROLES = ("melody", "counter-melody", "harmony")


def pop909_reference(root: Path, count: int) -> dict | None:
    """Mean plan adherence of the first ``count`` POP909 test songs (their own notes against
    their annotated chords and labels): what a model trained on POP909 can aim at."""
    from songform.data.pop909 import read_pop909_song
    from songform.data.pop909_annotations import beats_per_bar_table
    from songform.hierarchy.splits import POP909_UNUSABLE_LABELS, pop909_split

    if not root.is_dir():
        print(f"POP909 not found at {root}: no reference row")
        return None
    table = beats_per_bar_table(root)
    folders = [d for d in sorted(root.iterdir()) if d.is_dir() and d.name.isdigit()
               and pop909_split(d.name) == "test"
               and int(d.name) not in POP909_UNUSABLE_LABELS][:count]
    songs = [read_pop909_song(d, table.get(d.name, 4)).song for d in folders]
    scores = [plan_adherence(song, ROLES) for song in songs]
    return {"writer": f"POP909 test ({len(scores)} songs)",
            "bars": int(np.mean([song.plan.num_bars for song in songs])),
            "seconds": None, "seconds_per_bar": None,
        "notes": int(np.mean([s.notes for s in scores])),
        "chord_tones": float(np.nanmean([s.chord_tones for s in scores])),
        "repeats": float(np.nanmean([s.repeats for s in scores]))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--lengths", type=int, nargs="+", default=[4, 8, 16, 32, 64])
    parser.add_argument("--recompute-up-to", type=int, default=8,
                        help="recompute only songs of at most this many bars (it is quadratic)")
    parser.add_argument("--write-lengths", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--pop909", type=Path, default=ROOT.parent / "shared" / "data" /
                        "pop909")
    parser.add_argument("--reference-songs", type=int, default=30)
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
        from songform.symbolic.arranger import arrange

        template = songform.Template(form=f"verse:{bars // 2} chorus:{bars - bars // 2}",
                                     style="pop", tempo=100, key="C")
        plan = plan_song(template, 2)
        started = time.perf_counter()
        song = writer.write(plan, seed=0)
        seconds = time.perf_counter() - started
        for name, result, cost in (("model", song, seconds),
                                   ("arranger", arrange(plan, 0), None)):
            adherence = plan_adherence(result, ROLES)
            written.append({"writer": name, "bars": bars, "seconds": cost,
                            "seconds_per_bar": cost / bars if cost else None,
                            "notes": adherence.notes, "chord_tones": adherence.chord_tones,
                            "repeats": adherence.repeats})
            print(written[-1], flush=True)
    reference = pop909_reference(args.pop909, args.reference_songs)
    if reference:
        written.append(reference)
        print(reference, flush=True)
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
    table = Table(title=f"Whole songs: the {label} against the arranger and POP909 "
                        "(melody, counter-melody, harmony)")
    for column in ("writer", "bars", "seconds", "seconds per bar", "notes", "chord tones",
                   "restated bars"):
        table.add_column(column, justify="right")
    for row in written:
        table.add_row(row["writer"], str(row["bars"]),
                      f"{row['seconds']:.2f}" if row["seconds"] else "-",
                      f"{row['seconds_per_bar']:.3f}" if row["seconds_per_bar"] else "-",
                      str(row["notes"]), f"{row['chord_tones']:.3f}", f"{row['repeats']:.3f}")
    console.print(table)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"model": label, "decode": rows, "write": written},
                                    indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
