"""Per-section loudness of the FluidSynth mix against the plan's energy, for every style and a
few seeds: Spearman rho between energy and RMS, and the dB between the loudest-planned and the
quietest-planned sections (the rules: rho >= 0.5; >= 2 dB when energies differ by
two levels or more).

    .venv/bin/python bench/energy_loudness.py --seeds 5 [--notes arranger|model]
    .venv/bin/python bench/energy_loudness.py --notes model --cases pop:7,rock:0,waltz:1
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

import songform
from songform.render.loudness import loudness_rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--notes", default="arranger")
    parser.add_argument("--cases", default="", help="style:seed,... instead of every style "
                        "with seeds 0..--seeds-1")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cases = ([(c.split(":")[0], int(c.split(":")[1])) for c in args.cases.split(",")]
             if args.cases else [(style, seed) for style in sorted(songform.STYLES)
                                 for seed in range(args.seeds)])
    rows = []
    for style, seed in cases:
        song = songform.compose(songform.load_template(None, style=style), seed=seed,
                                notes=args.notes)
        rule = loudness_rules(song)
        ok = (rule["rho"] >= 0.5 or np.isnan(rule["rho"])) and (
            rule["energy_span"] < 2 or rule["loudest_minus_quietest_db"] >= 2)
        rows.append({"style": style, "seed": seed, **rule, "ok": bool(ok)})
        print(json.dumps(rows[-1]))
    print(f"{sum(r['ok'] for r in rows)}/{len(rows)} songs keep both rules")


if __name__ == "__main__":
    main()
