"""A checkpoint scored on a corpus (``songform eval --data``): the model's NLL, bits per note
and tonality probe over a split's songs, and the songs' own structure (chord tones, restated
bars, the melody's shape)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from songform.core.errors import InputError
from songform.data.corpus import CorpusReport, detect_layout, read_corpus
from songform.data.splits import LAYOUT_CORPORA, split_at
from songform.symbolic.melody_shape import melody_shape, pooled
from songform.symbolic.metrics import plan_adherence
from songform.symbolic.scoring import SongScore, score_song
from songform.symbolic.shipped import checkpoint_folder
from songform.symbolic.writers import SongModel

SPLITS = ("train", "valid", "test", "all")


def evaluate_corpus(folder: Path, checkpoint: Path | None = None, split: str = "test",
                    limit: int | None = None, plain: bool = False,
                    progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """The summary of ``checkpoint`` (default the shipped model) on ``folder``'s ``split`` (a
    POP909 folder, the JSB chorales file, a folder of ABC tunes or of MIDI files)
    (at most ``limit`` songs): the measures over all songs, ``per_song``, the files
    ``skipped``; ``progress(song, done)`` after each song.

    Raises:
        InputError: an unknown split, a missing folder or model, no readable song.
    """
    if split not in SPLITS:
        raise InputError(f'--split: expected one of {", ".join(SPLITS)}, got "{split}"')
    if not folder.exists():
        raise InputError(f"--data: no such folder or file {folder}")
    checkpoint = checkpoint_folder(checkpoint)
    if checkpoint is None:
        raise InputError("--checkpoint: this install ships no model; give a checkpoint folder")
    writer = SongModel.load(checkpoint)
    model, tokenizer = writer.model.eval(), writer.tokenizer
    layout = detect_layout(folder, plain)
    report = CorpusReport(layout)
    total, per_song, shapes, chord_tones, repeats = SongScore(), [], [], [], []
    corpus = LAYOUT_CORPORA[layout]
    for index, (name, song) in enumerate(read_corpus(folder, plain, report)):
        part = split_at(name, index, corpus)
        if split != "all" and part != split:
            continue
        if limit is not None and len(per_song) >= limit:
            break
        score = score_song(model, tokenizer, song)
        total += score
        adherence = plan_adherence(song)
        shape = melody_shape(song)
        if shape is not None:
            shapes.append(shape)
        chord_tones.append(adherence.chord_tones)
        repeats.append(adherence.repeats)
        per_song.append({"song": name, **score.summary(),
                         "chord_tones": adherence.chord_tones})
        if progress:
            progress(name, len(per_song))
    if not per_song:
        reasons = "; ".join(f"{n}: {r}" for n, r in report.skipped[:2])
        raise InputError(f"--data: no readable song in {folder} (split {split}"
                         + (f"; skipped {len(report.skipped)}: {reasons}" if reasons else "")
                         + ")")
    return {"data": str(folder), "layout": layout, "split": split,
            "checkpoint": str(checkpoint), "songs": len(per_song),
            "skipped": [{"file": n, "reason": r} for n, r in report.skipped],
            **total.summary(), "chord_tones": float(np.nanmean(chord_tones)),
            "repeats": float(np.nanmean(repeats)) if not np.all(np.isnan(repeats))
            else float("nan"),
            "melody": pooled(shapes) if shapes else None, "per_song": per_song}
