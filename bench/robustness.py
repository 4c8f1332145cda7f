"""Hostile input, counted: mutated real MIDI through `render`, `eval --midi` and `data inspect`,
and hostile forms, YAML and options through `plan`; each case runs in a forked child with a time
limit and a memory cap. Prints a table (inputs per category, clean errors, tracebacks, hangs,
peak memory) and writes JSON. Tracebacks and hangs must be zero.

    .venv/bin/python bench/robustness.py                 # thousands of cases (minutes)
    .venv/bin/python bench/robustness.py --per-kind 3    # a quick look
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import hostile_cases
from common import POP909, add_json_option, write_json

TIME_LIMIT = 60.0  # seconds a case may take
MEMORY_CAP = 4 * 1024 ** 3  # resident bytes a case may use


def seed_files(folder: Path, pop909_songs: int) -> dict[str, bytes]:
    """Real MIDI to mutate: POP909 songs when present, and songform's own songs."""
    import songform
    from songform.pipeline import SongPipeline
    from songform.symbolic.writers import ArrangerWriter

    files = {}
    for style in ("pop", "waltz"):
        template = songform.Template(form="verse:4 chorus:4", style=style)
        out = folder / f"seed-{style}"
        SongPipeline(ArrangerWriter())(template, seed=1, out=out, outputs=("plan", "midi"))
        files[f"songform {style}"] = (out / "song.mid").read_bytes()
    for song in sorted(POP909.glob("[0-9][0-9][0-9]"))[:pop909_songs]:
        files[f"POP909 {song.name}"] = (song / f"{song.name}.mid").read_bytes()
    return files


def run_cli(args: list[str], queue) -> None:
    """In the child: run one command, report (outcome, detail, peak MB)."""
    from typer.testing import CliRunner

    from songform.cli.app import app

    result = CliRunner().invoke(app, args)
    lines = [line for line in result.output.splitlines() if line.strip()]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if result.exit_code == 0:
        outcome = "ok"
    elif (result.exit_code in (1, 2) and not isinstance(result.exception, MemoryError)
          and lines and lines[-1].startswith("error:") and "internal error" not in lines[-1]):
        outcome = "clean"
    else:
        outcome = "traceback"
    detail = lines[-1][:160] if lines else repr(result.exception)[:160]
    queue.put((outcome, detail, peak))


