"""Finding a General MIDI SoundFont: an explicit path, ``$SONGFORM_SOUNDFONT``, or the
system packages that ``make setup`` installs: MuseScore's General SoundFont where present
(its Lite edition first, musescore-general-soundfont-small: its presets load in a tenth of the
full edition's time, which keeps rendering above 50x real time; sf3, MIT), else FluidR3
(fluid-soundfont-gm)."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import RenderError

ENV_VAR = "SONGFORM_SOUNDFONT"
SYSTEM_SOUNDFONTS = (
    "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3",  # fast to load: bench/RESULTS.md
    "/usr/share/sounds/sf3/MuseScore_General.sf3",
    "/usr/share/sounds/sf3/MuseScore_General_Full.sf3",
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
)


def find_soundfont(explicit: str | Path | None = None) -> Path:
    """The SoundFont to use: ``explicit``, else ``$SONGFORM_SOUNDFONT``, else a system one.

    Raises:
        RenderError: the named file does not exist or is not a SoundFont, or none is
            installed.
    """
    for source, candidate in (("--soundfont", explicit), (ENV_VAR, os.environ.get(ENV_VAR))):
        if candidate:
            path = Path(candidate)
            if not path.is_file():
                raise RenderError(f"SoundFont not found: {path} (from {source})")
            return _checked(path, source)
    for candidate in SYSTEM_SOUNDFONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise RenderError(
        "no General MIDI SoundFont found: install one (`apt-get install fluid-soundfont-gm`, "
        f"done by `make setup`), or pass --soundfont / set {ENV_VAR}")


def _checked(path: Path, source: str) -> Path:
    """``path`` if it starts as a SoundFont 2 file does (a RIFF chunk of type ``sfbk``), checked
    before any work so that a wrong file fails at once, not after the notes are written."""
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError as error:
        raise RenderError(f"cannot read the SoundFont {path}: {error.strerror}") from None
    if head[:4] != b"RIFF" or head[8:12] != b"sfbk":
        raise RenderError(f"{path} (from {source}) is not a SoundFont file (.sf2 or .sf3)")
    return path
