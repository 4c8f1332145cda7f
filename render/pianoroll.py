"""Piano-roll PNG: a colour per track, section bands with their names, chord names along the
top, bar numbers below; drums in a lane of their own. Readable for a four-minute song: the
figure widens with the song (a quarter inch per bar, up to 60 inches)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from songform.core.fileio import atomic_path  # noqa: E402
from songform.symbolic.song import PlannedScore  # noqa: E402
from songform.symbolic.ticks import ticks_to_quarters  # noqa: E402

TRACK_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                 "#17becf", "#bcbd22", "#7f7f7f")
BAND_COLOURS = {"intro": "#eeeeee", "verse": "#dbe9f6", "pre-chorus": "#e6dbf6",
                "chorus": "#fbe3c8", "post-chorus": "#fbeed8", "bridge": "#d9f2d9",
                "interlude": "#f0f0e0", "solo": "#f6dbe6", "outro": "#eeeeee", "head": "#dbe9f6",
                "build": "#e6dbf6", "drop": "#fbe3c8", "breakdown": "#f0f0e0"}
INCHES_PER_BAR = 0.25


def draw_pianoroll(song: PlannedScore, path: str | Path, dpi: int = 100) -> Path:
    """Draw ``song`` as a piano-roll PNG at ``path`` (written atomically)."""
    plan, score, tpq = song.plan, song.score, song.tpq
    bars = list(plan.bars())
    width = min(60.0, max(12.0, INCHES_PER_BAR * len(bars)))
    has_drums = any(t.is_drum and len(t.notes) for t in score.tracks)
    fig, axes = plt.subplots(2 if has_drums else 1, 1, figsize=(width, 8), sharex=True,
                             gridspec_kw={"height_ratios": [5, 1] if has_drums else [1]},
                             squeeze=False)
    roll, lane = axes[0][0], axes[1][0] if has_drums else None
    end = plan.duration_quarters
    pitches = [n.pitch for t in score.tracks if not t.is_drum for n in t.notes] or [60]
    low, high = min(pitches) - 3, max(pitches) + 3

    names = plan.section_names()
    for index, section_bars in _sections(bars).items():
        start, stop = section_bars[0].start, section_bars[-1].start + section_bars[-1].length
        colour = BAND_COLOURS.get(section_bars[0].section_kind, "#f4f4f4")
        for axis in filter(None, (roll, lane)):
            axis.axvspan(start, stop, color=colour, zorder=0)
            axis.axvline(start, color="#888888", linewidth=1.0, zorder=1)
        roll.text((start + stop) / 2, high - 1, names[index], ha="center", va="top",
                  fontsize=10, fontweight="bold", zorder=5)

    for bar in bars:
        roll.axvline(bar.start, color="#cccccc", linewidth=0.4, zorder=1)
    previous = None
    for bar in bars:
        for event in bar.chords:
            if event.symbol != previous:
                roll.text(bar.start + event.offset, high + 0.5, event.symbol, rotation=60,
                          fontsize=7, ha="left", va="bottom", clip_on=False)
                previous = event.symbol

    legend = []
    pitched = [t for t in score.tracks if not t.is_drum]
    for colour, track in zip(TRACK_COLOURS, pitched, strict=False):
        for note in track.notes:
            roll.add_patch(Rectangle((ticks_to_quarters(note.time, tpq), note.pitch - 0.4),
                                     ticks_to_quarters(note.duration, tpq),
                                     0.8, color=colour, linewidth=0, zorder=3))
        legend.append(Rectangle((0, 0), 1, 1, color=colour, label=track.name))
    if lane is not None:
        for track in score.tracks:
            if track.is_drum:
                lane.scatter([ticks_to_quarters(n.time, tpq) for n in track.notes],
                             [n.pitch for n in track.notes],
                             s=4, color="#333333", zorder=3)
        lane.set_ylabel("drums")
        lane.set_yticks([])
    roll.set_xlim(0, end)
    roll.set_ylim(low, high)
    roll.set_ylabel("MIDI pitch")
    roll.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
                framealpha=0.9)
    bottom = lane if lane is not None else roll
    step = 4 if len(bars) > 32 else 1
    bottom.set_xticks([b.start for b in bars[::step]])
    bottom.set_xticklabels([str(b.index + 1) for b in bars[::step]], fontsize=8)
    bottom.set_xlabel("bar")
    minutes, seconds = divmod(round(plan.duration_seconds), 60)
    fig.suptitle(f"{plan.title} · {plan.style} · {len(bars)} bars · {minutes}:{seconds:02d}",
                 fontsize=12)
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as temp:
        fig.savefig(temp, dpi=dpi, format="png")
    plt.close(fig)
    return path


def _sections(bars):
    out: dict[int, list] = {}
    for bar in bars:
        out.setdefault(bar.section_index, []).append(bar)
    return out