def run_case(args: list[str]) -> tuple[str, str, float]:
    """Run ``args`` in a forked child, watching its resident memory from outside (torch
    reserves too much address space for an rlimit to mean anything)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=run_cli, args=(args, queue))
    child.start()
    deadline, peak = time.perf_counter() + TIME_LIMIT, 0.0
    while child.is_alive() and time.perf_counter() < deadline:
        peak = max(peak, _resident_mb(child.pid))
        if peak * 1024 ** 2 > MEMORY_CAP:
            child.kill()
            child.join()
            return "memory", f"over {MEMORY_CAP / 1024 ** 3:.0f} GB", peak
        child.join(0.05)
    if child.is_alive():
        child.kill()
        child.join()
        return "hang", f"over {TIME_LIMIT:.0f} s", peak
    if queue.empty():
        return "traceback", f"child died (exit {child.exitcode})", peak
    outcome, detail, child_peak = queue.get()
    return outcome, detail, max(peak, child_peak)


def _resident_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def midi_cases(files: dict[str, bytes], folder: Path, per_kind: int, seed: int):
    from songform.data.mutations import many_notes, mutants

    extremes = [("a million notes", "built", many_notes(1_000_000)),
                ("200,000 notes (at the limit)", "built", many_notes(200_000))]
    for index, (kind, source, data) in enumerate([*extremes, *mutants(files, per_kind, seed)]):
        case = folder / f"case{index}"
        case.mkdir()
        midi = case / "song.mid"
        midi.write_bytes(data)
        plan = next(folder.glob("seed-pop/plan.json"))
        yield f"MIDI: {kind}", ["render", str(midi), "--audio", str(case / "out.wav")], source
        yield f"MIDI: {kind}", ["eval", "--midi", str(midi), "--plan", str(plan)], source
        yield f"MIDI: {kind}", ["data", "inspect", str(case)], source


HOSTILE_FORMS = ["C1024i1025i1025", "i4A99999999", "verse:²", "verse:" + "9" * 5000,
                 "chorus0", " ".join(["verse:4"] * 5000), "((((", "", "verse:-4", "i0A4",
                 "intro:4 verse:8 chorus:8 " * 200]
HOSTILE_OPTIONS = [["--meter", "1/1"], ["--meter", "0/4"], ["--meter", "7/9"],
                   ["--tempo", "0"], ["--tempo", "nan"], ["--tempo", "1e308"],
                   ["--bars", "1024"], ["--bars", "-3"], ["--key", "H major"],
                   ["--style", "polka"], ["--seed", "-1"]]
HOSTILE_YAML = [
    "sections: [{repeat: verse 0}]",
    "instruments: [{name: A, program: 0, role: melody, is_drum: maybe}]",
    "sections: [{kind: verse, bars: 4, chords: 'I/9'}]",
    "sections: [{kind: verse, bars: 4, chords: 'Cm7b5b5b5b5'}]",
    "a: &a [1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d]\n"
    "f: [*e, *e, *e, *e, *e, *e, *e, *e]",
    "sections: " + "[" * 5000 + "]" * 5000,
    "title: x\n" * 200_000,
    "sections: [{kind: verse, bars: 4}]\n" + "\t\tbad: [",
]


def plan_cases(folder: Path):
    for form in HOSTILE_FORMS:
        yield "form string", ["plan", form], form[:24]
    for options in HOSTILE_OPTIONS:
        yield "plan option", ["plan", "--style", "pop", *options], " ".join(options)
    for index, text in enumerate(HOSTILE_YAML):
        path = folder / f"hostile{index}.yaml"
        path.write_text(text)
        yield "YAML template", ["plan", str(path)], text[:24]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=40,
                        help="mutants of each MIDI mutation kind")
    parser.add_argument("--pop909-songs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=None,
                        help="run only the categories whose name starts with this")
    add_json_option(parser, "robustness.json")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    import songform.cli.app  # noqa: F401  (imported once here; every forked case shares it)
    import songform.data.corpus  # noqa: F401
    import songform.pipeline  # noqa: F401
    from songform.cli import eval_cmd, generate_cmd  # noqa: F401

    rows: dict[str, Counter] = defaultdict(Counter)
    peaks: dict[str, float] = defaultdict(float)
    failures = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        files = seed_files(folder, args.pop909_songs)
        cases = [*plan_cases(folder), *midi_cases(files, folder, args.per_kind, args.seed),
                 *hostile_cases.project_cases(folder), *hostile_cases.option_cases(folder),
                 *hostile_cases.checkpoint_cases(folder), *hostile_cases.sketch_cases(folder),
                 *hostile_cases.output_cases(folder)]
        if args.only:
            cases = [case for case in cases if case[0].startswith(args.only)]
        for index, (category, command, source) in enumerate(cases):
            outcome, detail, peak = run_case(command)
            rows[category][outcome] += 1
            peaks[category] = max(peaks[category], peak)
            if args.only:
                print(f"{category} | {source} | {outcome} | {detail}", file=sys.stderr)
            if outcome in ("traceback", "hang", "memory"):
                failures.append({"category": category, "command": command[0],
                                 "source": source, "outcome": outcome, "detail": detail})
            if index % 25 == 0:
                print(f"{index}/{len(cases)} cases, {time.perf_counter() - started:.0f} s",
                      file=sys.stderr, flush=True)
    table = Table(title=f"Hostile input ({sum(sum(c.values()) for c in rows.values())} cases, "
                        f"{time.perf_counter() - started:.0f} s)")
    for column in ("category", "inputs", "ok", "clean errors", "tracebacks", "hangs",
                   "over memory", "peak MB"):
        table.add_column(column, justify="right" if column != "category" else "left")
    for category, counts in rows.items():
        table.add_row(category, str(sum(counts.values())), str(counts["ok"]),
                      str(counts["clean"]), str(counts["traceback"]), str(counts["hang"]),
                      str(counts["memory"]), f"{peaks[category]:.0f}")
    Console(width=120).print(table)
    for failure in failures[:30]:
        print(failure)
    write_json(args.json, {"rows": {k: dict(v) for k, v in rows.items()},
                                     "peak_mb": peaks, "failures": failures})
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
