"""JSB chorales as four-part ``PlannedScore`` objects (SATB tracks), plans derived by analysis:
the chorale style, one ``phrase`` section per two-bar phrase (the grid keeps no fermatas; two
bars of 4/4 is the length most of Bach's chorale phrases take)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from symusic import Note, Score, Tempo, TimeSignature, Track

from songform.hierarchy.plan import TrackSpec
from songform.symbolic.song import PlannedScore
from songform.symbolic.ticks import TICKS_PER_QUARTER

from .analysis import AnalysisConfig, derive_plan
from .idiom_plans import idiom_plan
from .jsb import load_jsb

VOICES = (TrackSpec("Soprano", 52, "melody"), TrackSpec("Alto", 52, "counter-melody"),
          TrackSpec("Tenor", 52, "harmony"), TrackSpec("Bass", 52, "bass"))
STEP_TICKS = TICKS_PER_QUARTER // 4
PHRASE = AnalysisConfig(phrase_quarters=8)


def chorale_score(chorale) -> Score:
    """Held notes from the sixteenth-step grid (a repeated pitch is held)."""
    score = Score(TICKS_PER_QUARTER)
    score.tempos.append(Tempo(0, 80.0))
    score.time_signatures.append(TimeSignature(0, 4, 4))
    for voice, spec in enumerate(VOICES):
        track = Track(name=spec.name, program=spec.program)
        start, pitch = 0, None
        for step in range(len(chorale) + 1):
            current = int(chorale[step][voice]) if step < len(chorale) else None
            if current != pitch:
                if pitch is not None and pitch >= 0:
                    track.notes.append(Note(start * STEP_TICKS, (step - start) * STEP_TICKS,
                                            pitch, 80))
                start, pitch = step, current
        score.tracks.append(track)
    return score


def jsb_songs(path: str | Path, split: str | None = None) -> Iterator[tuple[str, PlannedScore]]:
    """``(name, PlannedScore)`` for the chorales of ``split`` (all splits when None)."""
    data = load_jsb(path)
    for name in (split,) if split else ("train", "valid", "test"):
        for index, chorale in enumerate(data[name]):
            score = chorale_score(chorale)
            plan = derive_plan(score, title=f"JSB {name} {index}", config=PHRASE, tracks=VOICES)
            yield f"{name}-{index:03d}", PlannedScore(
                plan=idiom_plan(plan, "chorale", "phrase", section_per_phrase=True),
                score=score)
