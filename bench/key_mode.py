"""Key and mode of a melody, measured on POP909's test melodies against their labelled keys
(``analyzed_key.txt``, and "either annotation": that or the key ``key_audio.txt`` holds
longest, POP909's other annotation, which agrees with the first on about nine songs in ten):
songform's key finder (data/melody_key.py) beside the method it
replaced (Krumhansl-Kessler correlation with a minor bias) and music21's key finders. Each
reads only the MELODY track of the song's MIDI file, as `songform arrange` does.

    .venv/bin/python bench/key_mode.py            # the table (about a minute)
    .venv/bin/python bench/key_mode.py --fit      # refit the weights on the training split
"""

from __future__ import annotations

import sys
import time
from collections import Counter

from common import POP909, bench_parser, write_json

MUSIC21_METHODS = {"music21 Krumhansl-Schmuckler": "key.krumhanslschmuckler",
                   "music21 Temperley-Kostka-Payne": "key.temperleykostkapayne",
                   "music21 Aarden-Essen": "key.aardenessen"}


def melodies(split: str):
    """``(song id, labelled key, melody notes)`` for every POP909 song of ``split``."""
    from symusic import Score

    from songform.hierarchy.key import Key
    from songform.hierarchy.splits import pop909_split

    for folder in sorted(p for p in POP909.iterdir() if p.is_dir() and p.name.isdigit()):
        if pop909_split(folder.name) != split:
            continue
        score = Score(str(folder / f"{folder.name}.mid"))
        quarter = score.ticks_per_quarter
        track = next(t for t in score.tracks if t.name.upper().startswith("MELODY"))
        notes = [(n.time / quarter, (n.time + n.duration) / quarter, n.pitch)
                 for n in track.notes]
        label = Key.parse((folder / "analyzed_key.txt").read_text().split()[0])
        yield folder.name, label, notes


def audio_key(song_id: str):
    """POP909's other key annotation of a song: the key ``key_audio.txt`` holds longest."""
    from songform.hierarchy.key import Key

    spans: dict[str, float] = {}
    for line in (POP909 / song_id / "key_audio.txt").read_text().splitlines():
        if line.strip():
            start, end, key = line.split()
            spans[key] = spans.get(key, 0.0) + float(end) - float(start)
    return Key.parse(max(spans, key=spans.get))


def music21_key(notes, method: str):
    """music21's key for ``notes`` by ``method`` (a name for ``Stream.analyze``)."""
    from music21 import note, stream

    from songform.hierarchy.key import Key

    part = stream.Stream()
    for start, end, pitch in notes:
        part.insert(start, note.Note(pitch, quarterLength=max(end - start, 0.125)))
    found = part.analyze(method)
    return Key(found.tonic.pitchClass, found.mode if found.mode == "minor" else "major")


def main() -> int:
    parser = bench_parser(__doc__, "key_mode.json")
    parser.add_argument("--fit", action="store_true", help="refit the weights on the "
                        "training split and print them")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    from songform.data.analysis import estimate_key
    from songform.data.melody_key import FEATURES, fit_weights, melody_key

    if not POP909.exists():
        print(f"no POP909 at {POP909}", file=sys.stderr)
        return 1
    if args.fit:
        train = list(melodies("train"))
        weights = fit_weights([n for _, _, n in train], [k for _, k, _ in train])
        for name, weight in zip(FEATURES, weights, strict=True):
            print(f"{name:28} {weight:8.3f}")
        print("WEIGHTS =", weights)
        return 0

    def old_method(notes):
        import numpy as np

        histogram = np.zeros(12)
        for start, end, pitch in notes:
            histogram[pitch % 12] += max(end - start, 0.0)
        return estimate_key(histogram)[0]

    test = list(melodies("test"))
    audio = {song_id: audio_key(song_id) for song_id, _, _ in test}
    methods = {"songform (data/melody_key.py)": melody_key,
               "before: Krumhansl-Kessler, minor bias": old_method,
               **{name: (lambda notes, m=method: music21_key(notes, m))
                  for name, method in MUSIC21_METHODS.items()},
               "POP909's other annotation (key_audio.txt, its longest key)": None}
    rows, started = {}, time.perf_counter()
    for name, method in methods.items():
        found = [method(notes) if method else audio[song_id] for song_id, _, notes in test]
        errors = Counter()
        for (_, label, _), key in zip(test, found, strict=True):
            if key == label:
                continue
            shift = (key.tonic - label.tonic) % 12
            kind = ("relative" if key.mode != label.mode and shift in (3, 9)
                    else "parallel" if key.mode != label.mode and shift == 0
                    else "dominant/subdominant" if shift in (5, 7) and key.mode == label.mode
                    else "other")
            errors[kind] += 1
        minor = [(label, key) for (_, label, _), key in zip(test, found, strict=True)
                 if label.mode == "minor"]
        rows[name] = {
            "key and mode": sum(k == lab for (_, lab, _), k in zip(test, found, strict=True))
            / len(test),
            "either annotation": sum(k in (lab, audio[song_id]) for (song_id, lab, _), k
                                     in zip(test, found, strict=True)) / len(test),
            "tonic": sum(k.tonic == lab.tonic for (_, lab, _), k in zip(test, found,
                                                                         strict=True))
            / len(test),
            "minor songs right": sum(k == lab for lab, k in minor) / max(len(minor), 1),
            **{f"{kind} errors": errors[kind] for kind in
               ("relative", "parallel", "dominant/subdominant", "other")}}
    table = Table(title=f"Key of {len(test)} POP909 test melodies "
                        f"({sum(1 for _, k, _ in test if k.mode == 'minor')} minor), "
                        f"{time.perf_counter() - started:.0f} s")
    columns = list(next(iter(rows.values())))
    table.add_column("method")
    for column in columns:
        table.add_column(column, justify="right")
    for name, row in rows.items():
        table.add_row(name, *(f"{row[c]:.1%}" if isinstance(row[c], float) else str(row[c])
                              for c in columns))
    Console(width=160).print(table)
    write_json(args.json, {"songs": len(test), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
