"""Built-in styles: each a complete default template (form, tempo range, meter, keys,
instruments, progressions per section kind, energy curve)."""

from __future__ import annotations

import difflib
import random
from dataclasses import dataclass, field, replace

from .errors import TemplateError
from .plan import STRAIGHT, TrackSpec

IDIOMS = ("pop", "chorale", "folk")
"""The corpus idioms a style-conditioned model learned: POP909's songs, Bach's chorales, Irish
and American fiddle tunes."""
SWING_SLOW_TEMPO, SWING_FAST_TEMPO = 120.0, 220.0
SHUFFLE = 0.66  # a triplet shuffle, a touch under 2/3 as most players lay it


@dataclass(frozen=True, eq=False)
class Style:
    """A built-in style.

    Args:
        name: the name users type.
        description: one line for ``songform styles``.
        meter: the default meter.
        tempo_range: inclusive BPM range the planner draws from.
        keys: keys the planner draws from when the template gives none.
        instruments: the default tracks.
        form: the form as a form string whose ``{name}`` slots the seed fills from
            ``form_options`` (one choice per name, the same wherever the name recurs; an
            option may be empty); the first option of each is the style's default form.
        form_options: the choices per slot.
        progressions: chord grids per section kind; a kind without one takes its chords from
            the learned chord model.
        energy: energy level (0-7) per section kind.
        phrase_bars: default phrase length.
        variation: how freely restated phrases vary (0 = copy).
        key_change: semitones the last chorus moves up.
        bridge_key_change: the keys a bridge may move to, in semitones from the song's key,
            one drawn per seed (0 stays home); empty: bridges stay in the key.
        form_model: whether a template with only a length samples its form from the model
            learned on POP909 (pop-like styles) or repeats the default form.
        always_active: roles that play in every section regardless of energy.
        section_bars: default bars per kind for forms that name a kind without a length.
        minor_progressions: whether ``progressions`` are numerals of a minor key (``i VI III
            VII``); otherwise they are major-key numerals, read in a minor key's relative major
            as the chord model's are.
        swing: where the off-beat eighth falls (0.5 straight, 2/3 a triplet shuffle), and
            ``swing_fast``: the swing at ``SWING_FAST_TEMPO`` and above, the feel lightening
            linearly from ``SWING_SLOW_TEMPO`` (as jazz players' does).
        variation_by_kind: how freely a restated phrase varies, per section kind (else
            ``variation``).
        band_roles: roles the style's band (the arranger) always plays, whoever writes the
            other notes: the waltz's oom-pah-pah piano.
        idiom: the corpus idiom whose notes the model writes for the style (one of
            :data:`IDIOMS`): its plan tokens carry it.
        four_part: the chorale's four voices: written in order and range without parallel
            fifths or octaves (``symbolic/voice_guard.py``), each phrase closing on a chord
            they hold (a fermata in the score).
    """

    name: str
    description: str
    meter: str
    tempo_range: tuple[int, int]
    keys: tuple[str, ...]
    instruments: tuple[TrackSpec, ...]
    form: str
    form_options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    progressions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    energy: dict[str, int] = field(default_factory=dict)
    phrase_bars: int = 4
    variation: float = 0.25
    key_change: int = 0
    bridge_key_change: tuple[int, ...] = ()
    form_model: bool = False
    always_active: tuple[str, ...] = ("harmony",)
    section_bars: dict[str, int] = field(default_factory=dict)
    minor_progressions: bool = False
    swing: float = STRAIGHT
    swing_fast: float | None = None
    variation_by_kind: dict[str, float] = field(default_factory=dict)
    band_roles: tuple[str, ...] = ()
    idiom: str = "pop"
    four_part: bool = False

    def swing_at(self, tempo: float) -> float:
        """The style's swing at ``tempo`` BPM."""
        if self.swing_fast is None:
            return self.swing
        share = min(1.0, max(0.0, (tempo - SWING_SLOW_TEMPO)
                             / (SWING_FAST_TEMPO - SWING_SLOW_TEMPO)))
        return round(self.swing + share * (self.swing_fast - self.swing), 3)

    def variation_of(self, kind: str) -> float:
        """How freely a restated phrase of a ``kind`` section varies."""
        return self.variation_by_kind.get(kind, self.variation)

    def form_for(self, rng: random.Random | None) -> str:
        """The form for one song: a choice per slot drawn from ``rng`` (``None``: the
        default, every slot's first option)."""
        chosen = {name: options[0] if rng is None else rng.choice(options)
                  for name, options in sorted(self.form_options.items())}
        return " ".join(self.form.format(**chosen).split())

    @property
    def default_form(self) -> str:
        return self.form_for(None)

    def energy_of(self, kind: str) -> int:
        return self.energy.get(kind, self.energy.get("verse", 3))

    def bars_of(self, kind: str) -> int:
        default = 4 if kind in ("intro", "outro", "interlude", "pre-chorus") else 8
        return self.section_bars.get(kind, default)


