"""Songs shared by the render tests (the neural engines share `short_song`: 6 s at 120 BPM)."""

from __future__ import annotations

import pytest

from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Section, Template
from songform.song import Song
from songform.symbolic.arranger import arrange


def changing_template() -> Template:
    """Tempo, meter and key change between sections; a chorus returns."""
    return Template(
        sections=[Section("intro", bars=2, chords="I V"),
                  Section("verse", bars=4, chords="I vi IV V"),
                  Section("chorus", bars=4, meter="3/4", tempo=90, key="A major",
                          chords="| IV | V | vi | I |"),
                  Section(repeat="verse 1", variation=0.0),
                  Section("bridge", bars=2, meter="7/8", chords="ii V"),
                  Section("outro", bars=2, chords="IV I")],
        key="D major", tempo=120, style="pop", title="Changes")


@pytest.fixture(scope="session")
def changing_song() -> Song:
    return Song.from_symbolic(arrange(plan_song(changing_template(), seed=4)))

@pytest.fixture(scope="session")
def short_song():
    import songform

    return songform.compose(songform.Template(form="verse:1 chorus:1 verse:1",
                                              style="pop", tempo=120, key="C"), seed=1,
                            notes="arranger")
