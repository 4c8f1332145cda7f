"""``songform plan`` and ``songform styles``: show plans and styles as tables."""

from __future__ import annotations

from rich.table import Table

from songform.core.fileio import atomic_write_text
from songform.hierarchy.key import Key
from songform.hierarchy.plan import SongPlan
from songform.hierarchy.planner import plan_song, song_seed
from songform.hierarchy.sources import load_source
from songform.hierarchy.styles import BAND, STYLES, feel_text, returns_text
from songform.symbolic.checkpoint_info import read_card
from songform.symbolic.shipped import DEFAULT_MODEL, shipped_checkpoint, shipped_names

from .common import (
    BarsOpt,
    HumanizeOpt,
    JsonFlag,
    KeyOpt,
    MeterOpt,
    SaveOpt,
    SeedOpt,
    SourceArg,
    StyleOpt,
    SwingOpt,
    TempoOpt,
    console,
    fail,
    handles_errors,
    print_json,
)

MAX_CHORDS_SHOWN = 8


def _tempo_text(section) -> str:
    """The tempo with the note it counts when that is not the quarter: ``66 ♩.``, ``80 half``."""
    beat = section.meter.tempo_beat
    unit = {1: "", 1.5: " ♩.", 2: " half"}.get(float(beat), f" x{float(beat):g}")
    return f"{section.tempo:g}{unit}"


def short_key(key: Key) -> str:
    """``C`` for C major, ``Am`` for A minor."""
    return key.tonic_name + ("m" if key.mode == "minor" else "")


def plan_table(plan: SongPlan) -> Table:
    """A table with one row per section."""
    minutes, seconds = divmod(round(plan.duration_seconds), 60)
    table = Table(title=f"{plan.title}  ·  style {plan.style}  ·  seed {plan.seed}  ·  "
                        f"{plan.num_bars} bars  ·  {minutes}:{seconds:02d}",
                  title_justify="left", header_style="bold",
                  caption="phrases: label + bars; →N restates phrase N (counted from 0). "
                          "chords: the section's first phrase.", caption_justify="left")
    for column in ("#", "section", "phrases", "bars", "key", "meter", "tempo", "chords",
                   "energy", "tracks"):
        table.add_column(column, justify="right" if column in ("#", "tempo", "energy")
                         else "left", overflow="fold")
    start = 1
    phrase_number = 0
    for index, (name, section) in enumerate(zip(plan.section_names(), plan.sections,
                                                strict=True)):
        phrases = []
        for phrase in section.phrases:
            mark = f"→{phrase.repeat_of}" if phrase.repeat_of is not None else ""
            phrases.append(f"{phrase.label}{phrase.bars}{mark}")
            phrase_number += 1
        chords = [e.symbol for bar in section.phrases[0].chords for e in bar]
        shown = " ".join(chords[:MAX_CHORDS_SHOWN]) + (" …" if len(chords) > MAX_CHORDS_SHOWN
                                                       else "")
        end = start + section.bars - 1
        table.add_row(str(index + 1), name, " ".join(phrases), f"{start}-{end}",
                      short_key(section.key), str(section.meter), _tempo_text(section), shown,
                      "▮" * section.energy + f" {section.energy}", " ".join(section.tracks))
        start = end + 1
    return table


def print_plan_notes(song_plan: SongPlan) -> None:
    """The planner's choices the template did not spell out, a line each."""
    for note in song_plan.notes:
        console.print(f"[dim]plan:[/] {note}")


def writers_line(song_plan: SongPlan) -> str:
    """Who plays which track when ``songform generate`` writes this plan with its default
    writer (read from the shipped checkpoint's card, without loading its weights)."""
    folder = shipped_checkpoint()
    card = read_card(folder) if folder is not None else None
    if card is None or card.roles is None:
        return "writers: the arranger plays every track (no shipped model in this install)"
    roles = card.style_roles(song_plan.style)
    by_model = [t.name for t in song_plan.tracks if t.role in roles]
    by_arranger = [t.name for t in song_plan.tracks if t.role not in roles]
    if not by_arranger:
        return f"writers: the shipped model writes {', '.join(by_model)}; the arranger none"
    return (f"writers: the shipped model writes {', '.join(by_model) or 'no track'}; the "
            f"arranger plays {', '.join(by_arranger) or 'no track'} and any planned track the "
            "model leaves silent in a section")


