"""Does a checkpoint know the key and the chord? The teacher-forced probe of bench/generate.py
run on several checkpoints side by side (e.g. the attention variants trained on one budget).

    .venv/bin/python bench/tonality.py CKPT [CKPT ...] [--songs 5] [--json FILE]

For each checkpoint, at every Pitch token of the first
``--songs`` POP909 test songs, the share of its pitch probability on the key's scale and on
the sounding chord, beside the songs' own shares and chance.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from common import ROOT, add_json_option, add_pop909_option, write_json


@torch.no_grad()
def octave_to_semitone(model, tokenizer) -> dict[str, float]:
    """How far a pitch lies from the pitch an octave up, over the distance to the pitch a
    semitone up (mean over pitches 48-71; below 1: octaves closer than semitones), for the
    whole input embedding (token row plus FMEs), its pitch FME part as trained, and that FME's
    fixed features before the projection."""
    from songform.symbolic.attributes import TokenAttributes
    from songform.symbolic.embedding import PITCH_FREQUENCIES, FundamentalMusicEmbedding

    def ratio(vectors) -> float:
        values = [float((vectors[i + 12] - vectors[i]).norm()
                        / (vectors[i + 1] - vectors[i]).norm()) for i in range(24)]
        return sum(values) / len(values)

    pitches = torch.arange(48, 85)
    ids = torch.tensor([[tokenizer.vocab[f"Pitch_{int(p)}"] for p in pitches]])
    attributes = TokenAttributes(pitches[None], torch.zeros(1, len(pitches)),
                                 torch.full((1, len(pitches)), float("nan")))
    out = {"embedding": ratio(model.embed(ids, attributes)[0]), "fme": float("nan"),
           "fme_features": ratio(FundamentalMusicEmbedding(2, PITCH_FREQUENCIES).raw(
               pitches.float()))}
    if model.embed.pitch is not None:
        out["fme"] = ratio(model.embed.pitch(pitches[None].float(),
                                             torch.ones(1, len(pitches), dtype=torch.bool))[0])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", type=Path, nargs="+")
    parser.add_argument("--songs", type=int, default=5)
    add_pop909_option(parser)
    add_json_option(parser, "tonality.json")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import tonality_probe
    from rich.console import Console
    from rich.table import Table

    from songform.symbolic.writers import SongModel

    rows = []
    for folder in args.checkpoints:
        writer = SongModel.load(folder)
        model = writer.model.eval()
        probe = tonality_probe(model, writer.tokenizer, args.pop909, args.songs,
                               model.config.max_relative)
        if probe is None:
            print(f"POP909 not found at {args.pop909}")
            return 1
        rows.append({"checkpoint": str(folder), "position": model.config.position,
                     "parameters": model.num_parameters(), **probe,
                     "octave_to_semitone": octave_to_semitone(model, writer.tokenizer)})
        print(rows[-1], flush=True)
    table = Table(title=f"Where the pitch probability goes ({rows[0]['songs']} POP909 test "
                        f"songs, {rows[0]['pitch_tokens']} pitch tokens; FME's fixed features: "
                        f"octave / semitone {rows[0]['octave_to_semitone']['fme_features']:.2f}"
                        f"; the songs: key "
                        f"{rows[0]['key_true']:.3f}, chord {rows[0]['chord_true']:.3f}; "
                        f"chance: {rows[0]['key_chance']:.3f}, {rows[0]['chord_chance']:.3f})")
    for column in ("checkpoint", "attention", "parameters", "test NLL", "on the key",
                   "on the chord", "octave / semitone: embedding, FME"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(Path(row["checkpoint"]).name, row["position"], f"{row['parameters']:,}",
                      f"{row['nll_per_token']:.3f}", f"{row['key_mass']:.3f}",
                      f"{row['chord_mass']:.3f}",
                      f"{row['octave_to_semitone']['embedding']:.2f}, "
                      f"{row['octave_to_semitone']['fme']:.2f}")
    Console().print(table)
    write_json(args.json, {"rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
