"""Long-form writing at scale, side by side in one run:

1. cached decoding, tokens per second: songform's decoder (what generation runs: ring cache,
   explicit positions, relative attention) against x-transformers' cached decoding at the same
   size (dim, depth, heads, vocabulary) and context, batch 1 and 8;
2. whole songs end to end (plan -> notes -> MIDI file), songs per second at batch 1, 4, 8 (a
   finished song's rows go to the next plan at once, as ``generate --count`` does), one
   thread, and batch 1 and 8 with two;
3. seconds per bar as the song grows (32, 128, 256 bars, every bar sampled: no restated
   bar is copied, so every bar costs the model alike; flat means linear cost);
4. a 3-minute song's real-time factor (seconds of compute per second of music, plan to MIDI),
   with and without ``takes=4``.

    .venv/bin/python bench/decoding.py [--json bench/results/decoding.json] [--quick]

The model is the shipped checkpoint (a random model of its size when none is shipped). Torch
runs one thread (what the CLI uses) except in the two-thread rows; the machine and its load
go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import torch
from common import ROOT, add_json_option, write_json

sys.path.insert(0, str(ROOT))  # bench.generate, run as a script too


def load_model():
    from songform.symbolic.model import ModelConfig, MusicTransformer
    from songform.symbolic.shipped import shipped_checkpoint
    from songform.symbolic.tokenizer import SongTokenizer
    from songform.symbolic.writers import SongModel

    folder = shipped_checkpoint()
    if folder is not None:
        return SongModel.load(folder), f"checkpoint {folder.name}"
    tokenizer = SongTokenizer()
    torch.manual_seed(0)
    model = MusicTransformer(ModelConfig(vocab_size=len(tokenizer), dim=192, depth=4, heads=6,
                                         max_relative=384, dropout=0.0))
    return SongModel(model.eval(), tokenizer, ("counter-melody", "harmony", "melody")), \
        "random model of the shipped size"


def stream(tokenizer, length: int) -> list[str]:
    """A real token stream (the arranger's song) of at least ``length`` tokens."""
    import songform
    from songform.hierarchy.planner import plan_song
    from songform.symbolic.arranger import arrange

    bars = 16
    while True:
        template = songform.Template(form=f"verse:{bars // 2} chorus:{bars - bars // 2}",
                                     style="pop", tempo=100, key="C")
        plan = plan_song(template, 1)
        tokens = tokenizer.encode(arrange(plan, 1)).tokens
        if len(tokens) >= length:
            return plan, tokens
        bars *= 2


@torch.no_grad()
def songform_tokens_per_second(song_model, plan, tokens, context: int, batch: int,
                               steps: int) -> float:
    """Prefill ``context`` tokens, then time ``steps`` one-token steps for every row."""
    from bench.generate import single_row_decoder

    decoder = single_row_decoder(song_model.model, song_model.tokenizer, plan, context, batch)
    decoder.feed({row: tokens[:context] for row in range(batch)})
    started = time.perf_counter()
    for token in tokens[context:context + steps]:
        decoder.feed({row: [token] for row in range(batch)})
    return batch * steps / (time.perf_counter() - started)


@torch.no_grad()
def xtransformers_tokens_per_second(config, ids: torch.Tensor, context: int, batch: int,
                                    steps: int) -> float:
    from x_transformers import Decoder, TransformerWrapper

    torch.manual_seed(0)
    model = TransformerWrapper(num_tokens=config.vocab_size, max_seq_len=context + steps + 1,
                               attn_layers=Decoder(dim=config.dim, depth=config.depth,
                                                   heads=config.heads, rel_pos_bias=True)).eval()
    sequence = ids[None, :context].expand(batch, -1)
    _, cache = model(sequence, return_intermediates=True)
    started = time.perf_counter()
    for step in range(steps):
        sequence = torch.cat([sequence, ids[None, context + step:context + step + 1]
                              .expand(batch, -1)], 1)
        _, cache = model(sequence, cache=cache, return_intermediates=True)
    return batch * steps / (time.perf_counter() - started)


class TimeSplit:
    """Where :func:`write_songs`' seconds go: one-token decoding steps (all rows that have a
    token, as one batch), chunks run alone on their row (a bar's plan tokens, a copied bar),
    source phrases placed in context; the rest is Python around them (the bar sampler and
    grammar, the mixdown, the MIDI file)."""

    def __init__(self) -> None:
        self.seconds = {"steps": 0.0, "chunks": 0.0, "placed": 0.0}
        self.steps = self.rows = self.chunks = 0

    @contextmanager
    def watching(self):
        """Time the decoder's forwards while the block runs."""
        from songform.symbolic.decoding import Decoder

        run, place = Decoder._run, Decoder.place

        def timed_run(decoder, chunks, rows, caches):
            started = time.perf_counter()
            out = run(decoder, chunks, rows, caches)
            single = all(len(tokens) == 1 for tokens in chunks.values())
            self.seconds["steps" if single else "chunks"] += time.perf_counter() - started
            if single:
                self.steps += 1
                self.rows += len(chunks)
            else:
                self.chunks += 1
            return out

        def timed_place(decoder, *args):
            started = time.perf_counter()
            out = place(decoder, *args)
            self.seconds["placed"] += time.perf_counter() - started
            return out

        Decoder._run, Decoder.place = timed_run, timed_place
        try:
            yield self
        finally:
            Decoder._run, Decoder.place = run, place


def write_songs(song_model, plans, seeds, batch: int, config=None,
                split: TimeSplit | None = None) -> float:
    """Seconds to write every plan's notes and MIDI file, ``batch`` songs side by side (as
    ``songform generate --count N --songs-per-batch B`` does: a song's rows go to the next
    plan as soon as it ends); ``split`` records where they went."""
    from songform.render.midi import write_midi
    from songform.symbolic.generate import SongJob
    from songform.symbolic.generate import write_songs as write

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, \
            (split.watching() if split else nullcontext()):
        jobs = [SongJob(plan, seed) for plan, seed in zip(plans, seeds, strict=True)]
        for index, song in write(song_model.model, song_model.tokenizer, jobs, config,
                                 song_model.roles, batch=batch):
            write_midi(song, Path(folder) / f"{index}.mid")
    return time.perf_counter() - started


def print_table(console, title: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """One right-aligned table of already formatted cells."""
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    console.print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_json_option(parser, "decoding.json")
    parser.add_argument("--quick", action="store_true", help="fewer steps and songs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    from rich.console import Console

    import songform
    from songform.hierarchy.planner import plan_song
    from songform.symbolic.generate import GenerateConfig

    song_model, label = load_model()
    config = song_model.model.config
    steps = 32 if args.quick else 128
    results: dict = {"model": label, "machine": platform.processor() or platform.machine(),
                     "cpus": os.cpu_count(), "threads": torch.get_num_threads()}
    console = Console()

    plan, tokens = stream(song_model.tokenizer, 1024 + steps)
    ids = torch.tensor([song_model.tokenizer.vocab[t] for t in tokens])
    decoding = []
    for context in (384, 1024):
        for batch in (1, 8):
            ours = songform_tokens_per_second(song_model, plan, tokens, context, batch, steps)
            theirs = xtransformers_tokens_per_second(config, ids, context, batch, steps)
            decoding.append({"context": context, "batch": batch, "songform": ours,
                             "x_transformers": theirs, "ratio": ours / theirs})
            print(decoding[-1], flush=True)
    results["decoding"] = decoding

    count = 4 if args.quick else 16
    plans = [plan_song(songform.Template(form="verse:8 chorus:8", style="pop"), seed)
             for seed in range(count)]
    seeds = list(range(count))
    throughput = []
    for batch, threads in ((1, 1), (4, 1), (8, 1), (1, 2), (8, 2)):
        torch.set_num_threads(threads)
        split = TimeSplit()
        seconds = write_songs(song_model, plans, seeds, batch, split=split)
        throughput.append({"batch": batch, "threads": threads, "songs": count,
                           "seconds": seconds, "songs_per_second": count / seconds,
                           "split": {**split.seconds,
                                     "rest": seconds - sum(split.seconds.values()),
                                     "steps_run": split.steps, "chunks_run": split.chunks,
                                     "rows_per_step": split.rows / max(1, split.steps)}})
        print(throughput[-1], flush=True)
    torch.set_num_threads(1)
    for row in throughput:
        row["speedup"] = row["songs_per_second"] / throughput[0]["songs_per_second"]
    results["throughput"] = throughput

    growth = []
    for bars in ((16, 32) if args.quick else (32, 128, 256)):
        form = " ".join("verse:8 chorus:8" for _ in range(bars // 16))
        long_plan = plan_song(songform.Template(form=form, style="pop"), 1)
        seconds = write_songs(song_model, [long_plan], [1], 1,  # every bar sampled
                              GenerateConfig(copy_repeats=False))
        growth.append({"bars": bars, "seconds": seconds, "seconds_per_bar": seconds / bars})
        print(growth[-1], flush=True)
    results["growth"] = growth

    three_minutes = plan_song(songform.Template(style="pop", bars=80), 7)
    realtime = []
    for takes in (1, 4):
        seconds = write_songs(song_model, [three_minutes], [7], 1, GenerateConfig(takes=takes))
        realtime.append({"takes": takes, "bars": three_minutes.num_bars,
                         "song_seconds": three_minutes.duration_seconds, "seconds": seconds,
                         "real_time_factor": seconds / three_minutes.duration_seconds})
        print(realtime[-1], flush=True)
    results["realtime"] = realtime

    print_table(console, f"Cached decoding, tokens per second ({label}, dim {config.dim}, "
                f"depth {config.depth}, heads {config.heads}, vocab {config.vocab_size}, "
                "1 thread)", ("context", "batch", "songform", "x-transformers", "ratio"),
                [(row["context"], row["batch"], f"{row['songform']:.0f}",
                  f"{row['x_transformers']:.0f}", f"{row['ratio']:.2f}x") for row in decoding])
    print_table(console, f"Whole songs end to end ({count} songs of 16 bars, plan -> MIDI "
                "file, `generate --count` with --songs-per-batch B)",
                ("batch", "threads", "seconds", "songs/s", "vs batch 1, 1 thread"),
                [(row["batch"], row["threads"], f"{row['seconds']:.1f}",
                  f"{row['songs_per_second']:.3f}", f"{row['speedup']:.2f}x")
                 for row in throughput])
    print_table(console, "Where the seconds of the whole songs went",
                ("batch", "threads", "steps s", "steps", "rows/step", "chunks s", "chunks",
                 "placed s", "rest s"),
                [(row["batch"], row["threads"], f"{row['split']['steps']:.1f}",
                  row["split"]["steps_run"], f"{row['split']['rows_per_step']:.2f}",
                  f"{row['split']['chunks']:.1f}", row["split"]["chunks_run"],
                  f"{row['split']['placed']:.1f}", f"{row['split']['rest']:.1f}")
                 for row in throughput])
    console.print("steps: one-token decoding steps (every row with a token, one batch); "
                  "chunks: a bar's plan tokens or a copied bar, run alone on its row; placed: "
                  "source phrases put in context; rest: the sampler, grammar, mixdown and "
                  "MIDI file")
    print_table(console, "Seconds per bar as the song grows (batch 1, every bar sampled)",
                ("bars", "seconds", "s/bar"),
                [(row["bars"], f"{row['seconds']:.1f}", f"{row['seconds_per_bar']:.3f}")
                 for row in growth])
    print_table(console, "A 3-minute song (pop seed 7), plan -> MIDI",
                ("takes", "bars", "song s", "compute s", "real-time factor"),
                [(row["takes"], row["bars"], f"{row['song_seconds']:.0f}",
                  f"{row['seconds']:.1f}", f"{row['real_time_factor']:.3f}")
                 for row in realtime])
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