@handles_errors
def plan(
    source: SourceArg = None,
    style: StyleOpt = None,
    key: KeyOpt = None,
    tempo: TempoOpt = None,
    swing: SwingOpt = None,
    humanize: HumanizeOpt = None,
    meter: MeterOpt = None,
    bars: BarsOpt = None,
    seed: SeedOpt = None,
    save: SaveOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Plan a song (sections, phrases, chords, energy, tracks) and print it.

    Examples:

      songform plan --style ballad --seed 3

      songform plan "intro:4 verse:8 chorus:8 bridge:8 chorus:8" --key D --save plan.json

      songform plan --style pop --bars 96 --json
    """
    template = load_source(source, style=style, key=key, tempo=tempo, meter=meter,
                           swing=swing, humanize=humanize, bars=bars)
    if isinstance(template, SongPlan):  # a saved plan is shown as it is
        if seed is not None:
            raise fail(f"--seed: {source} is a saved plan (seed {template.seed}); give a "
                       "template to plan again")
        song_plan = template
    else:
        song_plan = plan_song(template, song_seed(template, seed))
    if save is not None:
        atomic_write_text(save, song_plan.to_json())
    if as_json:
        print_json({"summary": plan_summary(song_plan), "saved": save,
                    "plan": song_plan.to_dict()})
        return
    console.print(plan_table(song_plan))
    print_plan_notes(song_plan)
    console.print(writers_line(song_plan))
    if save is not None:
        console.print(f"plan written to [bold]{save}[/]")


def plan_summary(song_plan: SongPlan) -> dict:
    """What a script wants to know of a plan at a glance."""
    names = song_plan.section_names()
    first = 1
    sections = []
    for name, section in zip(names, song_plan.sections, strict=True):
        sections.append({"name": name, "kind": section.kind, "bars": [first,
                                                                        first + section.bars - 1],
                         "key": str(section.key), "meter": str(section.meter),
                         "tempo": section.tempo, "energy": section.energy,
                         "tracks": list(section.tracks)})
        first += section.bars
    return {"title": song_plan.title, "style": song_plan.style, "seed": song_plan.seed,
            "bars": song_plan.num_bars, "seconds": round(song_plan.duration_seconds, 3),
            "sections": sections, "notes": list(song_plan.notes)}


@handles_errors
def notes_from(style: str) -> str:
    """The corpus whose notes the shipped model writes for ``style`` (read without torch)."""
    folder = shipped_checkpoint()
    info = read_card(folder) if folder is not None else None
    return info.notes_source(style) if info is not None else "the arranger (no model ships)"


def models_line() -> str:
    """The models this install ships, the default first (``--checkpoint NAME`` picks one)."""
    names = sorted(shipped_names(), key=lambda name: name != DEFAULT_MODEL)
    if not names:
        return "models shipped: none (the arranger writes every note)"
    return ("models shipped (--checkpoint NAME): "
            + ", ".join(f"{name} (default)" if name == DEFAULT_MODEL else name for name in names))


def styles(as_json: JsonFlag = False) -> None:
    """List the built-in styles.

    Examples:

      songform styles

      songform styles --json
    """
    if as_json:
        print_json([{"name": style.name, "meter": style.meter,
                     "tempo": list(style.tempo_range),
                     "tracks": [t.name for t in style.instruments],
                     "form": style.default_form, "description": style.description,
                     "feel": feel_text(style), "bass": BAND[style.name][0],
                     "drums": BAND[style.name][1], "comping": BAND[style.name][2],
                     "returns": returns_text(style), "notes_from": notes_from(style.name)}
                    for style in STYLES.values()])
        return
    table = Table(header_style="bold")
    for column in ("style", "meter", "tempo", "tracks", "form", "model's notes from",
                   "description"):
        table.add_column(column, overflow="fold")
    for style in STYLES.values():
        table.add_row(style.name, style.meter, f"{style.tempo_range[0]}-{style.tempo_range[1]}",
                      ", ".join(t.name for t in style.instruments),
                      style.default_form + (" (with --bars: learned from POP909)"
                                    if style.form_model else ""),
                      notes_from(style.name), style.description)
    console.print(table)
    band = Table(title="how each style's band plays", header_style="bold")
    for column in ("style", "feel", "bass", "drums", "comping", "sections return"):
        band.add_column(column, overflow="fold")
    for style in STYLES.values():
        band.add_row(style.name, feel_text(style), *BAND[style.name], returns_text(style))
    console.print(band)
    console.print(models_line())