# How freely a returning pop section varies from its first statement, per kind: chosen so
# that the model's same-label melody similarity lands on POP909's training-split medians
# (chorus 0.79, verse 0.79, pre-chorus 0.82, bridge 0.75: bench/styles.py).
POP909_RETURNS = {"chorus": 0.2, "verse": 0.12, "pre-chorus": 0.12, "bridge": 0.3}

# Mean section energies measured on POP909 (hierarchy/energy.py, 1,040 sections), rounded:
# intro 3.7, verse 4.2, pre-chorus 4.6, chorus 4.7, bridge 4.2, interlude 4.2, outro 3.5.
_POP_ENERGY = {"intro": 4, "verse": 4, "pre-chorus": 5, "chorus": 5, "post-chorus": 5,
               "bridge": 4, "interlude": 4, "solo": 5, "outro": 4, "breakdown": 2,
               "build": 4, "drop": 6, "head": 4}


def _t(name: str, program: int, role: str) -> TrackSpec:
    return TrackSpec(name=name, program=program, role=role, is_drum=role == "drums")


FIDDLE_TUNE = Style(
    name="folk",
    description="Fiddle tune: a reel in 4/4, strains AABB, over light chords",
    meter="4/4", tempo_range=(100, 120),  # the corpus's running sixteenths at dance speed
    keys=("D major", "G major", "A major", "E minor", "A minor", "C major"),
    instruments=(_t("Fiddle", 40, "melody"), _t("Guitar", 25, "harmony"),
                 _t("Bass", 32, "bass")),
    form="strain:A4B4 strain:A4B4 strain:C4D4 strain:C4D4",
    progressions={"strain": ("| I | IV | I | V | I | IV | V | I |",
                             "| I | V | vi | IV | I | IV | V | I |"),
                  "strain:C": ("| IV | I | IV | V | IV | I | V | I |",  # the B strain's own
                               "| vi | IV | I | V | vi | IV | V | I |")},
    energy={"strain": 4}, section_bars={"strain": 8}, phrase_bars=4,
    always_active=("melody", "harmony", "bass"), variation=0.1, idiom="folk",
)
"""The reel; the jig is the same tune in 6/8."""


