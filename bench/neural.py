"""Neural rendering cost: real-time factor and peak memory per engine, and how whole-song
rendering grows with the song (it should be linear: windows of fixed length).

    .venv/bin/python bench/neural.py [--lengths 8 16 32] [--json bench/results/neural.json]
    .venv/bin/python bench/neural.py --full-size --device cuda --lengths 24 48

Default: on the CPU with the tiny random test models (what songform's windowing, chroma,
encoding and joining cost around a model, not what the real models cost). ``--full-size``
builds the real models' configurations (MusicGen-melody 1.5B, Stable Audio Open 1.0) with
random weights, which is what speed and memory depend on; meant for a GPU (``--layers N``
shrinks the depth to check the code path on a CPU). Each configuration runs in its own
subprocess for its own peak memory, after an untimed warm-up render: of the same song with
tiny models (on the CPU, convolutions pay a one-time setup per new input length, seconds with
the tiny EnCodec, that would swamp the models' own cost), of a one-bar song at full size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, columns_table, write_json

ENGINES = ("fluidsynth", "musicgen", "stable-audio")
SA_STEPS, SA_STRENGTH = 100, 0.5  # Stable Audio: 50 denoising steps a window


def full_size_musicgen(layers: int | None, device: str):
    """MusicGen-melody 1.5B (T5-base text encoder, EnCodec 32 kHz) with random weights."""
    from songform.render.neural.musicgen import MusicGenMelodyRenderer
    from songform.render.neural.random_models import random_musicgen_melody

    model, processor = random_musicgen_melody(
        text={"vocab_size": 32128, "d_model": 768, "d_kv": 64, "d_ff": 3072, "num_layers": 12,
              "num_heads": 12},
        codec={"target_bandwidths": [2.2], "sampling_rate": 32000, "audio_channels": 1,
               "num_filters": 64, "hidden_size": 128, "upsampling_ratios": [8, 5, 4, 4],
               "codebook_size": 2048, "num_lstm_layers": 2, "codebook_dim": 128,
               "normalize": False, "use_causal_conv": False, "compress": 2},
        decoder={"max_position_embeddings": 2048, "num_hidden_layers": layers or 48,
                 "ffn_dim": 6144, "num_attention_heads": 24, "hidden_size": 1536},
        codebook_size=2048, device=device)
    model.generation_config.guidance_scale = 3.0
    if device.startswith("cuda"):
        model = model.half()
    return MusicGenMelodyRenderer(model, processor)


def full_size_stable_audio(layers: int | None, device: str):
    """Stable Audio Open 1.0 (DiT 24 x 1536, Oobleck VAE, T5-base) with random weights."""
    import torch
    from diffusers import (
        AutoencoderOobleck,
        CosineDPMSolverMultistepScheduler,
        StableAudioDiTModel,
        StableAudioPipeline,
    )
    from diffusers.pipelines.stable_audio.modeling_stable_audio import (
        StableAudioProjectionModel,
    )
    from transformers import T5Config, T5EncoderModel

    from songform.render.neural.random_models import tiny_t5_tokenizer
    from songform.render.neural.stable_audio import StableAudioConfig, StableAudioRenderer

    with torch.device(device):
        pipeline = StableAudioPipeline(
            vae=AutoencoderOobleck(),
            text_encoder=T5EncoderModel(T5Config(vocab_size=32128, d_model=768, d_kv=64,
                                                 d_ff=3072, num_layers=12, num_heads=12)),
            projection_model=StableAudioProjectionModel(768, 768, 0, 512),
            tokenizer=tiny_t5_tokenizer(model_max_length=128),
            transformer=StableAudioDiTModel(num_layers=layers or 24),
            scheduler=CosineDPMSolverMultistepScheduler())
    if device.startswith("cuda"):
        pipeline = pipeline.to(device, torch.float16)
    pipeline.set_progress_bar_config(disable=True)
    batch = 4 if device.startswith("cuda") else 1
    config = StableAudioConfig(strength=SA_STRENGTH, steps=SA_STEPS, batch_size=batch)
    return StableAudioRenderer(pipeline, config)


def run_one(engine: str, bars: int, model: str, full_size: bool, layers: int | None,
            device: str) -> dict:
    import torch

    import songform
    from songform.render.engines import get_renderer

    song = songform.compose(songform.Template(form=f"verse:{bars // 2} chorus:{bars - bars // 2}",
                                              style="pop", tempo=120, key="C"), seed=1,
                            notes="arranger")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if full_size and engine == "musicgen":
        renderer = full_size_musicgen(layers, device)
    elif full_size and engine == "stable-audio":
        renderer = full_size_stable_audio(layers, device)
    elif engine == "stable-audio":
        renderer = get_renderer(engine, model=model, device=device, steps=SA_STEPS,
                                strength=SA_STRENGTH)
    else:
        renderer = get_renderer(engine, model=model or None, device=device)
    cuda = device.startswith("cuda")
    warm_up = song if not full_size else songform.compose(
        songform.Template(form="verse:1", style="pop", tempo=120, key="C"), seed=1,
        notes="arranger")
    windows: list[int] = []
    with tempfile.TemporaryDirectory() as folder:
        renderer.render(warm_up, Path(folder) / "warm.wav", seed=0, device=device)  # untimed
        if cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        started = time.perf_counter()
        renderer.render(song, Path(folder) / "out.wav", seed=0, device=device,
                        progress=lambda done, total: windows.append(total))
        if cuda:
            torch.cuda.synchronize()
        seconds = time.perf_counter() - started
    peak = (torch.cuda.max_memory_allocated() / 2 ** 20 if cuda
            else (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
    audio = song.plan.duration_seconds
    return {"engine": engine, "bars": bars, "audio_seconds": audio, "wall_seconds": seconds,
            "real_time_factor": audio / seconds, "peak_mb": peak, "device": device,
            "windows": windows[-1] if windows else 0, "full_size": full_size,
            "layers": layers}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[8, 16, 32],
                        help="song lengths in bars of 4/4 at 120 BPM (2 s a bar)")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--full-size", action="store_true",
                        help="the real models' configurations with random weights")
    parser.add_argument("--layers", type=int, default=None,
                        help="with --full-size: this many transformer layers (a smoke run)")
    parser.add_argument("--json", type=Path, default=None,
                        help="default bench/results/neural.json (neural_full.json with "
                             "--full-size)")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, bars, model = args.one
        print(json.dumps(run_one(engine, int(bars), model, args.full_size, args.layers,
                                 args.device)))
        return 0
    from rich.console import Console

    from songform.render.neural.random_models import build_tiny_musicgen, build_tiny_stable_audio

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        models = {"fluidsynth": ""}
        if not args.full_size:
            models["musicgen"] = str(build_tiny_musicgen(Path(folder) / "musicgen"))
            models["stable-audio"] = str(build_tiny_stable_audio(Path(folder) / "stable"))
        for engine in args.engines:
            for bars in args.lengths:
                command = [sys.executable, __file__, "--one", engine, str(bars),
                           models.get(engine, ""), "--device", args.device]
                if args.full_size:
                    command.append("--full-size")
                if args.layers:
                    command += ["--layers", str(args.layers)]
                result = subprocess.run(command, capture_output=True, text=True)
                if result.returncode:
                    rows.append({"engine": engine, "bars": bars,
                                 "error": result.stderr.strip().splitlines()[-1]})
                    print(rows[-1], flush=True)
                    continue
                rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
                print(rows[-1], flush=True)
    size = "full-size random weights" if args.full_size else "tiny random models"
    table = columns_table(f"Whole-song rendering on {args.device} ({size}; Stable Audio: "
                          f"strength {SA_STRENGTH}, {round(SA_STEPS * SA_STRENGTH)} steps)",
                          ("engine", "song seconds", "windows", "wall seconds", "x real time",
                           "wall s per song s", "peak MB"))
    for row in rows:
        if "error" in row:
            table.add_row(row["engine"], str(row["bars"] * 2), "", "failed",
                          row["error"][:40], "", "")
            continue
        table.add_row(row["engine"], f"{row['audio_seconds']:.0f}", str(row["windows"]),
                      f"{row['wall_seconds']:.2f}", f"{row['real_time_factor']:.2f}",
                      f"{row['wall_seconds'] / row['audio_seconds']:.3f}",
                      f"{row['peak_mb']:.0f}")
    Console().print(table)
    default = "neural_full.json" if args.full_size else "neural.json"
    path = args.json or ROOT / "bench" / "results" / default
    write_json(path, {"device": args.device, "full_size": args.full_size,
                                "layers": args.layers, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
