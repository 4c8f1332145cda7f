"""A part added to a finished song (``songform edit --add-track``): written by the model
around the song's notes, against the part the model wrote with the song and against the
arranger's part.

    .venv/bin/python bench/added_track.py [--seeds 4] [--json FILE]

For each pop seed the model writes a song (Lead, Strings, Piano, Bass, Drums). Its
counter-melody (Strings) is taken out and a new one added ("Violin:counter-melody"), once
by the model (every other token forced, the new role sampled) and once by the arranger; the
same for the melody (Lead out, "Flute:melody" in: a new tune over the song's
accompaniment). Measured per part over the sections where the song's own part plays (the
added part plays in every section; where the model leaves it silent in most of a section's
bars the arranger fills that section, as in any song the model writes): the share of notes
on a tone of the planned chord, in the key, the share of bars it sounds in, and semitone
clashes (the share of its notes that start a minor second or major seventh against a note
of the other pitched tracks sounding there). Every other note of the song is checked to be
kept.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from common import add_json_option, write_json

FORM = "intro:4 verse:8 chorus:8 verse:8 chorus:8 bridge:8 chorus:8 outro:4"
CASES = (("counter-melody", "Violin:counter-melody:40"), ("melody", "Flute:melody:73"))


def _clashes(song, name: str, spans: list[tuple[int, int]]) -> float:
    """Share of ``name``'s notes in ``spans`` that start a semitone (or major seventh)
    against a note of another pitched track sounding at that onset."""
    part = [n for t in song.score.tracks if t.name == name for n in t.notes
            if any(low <= n.time < high for low, high in spans)]
    others = [(n.time, n.time + n.duration, n.pitch) for t in song.score.tracks
              if t.name != name and not t.is_drum for n in t.notes]
    starts = np.array([start for start, _, _ in others])
    ends = np.array([end for _, end, _ in others])
    pitches = np.array([pitch for _, _, pitch in others])
    hits = []
    for note in part:
        sounding = pitches[(starts <= note.time) & (ends > note.time)]
        hits.append(bool(np.isin((sounding - note.pitch) % 12, (1, 11)).any()))
    return float(np.mean(hits)) if hits else float("nan")


def _measure(song, name: str, sections: set[int]) -> dict:
    """The part's measures over ``sections`` (those where the song's own part plays)."""
    from songform.symbolic.metrics import section_fit

    fits = [fit for index, section in enumerate(section_fit(song)) if index in sections
            for fit in section.tracks if fit.track == name and fit.notes]
    notes = sum(fit.notes for fit in fits)
    bars = sum(song.plan.sections[index].bars for index in sections)
    return {"notes": notes,
            "chord_tones": sum(f.chord_tones * f.notes for f in fits) / max(1, notes),
            "in_key": sum(f.in_key * f.notes for f in fits) / max(1, notes),
            "bars_sounding": sum(f.bars_sounding for f in fits) / bars,
            "clashes": _clashes(song, name, _span(song, sections))}


def _span(song, sections: set[int]) -> list[tuple[int, int]]:
    """The tick spans of ``sections``."""
    from songform.symbolic.song import bar_lines

    lines, spans, first = bar_lines(song.plan, song.tpq), [], 0
    for index, section in enumerate(song.plan.sections):
        if index in sections:
            spans.append((lines[first], lines[first + section.bars]))
        first += section.bars
    return spans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    add_json_option(parser, "added_track.json")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    import songform
    from songform.plan_edits import drop_program, with_track
    from songform.symbolic.tokenizer import ROLE_PROGRAMS
    from songform.symbolic.writers import ArrangerWriter, note_writer

    torch.set_num_threads(1)
    writer = note_writer("model")
    rows: list[dict] = []
    for seed in range(args.seeds):
        song = songform.compose(FORM, seed=seed)
        for role, spec in CASES:
            old = next(t for t in song.plan.tracks if t.role == role)
            playing = {i for i, section in enumerate(song.plan.sections)
                       if old.name in section.tracks}
            without = song.without_track(old.name)
            name = spec.split(":")[0]
            started = time.perf_counter()
            by_model = with_track(without, spec, seed, writer)
            seconds = time.perf_counter() - started
            by_arranger = with_track(without, spec, seed, ArrangerWriter())
            program = f"Program_{ROLE_PROGRAMS[role]}"
            kept = all(list(drop_program(new, program)) == list(was) for new, was in
                       zip(by_model.written, without.written, strict=True)) and all(
                list(a.notes) == list(b.notes) for a, b in
                zip(without.score.tracks, by_model.score.tracks, strict=False))
            for who, edited, part in (("with the song", song, old.name),
                                      ("added by the model", by_model, name),
                                      ("added by the arranger", by_arranger, name)):
                rows.append({"seed": seed, "role": role, "part": who,
                             **_measure(edited, part, playing),
                             **({"seconds": seconds, "rest_kept": kept,
                                 "model_notes": sum(bar.count(program)
                                                    for bar in by_model.written)}
                                if who == "added by the model" else {})})
    table = Table(title=f"Added parts, {args.seeds} pop songs of 56 bars (means over the "
                        "sections where the song's own part plays)")
    for column in ("role", "part", "notes", "chord tones", "in key", "bars sounding",
                   "semitone clashes", "model's notes (song)", "seconds", "rest kept"):
        table.add_column(column)
    summary = []
    for role, _ in CASES:
        for who in ("with the song", "added by the model", "added by the arranger"):
            group = [r for r in rows if r["role"] == role and r["part"] == who]
            mean = {key: float(np.mean([r[key] for r in group])) for key in
                    ("notes", "chord_tones", "in_key", "bars_sounding", "clashes")}
            extra = ({"seconds": float(np.mean([r["seconds"] for r in group])),
                      "rest_kept": all(r["rest_kept"] for r in group),
                      "model_notes": float(np.mean([r["model_notes"] for r in group]))}
                     if who == "added by the model" else {})
            summary.append({"role": role, "part": who, **mean, **extra})
            table.add_row(role, who, f"{mean['notes']:.0f}", f"{mean['chord_tones']:.3f}",
                          f"{mean['in_key']:.3f}", f"{mean['bars_sounding']:.2f}",
                          f"{mean['clashes']:.3f}",
                          f"{extra['model_notes']:.0f}" if extra else "",
                          f"{extra['seconds']:.1f}" if extra else "",
                          str(extra["rest_kept"]) if extra else "")
    Console(width=150).print(table)
    write_json(args.json, {"seeds": args.seeds, "form": FORM, "summary": summary,
                                     "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
