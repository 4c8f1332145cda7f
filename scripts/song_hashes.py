"""Hashes of the songs every verb writes with the shipped model: run before and after a
refactor that must not change behaviour, and compare the lines.

    python scripts/song_hashes.py > before.txt   # ... change ...
    python scripts/song_hashes.py | diff before.txt -

Covers ``compose`` for the README's templates and seeds, then through the CLI: generate,
``--count``, edit (a section again; fields, key, extension and an added track; takes),
continue and arrange (of POP909 song 001's opening, when ``../shared/data`` is there), and the
Python edit verbs. Each line names the case and the SHA-256 (16 hex digits) of each file.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

import torch
from symusic import Score
from typer.testing import CliRunner

import songform
from songform.cli.app import app

CASES = [  # (template, seed, notes): the README's examples
    ("pop", 7, "model"),
    ("ballad", 3, "model"),
    ("rock", 0, "model"),
    ("intro:4 verse:8 chorus:8 verse:8 chorus:8 bridge:8 chorus:8 outro:4", 7, "model"),
    ("pop", 7, "arranger"),
]
HASHED = ("plan.json", "song.json", "song.mid", "song.musicxml")
SHORT_FORM = "intro:2 verse:4 chorus:4 verse:4 chorus:4 bridge:4 chorus:4"
POP909_SONG = Path(__file__).resolve().parents[2] / "shared" / "data" / "pop909" / "001"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def show(name: str, folder: Path) -> None:
    files = sorted(p for p in folder.rglob("*") if p.name in HASHED)
    hashes = " ".join(f"{p.relative_to(folder)}={digest(p)}" for p in files)
    print(f"{name:28s} {hashes or 'no files'}")
    sys.stdout.flush()


def cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    if result.exit_code != 0:
        raise SystemExit(f"songform {' '.join(args)}: exit {result.exit_code}\n"
                         f"{result.output}")


def main() -> None:
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for source, seed, notes in CASES:
            template = songform.load_template(None, style=source) if " " not in source \
                else songform.load_template(source)
            song = songform.compose(template, seed=seed, notes=notes)
            path = root / "song.mid"
            song.save_midi(path)
            plan = hashlib.sha256(song.plan.to_json().encode()).hexdigest()[:16]
            print(f"compose {source[:20]:20s} {seed:2d} {notes:8s} midi {digest(path)} "
                  f"plan {plan}")
        cli("generate", SHORT_FORM, "--style", "pop", "--seed", "7", "--no-audio",
            "-o", str(root / "song"))
        show("generate pop 7", root / "song")
        cli("generate", "--style", "rock", "--count", "3", "--bars", "12", "--no-audio",
            "-o", str(root / "many"))
        show("generate --count 3", root / "many")
        project = str(root / "song" / "song.json")
        cli("edit", project, "--regenerate", "bridge", "--seed", "9", "--no-audio",
            "-o", str(root / "edit1"))
        show("edit --regenerate bridge", root / "edit1")
        cli("edit", project, "--set", "chorus 2 energy=7", "--key", "E major",
            "--extend", "verse 1", "2", "--add-track", "Organ:harmony:16", "--no-audio",
            "-o", str(root / "edit2"))
        show("edit --set --key --extend", root / "edit2")
        cli("edit", project, "--regenerate", "chorus 1", "--candidates", "2", "--all",
            "--no-audio", "-o", str(root / "edit3"))
        show("edit --candidates 2 --all", root / "edit3")
        loaded = songform.load(project)
        for name, edited in (
                ("Song.regenerate bridge", lambda: loaded.regenerate("bridge", seed=9)),
                ("Song.edit chorus 2", lambda: loaded.edit("chorus 2", energy=7, seed=3)),
                ("Song.extended verse 1", lambda: loaded.extended("verse 1", 2, seed=3)),
                ("Song.with_track Organ", lambda: loaded.with_track("Organ:harmony:16", 2))):
            (root / name).mkdir()
            edited().save_midi(root / name / "song.mid")
            show(name, root / name)
        if POP909_SONG.is_dir():
            source = Score(str(POP909_SONG / "001.mid"))
            bar = 4 * source.ticks_per_quarter
            start = min(n.time for t in source.tracks for n in t.notes) // bar * bar
            sketch = source.clip(start, start + 8 * bar, clip_end=False).shift_time(-start)
            midi = root / "sketch.mid"
            sketch.dump_midi(str(midi))
            cli("continue", str(midi), "--bars", "24", "--seed", "3", "--no-audio",
                "-o", str(root / "continue"))
            show("continue POP909 001", root / "continue")
            cli("arrange", str(root / "song" / "song.mid"), "--melody-track", "Lead",
                "--seed", "2", "--no-audio", "-o", str(root / "arrange"))
            show("arrange generated lead", root / "arrange")


if __name__ == "__main__":
    main()
