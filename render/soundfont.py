"""Finding a General MIDI SoundFont: an explicit path, ``$SONGFORM_SOUNDFONT``, or the
system packages that ``make setup`` installs (fluid-soundfont-gm, timgm6mb-soundfont)."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import RenderError

ENV_VAR = "SONGFORM_SOUNDFONT"
SYSTEM_SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
)


def find_soundfont(explicit: str | Path | None = None) -> Path:
    """The SoundFont to use: ``explicit``, else ``$SONGFORM_SOUNDFONT``, else a system one.

    Raises:
        RenderError: the named file does not exist, or none is installed.
    """
    for source, candidate in (("--soundfont", explicit), (ENV_VAR, os.environ.get(ENV_VAR))):
        if candidate:
            path = Path(candidate)
            if not path.is_file():
                raise RenderError(f"SoundFont not found: {path} (from {source})")
            return path
    for candidate in SYSTEM_SOUNDFONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise RenderError(
        "no General MIDI SoundFont found: install one (`apt-get install fluid-soundfont-gm`, "
        f"done by `make setup`), or pass --soundfont / set {ENV_VAR}")
