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
import time
from pathlib import Path

import numpy as np
import torch
from common import add_json_option, add_pop909_option, columns_table, write_json

from songform.symbolic.attributes import TokenAttributes
from songform.symbolic.metrics import plan_adherence
from songform.symbolic.scoring import SCALES


def _song_tokens(tokenizer, bars: int):
    import songform
    from songform.hierarchy.planner import plan_song
    from songform.symbolic.arranger import arrange

    template = songform.Template(form=f"verse:{bars // 2} chorus:{bars - bars // 2}",
                                 style="pop", tempo=100, key="C")
    plan = plan_song(template, 1)
    return plan, tokenizer.encode(arrange(plan, 1))


def single_row_decoder(model, tokenizer, plan, capacity: int, rows: int = 1):
    """Generation's decoder with ``rows`` rows of ``plan`` (no sampling state needed)."""
    import random

    from songform.symbolic.decoding import Decoder, Row
    from songform.symbolic.tokenizer import AttributeState

    bars = list(plan.bars())
    return Decoder(model, tokenizer, [
        Row(0, 0, 0, bars, [], None, AttributeState(bars, tokenizer.settings.beat_resolution),
             torch.Generator(), random.Random()) for _ in range(rows)], capacity, "cpu")


@torch.no_grad()
def cached_seconds(model, tokenizer, plan, sequence, context: int) -> float:
    decoder = single_row_decoder(model, tokenizer, plan, context + 64)
    started = time.perf_counter()
    for token in sequence.tokens:
        decoder.feed({0: [token]})
    return time.perf_counter() - started


@torch.no_grad()
def recompute_seconds(model, sequence) -> float:
    ids = torch.as_tensor(sequence.ids)[None]
    attributes = TokenAttributes.of_sequence(sequence.pitches, sequence.onsets,
                                             sequence.durations)
    started = time.perf_counter()
    for end in range(1, ids.shape[1] + 1):
        model(ids[:, :end], attributes.span(0, end))
    return time.perf_counter() - started


ROLES = ("melody", "counter-melody", "harmony")


def pop909_reference(root: Path, count: int) -> dict | None:
    """Mean plan adherence of the first ``count`` POP909 test songs (their own notes against
    their annotated chords and labels): what a model trained on POP909 can aim at."""
    from songform.data.pop909 import read_pop909_song
    from songform.data.pop909_annotations import beats_per_bar_table
    from songform.hierarchy.splits import POP909_UNUSABLE_LABELS, pop909_split

    if not root.is_dir() or count < 1:
        print(f"no POP909 reference row ({root} absent or no songs asked for)")
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


def in_key_share(song, roles) -> float:
    """Share of the notes of ``roles`` whose pitch class is in their bar's key's scale."""
    bars = list(song.plan.bars())
    starts = np.array([b.start * song.tpq for b in bars])
    names = {t.name for t in song.plan.tracks if t.role in roles}
    hits = []
    for track in song.score.tracks:
        if track.name in names:
            for note in track.notes:
                key = bars[int(np.searchsorted(starts, note.time, side="right")) - 1].key
                hits.append((note.pitch - key.tonic) % 12 in SCALES[key.mode])
    return float(np.mean(hits)) if hits else float("nan")


