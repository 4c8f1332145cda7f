"""The planner: template + seed -> a fully explicit ``SongPlan``.

Every blank is resolved in a fixed order, each from its own seeded random stream, so the
same template and seed always give the same plan:

1. style, meter, tempo, key, instruments;
2. form: the template's sections, else a form sampled from the learned form model (styles
   with ``form_model`` and a target length), else the style's default form;
3. phrases and labels per section, and ``repeat_of`` links (``hierarchy.labels``);
4. chords per label: the section's own grid, the style's progression for the kind, else the
   learned chord model; phrases with equal labels share them;
5. the last chorus lifts: energy +1 and the style's (or template's) key change, which carries
   into the sections after it; bridges move by the template's ``bridge_key_change``, or by
   one the seed draws from the style's when the planner chooses the form (a template that
   writes its sections out keeps its bridges home unless it asks);
6. energy from the style's curve, active tracks from role rules.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field, fields
from fractions import Fraction

from songform.core.limits import MAX_BARS, MAX_SECTIONS

from .chord_model import ChordModel, load_chord_model, major_frame, token_cells
from .chordgrid import ChordGrid, fit_grid, parse_chord_grid, realise_bar
from .errors import TemplateError
from .form import parse_form
from .form_model import FormModel, load_form_model
from .key import Key
from .labels import MELODIC_LETTERS, assign_repeats, sections_from_labels
from .meter import Meter
from .plan import NEVER_REPEATED_LABELS, PhrasePlan, SectionPlan, SongPlan, TrackSpec
from .styles import Style, get_style
from .template import Section, Template

MELODIC_KINDS = frozenset({"verse", "pre-chorus", "chorus", "post-chorus", "bridge", "head",
                           "solo", "drop", "build"})
INSTRUMENTAL_LETTERS = {"intro": "i", "outro": "o", "interlude": "b", "breakdown": "x"}
PREFERRED_LETTERS = {"verse": "A", "head": "A", "chorus": "B", "drop": "B", "bridge": "C",
                     "pre-chorus": "D", "build": "D", "post-chorus": "E", "solo": "E"}
BAR_QUARTERS_RANGE = (Fraction(1), Fraction(12))


@dataclass(frozen=True)
class PlannerConfig:
    """Sampling settings of the planner."""

    chord_temperature: float = 0.7
    form_temperature: float = 0.9
    form_candidates: int = 64
    last_chorus_energy_lift: int = 1


@dataclass
class _Draft:
    """A section on its way to a ``SectionPlan``."""

    kind: str
    phrases: list[tuple[str, int]]
    grid: ChordGrid | None = None
    grid_in_major_frame: bool = False  # a style progression read in a minor key's relative major
    source: Section = field(default_factory=lambda: Section(kind="verse"))  # with inherited fields
    written: Section | None = None  # the section exactly as the template wrote it


def song_seed(source: Template | SongPlan | None, seed: int | None) -> int:
    """The seed a song is written with: the caller's, else the template's (or saved plan's),
    else 0."""
    if seed is not None:
        return seed
    return (source.seed if source is not None else None) or 0


def plan_song(
    template: Template | None = None,
    seed: int = 0,
    *,
    config: PlannerConfig | None = None,
    form_model: FormModel | None = None,
    chord_model: ChordModel | None = None,
) -> SongPlan:
    """Resolve ``template`` into a complete plan, deterministically for ``seed``.

    Args:
        template: the user's template; ``None`` is the default pop song.
        seed: the random seed (any integer).
        config: sampling settings.
        form_model, chord_model: override the shipped learned models (tests, experiments).

    Raises:
        TemplateError: when the template asks for something the planner cannot honour.
    """
    template = template or Template()
    config = config or PlannerConfig()
    style = get_style(template.style or "pop")

    def stream(name: str) -> random.Random:
        return random.Random(f"songform:{seed}:{name}")

    meter = check_meter(template.meter or Meter.parse(style.meter))  # type: ignore[arg-type]
    tempo = template.tempo or float(stream("tempo").randint(*style.tempo_range))
    key = template.key or Key.parse(stream("key").choice(style.keys))
    tracks = template.instruments or style.instruments

    drafts = _form(template, style, stream("form"), config, form_model)
    _choose_grids(drafts, style, stream("progressions"))
    _split_phrases(drafts, style)
    repeats = assign_repeats([(d.kind, [label for label, _ in d.phrases]) for d in drafts])

    key_change = template.key_change if template.key_change is not None else style.key_change
    bridge_shift = _bridge_key_change(template, style, stream("bridge-key"))
    notes: list[tuple[int, str]] = []  # (section index, what the planner did there)
    last_chorus = max((i for i, d in enumerate(drafts) if d.kind == "chorus"), default=None)
    chorus_count = sum(d.kind == "chorus" for d in drafts)
    lifts = last_chorus is not None and chorus_count >= 2

    materials: dict[str, tuple[tuple[tuple[str, ...], ...], bool, Key | None]] = {}
    chord_rng = stream("chords")
    sections: list[SectionPlan] = []
    phrase_index = 0
    for index, draft in enumerate(drafts):
        section = draft.source
        written = draft.written or section
        section_key: Key = section.key or key  # type: ignore[assignment]
        if lifts and key_change and index >= last_chorus and section.key is None:  # type: ignore[operator]
            section_key = section_key.transpose(key_change)
        if bridge_shift and draft.kind == "bridge" and section.key is None:
            section_key = section_key.transpose(bridge_shift)
            notes.append((index, f"modulates to {section_key} ({bridge_shift:+d} semitones)"))
        moved_symbols = False
        section_meter = check_meter(section.meter or meter)  # type: ignore[arg-type]
        energy = section.energy if section.energy is not None else style.energy_of(draft.kind)
        if lifts and index == last_chorus and written.energy is None:
            energy = min(7, energy + config.last_chorus_energy_lift)
        phrases = []
        bar_cursor = 0
        for label, bars in draft.phrases:
            repeat_of = repeats[phrase_index]
            cells, in_major_frame, written_in = _material(
                draft, label, bars, bar_cursor, materials, chord_model, chord_rng, config,
                section.key or key)
            romans_key = major_frame(section_key) if in_major_frame else section_key
            shift = written_in.interval_to(section_key) if written_in else 0
            moved_symbols = moved_symbols or (shift != 0 and _has_symbols(cells))
            chords = tuple(realise_bar(cell, romans_key, section_meter, shift)
                           for cell in cells)
            phrases.append(PhrasePlan(
                label=label, bars=bars, chords=chords, repeat_of=repeat_of,
                variation=_variation(section, template, style, draft.kind)
                if repeat_of is not None else 1.0,
            ))
            phrase_index += 1
            bar_cursor += bars
        if moved_symbols:
            notes.append((index, f"chord symbols written in {section.key or key} read as "
                                 f"degrees and moved to {section_key}"))
        section_tempo = float(section.tempo or tempo)
        swing = next((value for value in (section.swing, template.swing) if value is not None),
                     style.swing_at(section_tempo))
        sections.append(SectionPlan(
            kind=draft.kind, key=section_key, meter=section_meter,
            tempo=section_tempo, energy=energy,
            tracks=_active_tracks(section, draft.kind, energy, tracks, style),
            phrases=tuple(phrases), swing=swing,
        ))
    total = sum(s.bars for s in sections)
    if total > MAX_BARS or len(sections) > MAX_SECTIONS:
        raise TemplateError(f"the plan has {total} bars in {len(sections)} sections: at most "
                            f"{MAX_BARS} bars (counted after phrases expand) and "
                            f"{MAX_SECTIONS} sections")
    title = template.title or f"Untitled {style.name} song (seed {seed})"
    plan = SongPlan(title=title, style=style.name, seed=seed, tracks=tuple(tracks),
                    sections=tuple(sections), humanize=template.humanize or 0.0)
    names = plan.section_names()
    return dataclasses.replace(plan, notes=tuple(f"{names[i]}: {text}" for i, text in notes))


def _variation(section: Section, template: Template, style: Style, kind: str) -> float:
    """How freely a restated phrase varies: the section's, the template's, else the style's
    for the kind of section."""
    for value in (section.variation, template.variation):
        if value is not None:
            return float(value)
    return float(style.variation_of(kind))


def _bridge_key_change(template: Template, style: Style, rng: random.Random) -> int:
    """Semitones the bridges move: the template's, else the style's draw for this seed when
    the planner chooses the form (not when the template writes its sections out)."""
    if template.bridge_key_change is not None:
        return template.bridge_key_change
    draw = rng.choice(style.bridge_key_change) if style.bridge_key_change else 0
    return 0 if template.sections else draw


def _has_symbols(cells) -> bool:
    """Whether chord cells hold chord symbols (``C``, ``Bm7``) rather than numerals."""
    return any(c[:1] in "ABCDEFG" for cell in cells for c in cell)


def check_meter(meter: Meter) -> Meter:
    """``meter`` if the planner can plan its bars (``BAR_QUARTERS_RANGE`` quarter notes)."""
    low, high = BAR_QUARTERS_RANGE
    if not low <= meter.quarters_per_bar <= high:
        raise TemplateError(
            f"meter {meter}: the planner handles bars of {low} to {high} quarter notes, "
            f"this one has {meter.quarters_per_bar}", field="meter")
    return meter


# -- form ---------------------------------------------------------------------------------
def _form(template: Template, style: Style, rng: random.Random, config: PlannerConfig,
          form_model: FormModel | None) -> list[_Draft]:
    if template.sections:
        return _drafts_from_sections(template.sections)
    if template.bars and style.form_model:
        model = form_model or load_form_model()
        labelled = model.sample(rng, template.bars, config.form_candidates,
                                config.form_temperature,
                                lambda form: plausible_form(sections_from_labels(form), style))
        sections = _reach(sections_from_labels(labelled), template.bars)
        return [_Draft(kind=s.kind, phrases=[(p.label, p.bars) for p in s.phrases],
                       source=Section(kind=s.kind))
                for s in sections]
    sections = parse_form(style.form_for(rng))
    if template.bars:
        sections = _stretch(sections, style, template.bars)
    return _drafts_from_sections(sections)


MAX_SAMPLED_SECTION_BARS = 16


def plausible_form(sections, style: Style) -> bool:
    """Whether a sampled form sounds like a song: no section longer than 16 bars, no kind
    more than twice in a row, and an outro at the end when the style's own form has one."""
    kinds = [s.kind for s in sections]
    if any(s.bars > MAX_SAMPLED_SECTION_BARS for s in sections):
        return False
    if any(kinds[i] == kinds[i + 1] == kinds[i + 2] for i in range(len(kinds) - 2)):
        return False
    return not (style.default_form.split()[-1].startswith("outro") and kinds
                and kinds[-1] != "outro")


def _reach(sections: tuple, target: int) -> tuple:
    """A sampled form shorter than ``target`` bars by more than a tenth (POP909's forms stop
    near 100) is lengthened by its own middle sections again, in order, before its ending:
    the verses and choruses return, as they do in long songs."""
    total = sum(s.bars for s in sections)
    if target - total <= max(8, target // 10) or len(sections) < 3:
        return sections
    head, body, tail = sections[:1], list(sections[1:-1]), sections[-1:]
    extra: list = []
    index = 0
    while total + body[index % len(body)].bars <= target and len(sections) + len(extra) < 200:
        extra.append(body[index % len(body)])
        total += extra[-1].bars
        index += 1
    return (*head, *body, *extra, *tail)


def _stretch(sections: tuple[Section, ...], style: Style, target: int) -> tuple[Section, ...]:
    """Repeat the style's core sections (between intro and outro) to approach ``target`` bars."""
    head = [s for s in sections[:1] if s.kind == "intro"]
    tail = [s for s in sections[-1:] if s.kind == "outro"]
    core = list(sections[len(head):len(sections) - len(tail)]) or list(sections)

    def bars(s: Section) -> int:
        return s.length or style.bars_of(s.kind)  # type: ignore[arg-type]

    budget = target - sum(bars(s) for s in head + tail)
    body: list[Section] = []
    i = 0
    while budget > 0 and len(body) < 256:
        section = core[i % len(core)]
        if bars(section) > budget * 1.5 and body:
            break
        body.append(section)
        budget -= bars(section)
        i += 1
    return tuple(head + (body or core[:1]) + tail)


def _drafts_from_sections(sections: tuple[Section, ...]) -> list[_Draft]:
    drafts: list[_Draft] = []
    for section in sections:
        if section.repeat is not None:
            kind, number = section.repeat  # type: ignore[misc]
            earlier = [d for d in drafts if d.kind == kind]
            if len(earlier) < number:
                raise TemplateError(f'repeats "{kind} {number}", which does not come before it',
                                    field="repeat")
            src = earlier[number - 1]
            own = {f.name: getattr(section, f.name) for f in fields(Section)
                   if f.name not in ("kind", "repeat") and getattr(section, f.name) is not None}
            merged = dataclasses.replace(src.source, **own)
            drafts.append(_Draft(kind=src.kind, phrases=list(src.phrases), grid=src.grid,
                                 grid_in_major_frame=src.grid_in_major_frame, source=merged,
                                 written=section))
            continue
        phrases = [(label, bars) for label, bars in section.phrases or ()]  # type: ignore[misc]
        if not phrases and section.bars is not None:
            phrases = [("", section.bars)]  # split and labelled in _split_phrases
        drafts.append(_Draft(kind=section.kind, phrases=phrases,  # type: ignore[arg-type]
                             grid=section.grid, source=section, written=section))
    return drafts


def _choose_grids(drafts: list[_Draft], style: Style, rng: random.Random) -> None:
    """Give sections without chords the style's progression for their kind (once per kind),
    or for their kind and first phrase's label where the style has one (``phrase:A``: a
    chorale's phrases each with their own cadence)."""
    chosen: dict[str, ChordGrid] = {}
    for draft in drafts:
        label = draft.phrases[0][0] if draft.phrases else ""
        key = f"{draft.kind}:{label}" if f"{draft.kind}:{label}" in style.progressions \
            else draft.kind
        if draft.grid is not None or key not in style.progressions:
            continue
        if key not in chosen:
            chosen[key] = parse_chord_grid(rng.choice(style.progressions[key]))
        bars = sum(b for _, b in draft.phrases) or style.bars_of(draft.kind)
        draft.grid = chosen[key][:bars]  # a short section plays the start of it
        draft.grid_in_major_frame = not style.minor_progressions


def _split_phrases(drafts: list[_Draft], style: Style) -> None:
    """Split unlabelled sections into phrases and give them labels."""
    letters: dict[str, str] = {}
    used = {label for d in drafts for label, _ in d.phrases if label}
    for draft in drafts:
        if draft.phrases and all(label for label, _ in draft.phrases):
            continue
        bars = sum(b for _, b in draft.phrases) or style.bars_of(draft.kind)
        length = draft.source.phrase_bars or style.phrase_bars
        if draft.grid is not None and length < len(draft.grid) <= bars:
            length = len(draft.grid)  # a long progression is one phrase of material
        pieces = [length] * (bars // length) + ([bars % length] if bars % length else [])
        label = letters.get(draft.kind) or _letter_for(draft.kind, used)
        letters[draft.kind] = label
        used.add(label)
        draft.phrases = [(label, n) for n in pieces]


def _letter_for(kind: str, used: set[str]) -> str:
    if kind in INSTRUMENTAL_LETTERS:
        return INSTRUMENTAL_LETTERS[kind]
    preferred = PREFERRED_LETTERS.get(kind)
    if preferred and preferred not in used:
        return preferred
    free = [c for c in sorted(MELODIC_LETTERS) if c not in used]
    return free[0] if free else "X"


# -- chords -------------------------------------------------------------------------------
def _material(
    draft: _Draft,
    label: str,
    bars: int,
    bar_cursor: int,
    materials: dict[str, tuple[tuple[tuple[str, ...], ...], bool]],
    model: ChordModel | None,
    rng: random.Random,
    config: PlannerConfig,
    written_key: Key,
) -> tuple[tuple[tuple[str, ...], ...], bool, Key | None]:
    """Chord cells for one phrase, whether their numerals are in the major frame, and the key
    their chord symbols were written for (``written_key``: the section's key as the template
    gives it, before any lift; ``None`` for sampled numerals)."""
    shared = label not in NEVER_REPEATED_LABELS
    if draft.grid is not None:
        section_bars = sum(b for _, b in draft.phrases)
        cells = fit_grid(draft.grid, section_bars)[bar_cursor:bar_cursor + bars]
        if shared:
            materials.setdefault(label, (cells, draft.grid_in_major_frame, written_key))
        return cells, draft.grid_in_major_frame, written_key
    if shared and label in materials:
        cells, frame, key = materials[label]
        return tuple(cells[i % len(cells)] for i in range(bars)), frame, key
    chord_model = model or _shipped_chord_model()
    tokens = chord_model.sample_phrase(draft.kind, bars, rng, config.chord_temperature)
    for _ in range(CHORUS_RESAMPLES):  # a chorus phrase moves: POP909 has none on one chord
        if draft.kind != "chorus" or bars < 2 or len({c for t in tokens
                                                       for c in token_cells(t)}) > 1:
            break
        tokens = chord_model.sample_phrase(draft.kind, bars, rng, config.chord_temperature)
    cells = tuple(token_cells(t) for t in tokens)
    if shared:
        materials[label] = (cells, True, None)
    return cells, True, None



CHORUS_RESAMPLES = 16
_SHIPPED: dict[str, ChordModel] = {}


def _shipped_chord_model() -> ChordModel:
    if "chord" not in _SHIPPED:
        _SHIPPED["chord"] = load_chord_model()
    return _SHIPPED["chord"]


# -- tracks -------------------------------------------------------------------------------
def _active_tracks(section: Section, kind: str, energy: int, tracks: tuple[TrackSpec, ...],
                   style: Style) -> tuple[str, ...]:
    """Tracks that play: the section's own list, else role rules on kind and energy."""
    if section.instruments is not None:
        return tuple(section.instruments)  # type: ignore[arg-type]
    melodic = kind in MELODIC_KINDS
    plays = {
        "melody": melodic,
        "counter-melody": energy >= 5 or not melodic,
        "harmony": True,
        "bass": energy >= 2,
        "drums": energy >= 3,
    }
    for role in style.always_active:
        plays[role] = True
    active = tuple(t.name for t in tracks if plays[t.role])
    return active or tuple(t.name for t in tracks)
