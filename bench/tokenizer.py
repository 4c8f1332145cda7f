"""Tokenizer cost and preprocessing loss: tokens per bar on POP909 (and on arranged songs),
and the share of notes that preprocessing changes, per corpus. Prints a table, writes JSON.

    .venv/bin/python bench/tokenizer.py [--every 10] [--json bench/results/tokenizer.json]
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import JSB, POP909, add_json_option, write_json
from rich.console import Console
from rich.table import Table

from songform.data.errors import CorpusError
from songform.data.pop909 import pop909_beats_per_bar, read_pop909_song
from songform.hierarchy.planner import plan_song
from songform.hierarchy.styles import STYLES
from songform.hierarchy.template import Template
from songform.symbolic.arranger import arrange
from songform.symbolic.tokenizer import PLAN_KINDS, ROLE_PROGRAMS, SongTokenizer, token_type


def changes(tokenizer: SongTokenizer, song) -> dict[str, int]:
    """Counts of notes whose timing or velocity preprocessing changed, and notes removed."""
    roles = {t.name: t.role for t in song.plan.tracks}

    def notes(score, by_role: bool):
        tpq = score.ticks_per_quarter

        def program(track):  # the stream's program is the track's role's (see tokenizer)
            if not by_role:
                return track.program
            role = roles.get(track.name, "drums" if track.is_drum else "harmony")
            return 0 if role == "drums" else ROLE_PROGRAMS[role]

        return [(program(t), n.time / tpq, n.duration / tpq, n.pitch, n.velocity)
                for t in score.tracks for n in t.notes]

    before = notes(song.score, by_role=True)
    after = notes(tokenizer.preprocess(song), by_role=False)
    onsets_after = {(p, t, pitch) for p, t, _, pitch, _ in after}
    timing_after = {(p, t, d, pitch) for p, t, d, pitch, _ in after}
    exact_after = set(after)
    return {"notes": len(before), "removed": max(0, len(before) - len(after)),
            "onset_changed": sum((p, t, pitch) not in onsets_after
                                 for p, t, _, pitch, _ in before),
            "timing_changed": sum((p, t, d, pitch) not in timing_after
                                  for p, t, d, pitch, _ in before),
            "any_changed": sum(n not in exact_after for n in before)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=10, help="every n-th POP909 song")
    add_json_option(parser, "tokenizer.json")
    args = parser.parse_args()
    tokenizer = SongTokenizer()
    arranged = f"baseline arranger ({len(STYLES)} styles)"
    corpora: dict[str, list] = {"POP909": [], arranged: []}
    if POP909.is_dir():
        bpb = pop909_beats_per_bar(POP909)
        for song_dir in sorted(p for p in POP909.iterdir() if p.is_dir())[::args.every]:
            try:
                corpora["POP909"].append(read_pop909_song(song_dir, bpb.get(song_dir.name, 4))
                                         .song)
            except CorpusError:
                continue
    jsb = JSB
    if jsb.exists():
        from songform.data.jsb_songs import jsb_songs

        corpora["JSB chorales (valid)"] = [song for _, song in jsb_songs(jsb, "valid")]
    from songform.data.music21_corpus import bach_chorales

    corpora["music21 Bach chorales (20)"] = [song for _, song in bach_chorales(limit=20)]
    for style in STYLES:
        corpora[arranged].append(arrange(plan_song(Template(style=style),
                                                                         seed=1)))
    results = {"vocab_size": len(tokenizer), "settings": tokenizer.settings.to_dict(),
               "corpora": {}}
    table = Table(title=f"Tokenizer (REMI + programs + plan tokens, vocabulary "
                        f"{len(tokenizer)})")
    for column in ("corpus", "songs", "tokens/bar (median)", "plan tokens/bar",
                   "onset moved", "onset or duration moved", "anything changed (+velocity)",
                   "notes removed", "encode ms/song"):
        table.add_column(column, justify="right" if column != "corpus" else "left")
    for name, songs in corpora.items():
        if not songs:
            continue
        per_bar, plan_per_bar, seconds = [], [], 0.0
        totals = {"notes": 0, "removed": 0, "onset_changed": 0, "timing_changed": 0,
                  "any_changed": 0}
        for song in songs:
            started = time.perf_counter()
            sequence = tokenizer.encode(song)
            seconds += time.perf_counter() - started
            bars = song.plan.num_bars
            per_bar.append(len(sequence) / bars)
            plan_per_bar.append(sum(token_type(t) in PLAN_KINDS for t in sequence.tokens)
                                / bars)
            for key, value in changes(tokenizer, song).items():
                totals[key] += value
        row = {"songs": len(songs), "tokens_per_bar_median": statistics.median(per_bar),
               "plan_tokens_per_bar": statistics.mean(plan_per_bar),
               "onset_changed_share": totals["onset_changed"] / totals["notes"],
               "timing_changed_share": totals["timing_changed"] / totals["notes"],
               "any_changed_share": totals["any_changed"] / totals["notes"],
               "removed_share": totals["removed"] / totals["notes"],
               "encode_ms_per_song": 1000 * seconds / len(songs)}
        results["corpora"][name] = row
        table.add_row(name, str(len(songs)), f"{row['tokens_per_bar_median']:.1f}",
                      f"{row['plan_tokens_per_bar']:.1f}",
                      f"{100 * row['onset_changed_share']:.1f}%",
                      f"{100 * row['timing_changed_share']:.1f}%",
                      f"{100 * row['any_changed_share']:.1f}%",
                      f"{100 * row['removed_share']:.2f}%", f"{row['encode_ms_per_song']:.0f}")
    Console().print(table)
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