STYLES: dict[str, Style] = {
    s.name: s
    for s in (
        Style(
            name="pop",
            description="Mandopop-style verse/chorus song; form and chords learned from POP909",
            meter="4/4", tempo_range=(84, 124),
            keys=("C major", "G major", "D major", "A major", "E major", "F major",
                  "Bb major", "Eb major", "Ab major", "A minor", "E minor"),
            instruments=(_t("Lead", 80, "melody"), _t("Strings", 48, "counter-melody"),
                         _t("Piano", 0, "harmony"), _t("Bass", 33, "bass"),
                         _t("Drums", 0, "drums")),
            form="intro:{intro} verse:{verse} {pre} chorus:8 verse:{verse} {pre} chorus:8 "
                 "{bridge} chorus:8 {last} outro:{outro}",
            form_options={"intro": ("4", "8"), "verse": ("8", "16"),
                          "pre": ("pre-chorus:4", "", "pre-chorus:8"),
                          "bridge": ("bridge:8", "bridge:4", "interlude:4 bridge:8", ""),
                          "last": ("", "chorus:8"), "outro": ("4", "8")},
            progressions={"intro": ("I V vi IV", "IV V iii vi"), "outro": ("IV V I I",)},
            energy=_POP_ENERGY, form_model=True, bridge_key_change=(0, 5, 8),
            variation_by_kind=POP909_RETURNS,
        ),
        Style(
            name="ballad",
            description="Slow piano ballad with strings; last chorus lifts a semitone",
            meter="4/4", tempo_range=(60, 78),
            keys=("C major", "D major", "Eb major", "F major", "G major", "Bb major"),
            instruments=(_t("Melody", 73, "melody"), _t("Strings", 49, "counter-melody"),
                         _t("Piano", 0, "harmony"), _t("Bass", 32, "bass"),
                         _t("Drums", 0, "drums")),
            form="intro:{intro} verse:8 {verse2} chorus:8 {interlude} verse:8 chorus:8 "
                 "{bridge} chorus:8 chorus:8 outro:{outro}",
            form_options={"intro": ("4", "2", "8"), "verse2": ("verse:8", ""),
                          "interlude": ("interlude:4", "", "interlude:8"),
                          "bridge": ("bridge:8", "bridge:4", ""), "outro": ("4", "8")},
            progressions={"intro": ("| I | V/3 | vi | IV |",), "outro": ("IV V/4 I I",)},
            energy={**_POP_ENERGY, "verse": 2, "chorus": 4, "bridge": 3, "intro": 2,
                    "outro": 2, "interlude": 2, "pre-chorus": 3},
            key_change=1, form_model=True, variation=0.2, bridge_key_change=(0, 5, 3),
            variation_by_kind=POP909_RETURNS,
        ),
        Style(
            name="rock",
            description="Guitar rock: riffing verses, big choruses, a guitar solo",
            meter="4/4", tempo_range=(112, 152),
            keys=("E major", "A major", "D major", "G major", "C major", "E minor"),
            instruments=(_t("Lead Guitar", 30, "melody"),
                         _t("Organ", 17, "counter-melody"),
                         _t("Rhythm Guitar", 29, "harmony"), _t("Bass", 34, "bass"),
                         _t("Drums", 0, "drums")),
            form="intro:{intro} verse:{verse} {pre} chorus:8 verse:{verse} {pre} chorus:8 "
                 "{middle} chorus:8 chorus:8 outro:{outro}",
            form_options={"intro": ("4", "8", "2"), "verse": ("8", "16"),
                          "pre": ("", "pre-chorus:4"),
                          "middle": ("solo:8", "solo:16", "bridge:8 solo:8", "solo:8 bridge:8"),
                          "outro": ("4", "8")},
            progressions={
                "intro": ("I bVII IV I",), "verse": ("I bVII IV I", "I IV I V"),
                "chorus": ("IV I V vi", "I V IV IV"), "solo": ("vi IV I V",),
                "bridge": ("vi IV I V",), "outro": ("I bVII IV I",),
            },
            energy={**_POP_ENERGY, "intro": 4, "verse": 4, "chorus": 6, "solo": 6,
                    "outro": 4},
            form_model=True, variation=0.3, bridge_key_change=(2, 5, -2),
            variation_by_kind=POP909_RETURNS,
        ),
        Style(
            name="blues",
            description="12-bar blues shuffle: heads and solo choruses on I7 IV7 V7",
            meter="4/4", tempo_range=(76, 120),
            keys=("E major", "A major", "G major", "C major", "Bb major"),
            instruments=(_t("Harmonica", 22, "melody"), _t("Organ", 16, "counter-melody"),
                         _t("Piano", 0, "harmony"), _t("Bass", 32, "bass"),
                         _t("Drums", 0, "drums")),
            form="{intro} head:12 {head2} {solos} head:12 {out} outro:{outro}",
            form_options={"intro": ("intro:4", "", "intro:8"), "head2": ("head:12", ""),
                          "solos": ("solo:12 solo:12", "solo:12", "solo:12 solo:12 solo:12"),
                          "out": ("", "head:12"), "outro": ("4", "2", "8")},
            progressions={
                "head": ("I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7",),
                "solo": ("I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7",),
                "intro": ("V7 IV7 I7 V7",), "outro": ("| I7 IV7 | I7 | V7 | I7 |",),
            },
            energy={"intro": 3, "head": 4, "solo": 5, "outro": 3},
            section_bars={"head": 12, "solo": 12}, variation=0.35, swing=SHUFFLE,
            variation_by_kind={"head": 0.35, "solo": 1.0},  # heads varied, solos free
        ),
        Style(
            name="jazz",
            description="Jazz standard: 32-bar AABA head, solos over the changes, head out",
            meter="4/4", tempo_range=(120, 200),
            keys=("Bb major", "F major", "Eb major", "C major", "Ab major"),
            instruments=(_t("Tenor Sax", 66, "melody"), _t("Vibraphone", 11, "counter-melody"),
                         _t("Piano", 0, "harmony"), _t("Upright Bass", 32, "bass"),
                         _t("Drums", 0, "drums")),
            form="{intro} verse:8 verse:8 bridge:8 verse:8 {solos} {out} bridge:8 verse:8 "
                 "{outro}",
            form_options={"intro": ("intro:4", "intro:8", ""),
                          "solos": ("solo:8 solo:8 solo:8 solo:8", "solo:8 solo:8",
                                    "solo:8 solo:8 solo:8 solo:8 solo:8 solo:8 solo:8 solo:8"),
                          "out": ("verse:8 verse:8", "verse:8"),
                          "outro": ("outro:4", "outro:8", "outro:2")},
            progressions={
                "verse": ("| Imaj7 vi7 | ii7 V7 | iii7 VI7 | ii7 V7 | Imaj7 I7 | IVmaj7 iv7 | "
                          "iii7 VI7 | ii7 V7 |",),
                "bridge": ("III7 % VI7 % II7 % V7 %",),
                "solo": ("| Imaj7 vi7 | ii7 V7 | iii7 VI7 | ii7 V7 | Imaj7 I7 | IVmaj7 iv7 | "
                         "iii7 VI7 | ii7 V7 |",),
                "intro": ("| ii7 V7 | iii7 VI7 | ii7 V7 | Imaj7 |",),
                "outro": ("| ii7 V7 | Imaj7 | IVmaj7 | Imaj7 |",),
            },
            energy={"intro": 2, "verse": 4, "bridge": 4, "solo": 5, "outro": 3},
            phrase_bars=8, variation=0.3, swing=SHUFFLE, swing_fast=0.58,
            variation_by_kind={"verse": 0.0, "bridge": 0.0, "solo": 1.0},  # the head verbatim
        ),
        Style(
            name="chorale",
            description="Four-part chorale (SATB) in bar form: two phrases sung twice, then "
                        "new ones, each ending on a held chord",
            meter="4/4", tempo_range=(60, 84),
            keys=("G major", "D major", "A major", "F major", "C major", "Bb major"),
            instruments=(_t("Soprano", 52, "melody"), _t("Alto", 52, "counter-melody"),
                         _t("Tenor", 52, "harmony"), _t("Bass", 52, "bass")),
            form="phrase:A2 phrase:B2 phrase:A2 phrase:B2 {abgesang}",
            form_options={"abgesang": ("phrase:C2 phrase:D2 phrase:F2 phrase:E2",
                                       "phrase:C2 phrase:F2 phrase:D2 phrase:E2",
                                       "phrase:C2 phrase:D2 phrase:F2 phrase:D2 phrase:E2",
                                       "phrase:C2 phrase:E2 phrase:D2 phrase:F2 phrase:E2",
                                       "phrase:C2 phrase:D2 phrase:F2 phrase:C2 phrase:D2 "
                                       "phrase:E2",
                                       "phrase:D2 phrase:C2 phrase:F2 phrase:E2")},
            progressions={  # half-bar harmonic rhythm; each phrase closes on a cadence
                "phrase:A": ("| I IV | V I |", "| I V/3 | vi I |"),
                "phrase:B": ("| I ii | V V |", "| vi IV | V V |"),
                "phrase:C": ("| vi iii | IV V |", "| IV I/3 | ii V |"),
                "phrase:D": ("| I IV | V vi |", "| V/V V | I vi |"),
                "phrase:E": ("| ii I/3 | V I |", "| IV V | I I |"),
                "phrase:F": ("| IV I | V V |", "| ii V/V | V V |"),
            },
            energy={"phrase": 2},
            always_active=("melody", "counter-melody", "harmony", "bass"),
            section_bars={"phrase": 2}, phrase_bars=2, variation=0.0, idiom="chorale",
            four_part=True,
        ),
        FIDDLE_TUNE,
        replace(FIDDLE_TUNE, name="jig", meter="6/8", tempo_range=(104, 124),
                description="Fiddle tune: a jig in 6/8, strains AABB, over light chords"),
        Style(
            name="house",
            description="House/EDM: four-on-the-floor, builds and drops on a minor loop",
            meter="4/4", tempo_range=(120, 128),
            keys=("A minor", "F minor", "C minor", "G minor", "D minor"),
            instruments=(_t("Saw Lead", 81, "melody"), _t("Pluck", 84, "counter-melody"),
                         _t("Pad", 89, "harmony"), _t("Synth Bass", 38, "bass"),
                         _t("Drums", 0, "drums")),
            form="intro:{intro} verse:{verse} build:{build} drop:16 breakdown:{breakdown} "
                 "build:{build} drop:16 {again} outro:{outro}",
            form_options={"intro": ("8", "16"), "verse": ("16", "8"), "build": ("8", "4"),
                          "breakdown": ("8", "16"), "again": ("", "drop:8", "breakdown:8 drop:16"),
                          "outro": ("8", "16")},
            progressions={kind: ("i VI III VII", "i iv VI V") for kind in
                          ("intro", "verse", "build", "drop", "breakdown", "outro")},
            energy={"intro": 3, "verse": 4, "build": 5, "drop": 7, "breakdown": 2,
                    "outro": 3},
            section_bars={"intro": 8, "verse": 16, "build": 8, "drop": 16, "breakdown": 8,
                          "outro": 8},
            variation=0.15, minor_progressions=True,
        ),
        Style(
            name="waltz",
            description="Waltz in 3/4: violin tune over oom-pah-pah",
            meter="3/4", tempo_range=(84, 168),
            keys=("D major", "G major", "F major", "Bb major", "A major"),
            instruments=(_t("Violin", 40, "melody"), _t("Clarinet", 71, "counter-melody"),
                         _t("Piano", 0, "harmony"), _t("Bass", 43, "bass")),
            form="intro:{intro} verse:{verse} chorus:16 verse:{verse} chorus:16 {middle} "
                 "outro:{outro}",
            form_options={"intro": ("4", "8", "2"), "verse": ("16", "8"),
                          "middle": ("", "bridge:8 chorus:16", "bridge:16 chorus:16",
                                     "chorus:16"),
                          "outro": ("4", "8")},
            progressions={
                "intro": ("I V7 I V7",), "verse": ("I I V7 V7 V7 V7 I I",),
                "chorus": ("IV IV I I V7 V7 I I", "ii ii V7 V7 I I vi vi"),
                "outro": ("IV V7 I I",), "bridge": ("vi vi iii iii IV IV V7 V7",),
            },
            energy={"intro": 2, "verse": 3, "chorus": 4, "bridge": 3, "outro": 2},
            section_bars={"verse": 16, "chorus": 16}, variation=0.2,
            always_active=("harmony", "bass"), band_roles=("harmony",),
        ),
    )
}
DEFAULT_STYLE = "pop"
STYLE_ALIASES = {"edm": "house", "12-bar-blues": "blues", "12bar": "blues", "aaba": "jazz",
                 "jazz-standard": "jazz", "bach": "chorale", "3/4": "waltz",
                 "reel": "folk", "fiddle": "folk", "6/8": "jig"}