def tonality_probe(model, tokenizer, root: Path, count: int, window: int) -> dict | None:
    """Teacher-forced on the first ``count`` POP909 test songs (windows of ``window`` tokens
    from bar lines, as in training; symbolic/scoring.py): at every Pitch token, the share of
    the model's pitch probability on the key's scale and on the sounding chord's tones,
    beside the songs' own shares and chance, and the NLL."""
    from analysis import pop909_test_songs

    from songform.data.pop909 import read_pop909_song
    from songform.symbolic.scoring import SongScore, score_song

    if not root.is_dir() or count < 1:
        return None
    folders = pop909_test_songs(root, count)
    total = SongScore()
    for folder, beats in folders:
        total += score_song(model, tokenizer, read_pop909_song(folder, beats).song, window)
    return {**total.summary(), "songs": len(folders)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--lengths", type=int, nargs="+", default=[4, 8, 16, 32, 64])
    parser.add_argument("--recompute-up-to", type=int, default=8,
                        help="recompute only songs of at most this many bars (it is quadratic)")
    parser.add_argument("--write-lengths", type=int, nargs="*", default=[8, 16, 32])
    add_pop909_option(parser)
    parser.add_argument("--reference-songs", type=int, default=30)
    parser.add_argument("--probe-songs", type=int, default=10)
    parser.add_argument("--biases", type=float, nargs="*", default=[0.0, 1.0, 2.0, 3.0, 4.0],
                        help="chord_bias settings to sweep (two 16-bar songs each)")
    add_json_option(parser, "generate.json")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    import songform
    from songform.hierarchy.planner import plan_song
    from songform.symbolic.arranger import arrange
    from songform.symbolic.model import ModelConfig, MusicTransformer
    from songform.symbolic.shipped import shipped_checkpoint
    from songform.symbolic.tokenizer import SongTokenizer
    from songform.symbolic.writers import SongModel

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
    sweep = []
    for bias in args.biases:
        from songform.symbolic.generate import GenerateConfig

        for seed in (3, 4):
            template = songform.Template(form="verse:4 chorus:4 verse:4 chorus:4",
                                         style="pop", tempo=96, key="D")
            song = writer.write(plan_song(template, seed), seed,
                                GenerateConfig(chord_bias=bias))
            adherence = plan_adherence(song, ROLES)
            sweep.append({"chord_bias": bias, "seed": seed, "notes": adherence.notes,
                          "chord_tones": adherence.chord_tones,
                          "in_key": in_key_share(song, ROLES), "repeats": adherence.repeats})
            print(sweep[-1], flush=True)
    probe = tonality_probe(model, tokenizer, args.pop909, args.probe_songs, context)
    if probe:
        print(probe, flush=True)
    reference = pop909_reference(args.pop909, args.reference_songs)
    if reference:
        written.append(reference)
        print(reference, flush=True)
    console = Console()
    table = columns_table(f"Decoding a fixed token stream on the CPU ({label}, dim "
                          f"{model.config.dim}, depth {model.config.depth}, context {context})",
                          ("bars", "tokens", "cached s", "cached ms/token", "recompute s",
                           "recompute ms/token", "cached speed-up"))
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
    if sweep:
        table = Table(title="Plan guidance: chord_bias against chord tones and key (two "
                            "16-bar pop songs each, seeds 3 and 4)")
        for column in ("chord_bias", "notes", "chord tones", "in key", "restated bars"):
            table.add_column(column, justify="right")
        for bias in args.biases:
            rows_here = [r for r in sweep if r["chord_bias"] == bias]
            table.add_row(f"{bias:g}", str(sum(r["notes"] for r in rows_here)),
                          f"{np.mean([r['chord_tones'] for r in rows_here]):.3f}",
                          f"{np.mean([r['in_key'] for r in rows_here]):.3f}",
                          f"{np.nanmean([r['repeats'] for r in rows_here]):.3f}")
        console.print(table)
    if probe:
        table = Table(title=f"Teacher-forced on {probe['songs']} POP909 test songs "
                            f"({probe['pitch_tokens']} pitch tokens): where the pitch "
                            "probability goes")
        for column in ("", "on the key's scale", "on the sounding chord"):
            table.add_column(column, justify="right")
        table.add_row("the model's probability", f"{probe['key_mass']:.3f}",
                      f"{probe['chord_mass']:.3f}")
        table.add_row("the songs' own notes", f"{probe['key_true']:.3f}",
                      f"{probe['chord_true']:.3f}")
        table.add_row("chance (uniform pitch class)", f"{probe['key_chance']:.3f}",
                      f"{probe['chord_chance']:.3f}")
        console.print(table)
    write_json(args.json, {"model": label, "decode": rows, "write": written,
                                     "sweep": sweep, "probe": probe})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
