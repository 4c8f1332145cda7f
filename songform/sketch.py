"""A user's sketch continued into a whole song (``songform continue``, ``generate --primer``).

The sketch's bars open the song as they are, note for note, under the plan derived from them
(key, chords, phrases by analysis); the rest of the song is planned from the template (by
default in the sketch's key, meter and tempo) and written by the note writer conditioned on
the sketch: the model is fed the sketch's own tokens for its bars, as ``edit`` feeds a song's
kept bars. The sketch's tracks play the song's tracks of their role (a role the song lacks
adds the sketch's track).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from symusic import Score, Track

from songform.core.errors import InputError
from songform.data.errors import CorpusError
from songform.data.midi_files import read_midi_song
from songform.hierarchy.plan import PhrasePlan, SectionPlan, SongPlan, TrackSpec
from songform.hierarchy.planner import plan_song
from songform.hierarchy.template import Template
from songform.symbolic.song import PlannedScore, bar_lines, conductor_score


def continuation_plan(sketch: SongPlan, template: Template, bars: int, seed: int,
                      note_counts: dict[str, int] | None = None) -> SongPlan:
    """The sketch's sections, then the template's planned for the bars left (an intro the
    style's form opens with is dropped: the sketch opens the song). A form sampled from the
    style comes as near ``bars`` in all as the style's form model allows; a given form is
    played as it is. The sketch's tracks keep their names and programs; where two share a
    role, the one with the most notes (``note_counts``) plays it on."""
    first = sketch.num_bars
    if bars <= first:
        raise InputError(f"--bars {bars}: the sketch already has {first} bars; ask for more")
    last = sketch.sections[-1]
    defaults = {"key": last.key, "meter": last.meter, "tempo": last.tempo}
    changes = {name: value for name, value in defaults.items()
               if getattr(template, name) is None}
    wanted, best = bars - first, None
    for attempt in range(8):  # sampled forms vary in length: the nearest of a few draws
        if template.sections is None:
            changes["bars"] = wanted
        rest = plan_song(template.replace(**changes), seed + 7919 * attempt)
        kept = set(range(len(rest.sections)))
        while len(kept) > 1 and rest.sections[min(kept)].kind == "intro":
            kept.remove(min(kept))
        length = sum(rest.sections[i].bars for i in kept)
        if best is None or abs(length - wanted) < abs(best[2] - wanted):
            best = (rest, kept, length)
        if template.sections is not None or length == wanted:
            break
    rest, kept, _ = best
    tracks, renamed = _joined_tracks(_by_notes(sketch.tracks, note_counts), rest.tracks)
    later = tuple(dataclasses.replace(s, tracks=tuple(renamed[t] for t in s.tracks))
                  for s in _renumbered(rest, kept, len(sketch.phrases())))
    return SongPlan(title=template.title or f"{sketch.title} (continued)",
                    style=rest.style, seed=seed, tracks=tracks,
                    sections=tuple(sketch.sections) + later,
                    notes=rest.notes + (f"bars 1-{first}: the sketch, its plan by analysis",))


def _joined_tracks(sketch: tuple[TrackSpec, ...], song: tuple[TrackSpec, ...]
                   ) -> tuple[tuple[TrackSpec, ...], dict[str, str]]:
    """The sketch's tracks as they are (name, program and channel) in the song: the first sketch
    track of a role (in the order given) takes the place of the song's track of that role
    and plays it on after the sketch; a sketch track whose role the song lacks, or a second
    of a role, joins as its own track. Returns the tracks and each song track's new name
    (the song's own tracks give way to the sketch's names)."""
    tracks = list(song)
    renamed: dict[str, str] = {}
    extra = []
    for track in sketch:
        index = next((i for i, t in enumerate(song) if song[i].name not in renamed
                      and t.role == track.role and t.is_drum == track.is_drum), None)
        if index is None:
            extra.append(track)
            continue
        renamed[song[index].name] = track.name
        tracks[index] = dataclasses.replace(song[index], name=track.name,
                                            program=track.program, channel=track.channel)
    taken = {track.name for track in sketch}
    for index, track in enumerate(song):
        if track.name in renamed:
            continue
        name = track.name
        while name in taken:  # a song track whose name a sketch track holds
            name += "'"
        taken.add(name)
        renamed[track.name] = name
        tracks[index] = dataclasses.replace(track, name=name)
    return tuple(tracks) + tuple(extra), renamed


def _renumbered(plan: SongPlan, kept: set[int], offset: int) -> tuple[SectionPlan, ...]:
    """The sections of ``plan`` whose indices are in ``kept``, every restated phrase's index
    moved to its place after the sketch's ``offset`` phrases (a phrase that restated a
    dropped one is written afresh)."""
    moved: dict[int, int] = {}
    out, flat = [], 0
    for index, section in enumerate(plan.sections):
        phrases: list[PhrasePlan] = []
        for phrase in section.phrases:
            if index in kept:
                if phrase.repeat_of is not None:
                    source = moved.get(phrase.repeat_of)
                    phrase = dataclasses.replace(
                        phrase, repeat_of=source,
                        variation=phrase.variation if source is not None else 0.0)
                moved[flat] = offset + len(moved)
                phrases.append(phrase)
            flat += 1
        if phrases:
            out.append(dataclasses.replace(section, phrases=tuple(phrases)))
    return tuple(out)


MELODY_NAMES = ("melody", "lead", "vocal", "voice", "sing", "tune", "flute", "sax")


def _by_notes(tracks: tuple[TrackSpec, ...], notes: dict[str, int] | None = None
              ) -> tuple[TrackSpec, ...]:
    """``tracks`` with, within each role, the track holding the most notes first (the one
    that plays the role on after the sketch); ``notes`` counts them by name."""
    if not notes:
        return tracks
    return tuple(sorted(tracks, key=lambda t: -notes.get(t.name, 0)))


def with_roles(plan: SongPlan, score: Score) -> SongPlan:
    """``plan`` (derived by analysis, where every pitched track is harmony) with each track's
    role guessed: drums stay drums; a name that says melody or bass says so; else the only
    pitched track, or the highest mostly one-voice track, is the melody, a low one-voice
    track is the bass, and the highest other one-voice track the counter-melody."""
    notes = {t.name: list(t.notes) for t in score.tracks}
    stats = {}
    for spec in plan.tracks:
        track = notes.get(spec.name, [])
        if spec.is_drum or not track:
            continue
        ends = sorted((n.time, n.time + n.duration) for n in track)
        overlapping = sum(1 for (start, _), (_, end) in zip(ends[1:], ends, strict=False)
                          if start < end)
        stats[spec.name] = (sum(n.pitch for n in track) / len(track),
                            overlapping / len(track))
    roles = {}
    for name in stats:
        lowered = name.lower()
        if any(word in lowered for word in MELODY_NAMES):
            roles[name] = "melody"
        elif "bass" in lowered:
            roles[name] = "bass"
    if "melody" not in roles.values() and stats:
        voices = [n for n, (_, chords) in stats.items() if chords < 0.2 and n not in roles]
        pool = voices if len(stats) > 1 else list(stats)
        if pool:
            roles[max(pool, key=lambda n: stats[n][0])] = "melody"
    for name, (pitch, chords) in stats.items():
        if name not in roles and chords < 0.2 and pitch < 52 and len(stats) > 1:
            roles[name] = "bass"
    if "melody" in roles.values():  # a second one-voice line above the bass answers it
        lines = [n for n, (pitch, chords) in stats.items()
                 if n not in roles and chords < 0.2 and pitch >= 55]
        if lines:
            roles[max(lines, key=lambda n: stats[n][0])] = "counter-melody"
    tracks = tuple(dataclasses.replace(t, role=roles.get(t.name, t.role)) for t in plan.tracks)
    return dataclasses.replace(plan, tracks=tracks)


def sketch_on_plan(sketch: PlannedScore, plan: SongPlan) -> PlannedScore:
    """The sketch's notes in ``plan``'s tracks, each sketch track in its own (every track of
    the plan present, the song's own empty)."""
    by_name = {t.name: t for t in plan.tracks}
    sources = {t.name: [] for t in plan.tracks}
    planned = {t.name for t in sketch.plan.tracks}
    for track in sketch.score.tracks:
        if track.name in planned:
            sources[track.name].extend(track.notes)
    score = Score(sketch.tpq)
    score.tempos, score.time_signatures = sketch.score.tempos, sketch.score.time_signatures
    score.key_signatures = sketch.score.key_signatures
    for name, notes in sources.items():
        spec = by_name[name]
        track = Track(name=name, program=max(spec.program, 0), is_drum=spec.is_drum)
        for note in sorted(notes, key=lambda n: (n.time, n.pitch)):
            track.notes.append(note.copy())
        score.tracks.append(track)
    return PlannedScore(plan=plan, score=score)


def read_sketch(path: str | Path, count: int = 1) -> PlannedScore:
    """The sketch a song opens with (``--primer``), read with its plan by analysis.

    Raises:
        InputError: more than one song asked for, a missing or unreadable file (named).
    """
    if count != 1:
        raise InputError("--primer: one song at a time (--count 1)")
    try:
        return read_midi_song(path)
    except CorpusError as error:
        raise InputError(f"--primer: {error}") from None


def continue_sketch(sketch: PlannedScore, template: Template, bars: int, seed: int, writer,
                    progress=None) -> PlannedScore:
    """The song that opens with ``sketch`` and goes on to ``bars`` bars (see the module
    docstring)."""
    sketch = PlannedScore(plan=with_roles(sketch.plan, sketch.score), score=sketch.score)
    counts = {track.name: len(track.notes) for track in sketch.score.tracks}
    plan = continuation_plan(sketch.plan, template, bars, seed, counts)
    opening = sketch_on_plan(sketch, plan)
    first = sketch.plan.num_bars
    song = writer.write(plan, seed, progress, around=opening,
                        bars=range(first, plan.num_bars), tracks=[t.name for t in plan.tracks])
    return with_conductor(song, sketch.score, first)


def with_conductor(song: PlannedScore, sketch: Score, bars: int) -> PlannedScore:
    """``song`` with the maps any song has (a marker per section, the key signatures, the
    meters, from its plan) and the sketch's own tempo map in its ``bars`` bars, the plan's
    tempi after them."""
    planned = conductor_score(song.plan, song.tpq)
    end = bar_lines(song.plan, song.tpq)[bars]
    score = song.score.copy()
    score.tempos = [t for t in sketch.tempos if t.time < end] + [
        t for t in planned.tempos if t.time >= end]
    score.time_signatures = planned.time_signatures
    score.key_signatures = planned.key_signatures
    score.markers = planned.markers
    return type(song)(plan=song.plan, score=score, written=song.written)
