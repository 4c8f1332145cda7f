"""Arranging real melodies: POP909 test songs' melody tracks (their first bars) handed to
``songform arrange``'s code path, the accompaniment measured against the chords it was
planned under and against the song's annotated chords.

    .venv/bin/python bench/arrange.py [--songs 5] [--bars 32] [--json FILE]

Per song: the melody kept (its notes equal to the one voice arrange takes of it: POP909's
melody tracks overlap a little, and a note is cut where the next begins), the key found
beside the labelled one, the phrases found and how alike the melody's restated phrases are
(the Jaccard overlap of their bars, ``symbolic.metrics.label_similarity``), the harmony
track's chord fit against the derived (harmonised) chords, and against POP909's annotated
chords at the same onsets (the song's plan as read, on the same ticks: how close a
harmonisation from the melody alone comes to the song's own), beside POP909's own
accompaniment's fit to its annotations.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import torch
from common import add_json_option, add_pop909_option, write_json


def _fit(notes, chord_at) -> float:
    """Share of ``(quarters, pitch)`` notes whose pitch class is in the chord there."""
    hits = [pitch % 12 in chord.pitch_classes for quarters, pitch in notes
            if (chord := chord_at(quarters)) is not None and not chord.is_none]
    return float(np.mean(hits)) if hits else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=5)
    parser.add_argument("--bars", type=int, default=32)
    add_pop909_option(parser)
    add_json_option(parser, "arrange.json")
    args = parser.parse_args()
    from analysis import pop909_test_songs
    from rich.console import Console
    from rich.table import Table
    from symusic import Score

    from songform.arrange import arrange_melody, melody_of
    from songform.data.pop909 import read_pop909_song
    from songform.hierarchy.key import Key
    from songform.symbolic.generate import GenerateConfig
    from songform.symbolic.metrics import label_similarity
    from songform.symbolic.writers import note_writer

    torch.set_num_threads(1)
    folders = [folder for folder, _ in pop909_test_songs(args.pop909, args.songs, beats=4)]
    writer = note_writer("model", config=GenerateConfig(chord_bias=1.0))  # arrange's default
    rows = []
    for folder in folders:
        song = read_pop909_song(folder, 4).song
        tpq = song.tpq
        end = args.bars * 4 * tpq
        melody_name = next(t.name for t in song.plan.tracks if t.role == "melody")
        score = Score(tpq)
        score.tempos, score.time_signatures = song.score.tempos, song.score.time_signatures
        for track in song.score.tracks:
            if track.name == melody_name:
                kept = track.copy()
                kept.notes = [n for n in track.notes if n.time < end]
                score.tracks.append(kept)
        arranged = arrange_melody(score, writer, seed=0, title=folder.name)
        lead = arranged.plan.tracks[0].name
        voice, _, _ = melody_of(score)  # POP909's melodies overlap a little: one voice of it
        same = sorted((n.time, n.duration, n.pitch) for t in arranged.score.tracks
                      if t.name == lead for n in t.notes) == sorted(
            (n.time, n.duration, n.pitch) for n in voice.notes)
        changed = sum(a != b for a, b in zip(
            sorted((n.time, n.duration, n.pitch) for n in voice.notes),
            sorted((n.time, n.duration, n.pitch) for n in score.tracks[0].notes),
            strict=False)) + abs(len(voice.notes) - len(score.tracks[0].notes))
        harmony = {t.name for t in arranged.plan.tracks if t.role == "harmony"}
        notes = [(n.time / tpq, n.pitch) for t in arranged.score.tracks if t.name in harmony
                 for n in t.notes]
        bars = list(arranged.plan.bars())

        def planned(quarters, bars=bars):
            bar = bars[min(int(quarters // 4), len(bars) - 1)]
            return bar.chord_at(quarters - bar.start)

        song_bars = list(song.plan.bars())  # POP909's annotated chords, on the same ticks

        def annotated(quarters, song_bars=song_bars):
            bar = song_bars[min(int(quarters // 4), len(song_bars) - 1)]
            return bar.chord_at(quarters - bar.start)

        piano = [(n.time / tpq, n.pitch) for t in song.score.tracks
                 if t.name not in (melody_name,) and not t.is_drum for n in t.notes
                 if n.time < end]
        labelled = Key.parse((folder / "analyzed_key.txt").read_text().split()[0])
        alike = [value for values in label_similarity(arranged, "melody").values()
                 for value in values]
        sections = "".join(f"{p.label}{p.bars}" for _, p in arranged.plan.phrases())
        rows.append({"song": folder.name, "bars": arranged.plan.num_bars, "melody_kept": same,
                     "key": str(arranged.plan.sections[0].key), "labelled_key": str(labelled),
                     "phrases": sections, "restated_alike": float(np.mean(alike)) if alike
                     else float("nan"),
                     "notes": len(score.tracks[0].notes), "cut_to_one_voice": changed,
                     "fit_planned": _fit(notes, planned), "fit_annotated": _fit(notes, annotated),
                     "pop909_fit_annotated": _fit(piano, annotated)})
        print(json.dumps(rows[-1]), flush=True)
    table_out = Table(title=f"Arranging POP909 test melodies (first {args.bars} bars, the "
                            "shipped model, seed 0): the harmony track's chord fit")
    for column in ("song", "melody kept", "notes cut to one voice", "key (labelled)",
                   "phrases found", "restated phrases alike", "vs. its planned chords",
                   "vs. POP909's chords", "POP909's own accompaniment vs. its chords"):
        table_out.add_column(column, justify="right")
    for row in rows:
        table_out.add_row(row["song"], "yes" if row["melody_kept"] else "NO",
                          f"{row['cut_to_one_voice']} of {row['notes']}",
                          f"{row['key']} ({row['labelled_key']})", row["phrases"],
                          f"{row['restated_alike']:.3f}",
                          f"{row['fit_planned']:.3f}", f"{row['fit_annotated']:.3f}",
                          f"{row['pop909_fit_annotated']:.3f}")
    table_out.add_row("mean", f"{sum(r['melody_kept'] for r in rows)}/{len(rows)}", "",
                      f"{sum(r['key'] == r['labelled_key'] for r in rows)}/{len(rows)}", "",
                      *(f"{np.nanmean([r[k] for r in rows]):.3f}" for k in (
                          "restated_alike", "fit_planned", "fit_annotated",
                          "pop909_fit_annotated")))
    Console(width=150).print(table_out)
    write_json(args.json, {"songs": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