def _style_key(name: str) -> str:
    """A style name as ``STYLES`` keys it: lower case, an alias resolved."""
    key = name.strip().lower()
    return STYLE_ALIASES.get(key, key)


def get_style(name: str) -> Style:
    """The built-in style ``name`` (case-insensitive, a few aliases such as ``edm``)."""
    if not isinstance(name, str):
        raise TemplateError(f"expected a style name, got {name!r}")
    key = _style_key(name)
    if key not in STYLES:
        close = difflib.get_close_matches(key, list(STYLES), n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise TemplateError(
            f'unknown style "{name}"{hint}: expected one of {", ".join(STYLES)}'
        )
    return STYLES[key]


BAND = {
    "pop": ("roots in figures drawn per section (octaves, approaches, pushes)",
            "backbeat: kick on 1 and 3, snare on 2 and 4, eighth hats from energy 4",
            "block chords, broken chords, off-beat stabs or pushes by section"),
    "ballad": ("roots held, then figures as the energy rises", "soft backbeat",
               "piano chords, broken at low energy"),
    "rock": ("driving eighths on the root (plain, octaves or a gallop by section)",
             "backbeat with eighth hats, crashes into sections",
             "power chords (root, fifth, octave) in eighths, a chug or quarters"),
    "blues": ("boogie (1-3-5-6-b7 and back) in shuffled eighths; a turnaround walking into "
              "the next chorus in bars 11-12", "shuffle: ride or hats on every eighth",
              "piano chords on the beats"),
    "jazz": ("two-feel for the head in, walking from the solos on (a note every beat, "
             "chromatic approaches)", "ride pattern, hi-hat on 2 and 4, feathered kick",
             "rootless voicings on the Charleston, its reverse, or 2 and 4"),
    "chorale": ("the bass voice", "none", "four voices"),
    "folk": ("the root on 1 and 3, the fifth between", "none",
             "guitar chords on the beats, light"),
    "jig": ("the root on each dotted quarter", "none", "guitar chords on the dotted beats"),
    "house": ("the root on every off-beat eighth (plain, octaves or rolling)",
              "four on the floor, off-beat open hats, claps on 2 and 4",
              "a pad that ducks under every kick in builds and drops (CC11)"),
    "waltz": ("the root on 1", "none",
              "oom-pah-pah: chords on 2 and 3, the band's whoever writes the tune"),
}
"""What the arranger's band plays in each style: (bass, drums, comping)."""


def feel_text(style: Style) -> str:
    """The style's feel in words."""
    if style.swing == STRAIGHT:
        return "straight"
    if style.swing_fast is None:
        return f"shuffle {style.swing:.2f}"
    return (f"swing {style.swing:.2f} at {SWING_SLOW_TEMPO:.0f} BPM, lightening to "
            f"{style.swing_fast:.2f} by {SWING_FAST_TEMPO:.0f}")


def returns_text(style: Style) -> str:
    """How the style's sections come back, in words."""
    if not style.variation_by_kind:
        return f"restated with variation {style.variation:.2f}"
    parts = [f"{kind} {value:.2f}" for kind, value in style.variation_by_kind.items()]
    return "variation by kind: " + ", ".join(parts) + f" (others {style.variation:.2f})"


def band_roles(style: str) -> tuple[str, ...]:
    """The roles ``style``'s band plays whoever writes the notes (none for a style that is
    not built in, such as an analysed song's)."""
    key = STYLE_ALIASES.get(style.strip().lower(), style.strip().lower()) \
        if isinstance(style, str) else ""
    return STYLES[key].band_roles if key in STYLES else ()


def style_idiom(style: str) -> str:
    """The corpus idiom a plan of ``style`` is written in: the built-in style's, else pop
    (an analysed song, an unknown name)."""
    key = _style_key(style)
    return STYLES[key].idiom if key in STYLES else "pop"


def four_part(style: str) -> bool:
    """Whether ``style`` is written in four voices (``Style.four_part``: the chorale)."""
    return style in STYLES and STYLES[style].four_part


def writer_roles(roles, style: str) -> tuple[str, ...]:
    """Of a note writer's ``roles``, those it writes in ``style``: all but the band's."""
    return tuple(role for role in roles if role not in band_roles(style))
