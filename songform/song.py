"""The ``Song`` users hold: notes and plan, with saving and rendering methods."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from songform.core.fileio import atomic_write_text
from songform.render.audio import AudioConfig, mixdown, synthesize, write_stems
from songform.render.engines import FluidSynthRenderer
from songform.render.midi import midi_file, write_midi
from songform.render.musicxml import write_musicxml
from songform.render.pianoroll import draw_pianoroll
from songform.symbolic.song import PlannedScore
from songform.symbolic.writers import note_writer

from .daw import read_edited_midi
from .daw import with_notes as with_edited_notes
from .edit import EditRequest, edit_song, edit_writer, memory_project
from .plan_edits import transposed as transposed_song
from .plan_edits import with_tempo as with_song_tempo
from .plan_edits import without_track as without_song_track
from .project import Project, token_bars


@dataclass(repr=False)
class Song(PlannedScore):
    """A composed song: ``plan`` (the ``SongPlan``), ``score`` (a symusic ``Score``) and
    ``project`` (its ``song.json`` record, when it has one: seed, who wrote it with which
    sampling settings, the edits so far; what the next edit starts from)."""

    project: Project | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_symbolic(cls, song: PlannedScore, project: Project | None = None) -> Song:
        return cls(plan=song.plan, score=song.score, written=song.written, project=project)

    def __repr__(self) -> str:
        minutes, seconds = divmod(round(self.plan.duration_seconds), 60)
        notes = sum(len(t.notes) for t in self.score.tracks)
        return (f"Song({self.plan.title!r}, {self.plan.num_bars} bars, {minutes}:{seconds:02d}, "
                f"{len(self.plan.sections)} sections, {notes:,} notes)")

    def _repr_html_(self) -> str:
        """In Jupyter: the piano roll and an audio player (FluidSynth at 22.05 kHz, Ogg
        Vorbis, about 1 MB a minute; left out with a line saying why when FluidSynth or a
        SoundFont is missing)."""
        import base64
        import html
        import io
        import tempfile

        import soundfile

        with tempfile.TemporaryDirectory() as folder:
            roll = Path(folder) / "roll.png"
            self.pianoroll(roll)
            image = base64.b64encode(roll.read_bytes()).decode()
            try:
                config = AudioConfig(sample_rate=22050)
                samples = synthesize(midi_file(self), None, config)
                buffer = io.BytesIO()
                soundfile.write(buffer, samples, config.sample_rate, format="OGG",
                                subtype="VORBIS")
                audio = (f'<audio controls src="data:audio/ogg;base64,'
                         f'{base64.b64encode(buffer.getvalue()).decode()}"></audio>')
            except Exception as error:  # no FluidSynth or SoundFont: the roll alone
                audio = f"<p>(no audio: {html.escape(str(error).splitlines()[0])})</p>"
        return (f"<div><p><b>{html.escape(repr(self))}</b></p>"
                f'<img style="max-width:100%" src="data:image/png;base64,{image}"/>'
                f"{audio}</div>")

    def save_midi(self, path: str | Path) -> Path:
        """Write a DAW-ready type-1 MIDI file."""
        return write_midi(self, path)

    def save_musicxml(self, path: str | Path) -> Path:
        """Write MusicXML for notation programs."""
        return write_musicxml(self, path)

    def save_plan(self, path: str | Path) -> Path:
        """Write the plan as JSON."""
        atomic_write_text(path, self.plan.to_json())
        return Path(path)

    def render_audio(self, path: str | Path, soundfont: str | Path | None = None,
                     config: AudioConfig | None = None) -> Path:
        """Render the mastered song through FluidSynth: WAV, FLAC, Ogg Vorbis or MP3 by
        suffix, -14 LUFS with its true peak at or under -1 dBTP unless ``config`` says."""
        return FluidSynthRenderer(soundfont, config).render(self, path)

    def render_stems(self, folder: str | Path, soundfont: str | Path | None = None,
                     config: AudioConfig | None = None) -> list[Path]:
        """One 32-bit float WAV per track in ``folder`` (``<track>.wav``), sample-aligned,
        of one length, at the master's gain: summed, they give the mix before the limiter.
        Returns the stems' paths."""
        config = config or AudioConfig()
        audio = mixdown(midi_file(self), soundfont, config, stems=True)
        return write_stems(audio, folder, self.plan.title)

    def regenerate(self, section: str | None = None, *, bars: str | None = None,
                   seed: int = 1, keep_restatements: bool = False, notes: str = "auto",
                   checkpoint: str | Path | None = None, candidates: int = 1,
                   track: str | None = None, temperature: float | None = None,
                   top_p: float | None = None, chord_bias: float | None = None) -> Song:
        """This song with a section (``"bridge"``, ``"chorus 2"``) or bars (``"17-20"``)
        written again, or only its ``track`` there; every other note kept. The same edit as
        ``songform edit --regenerate`` (``songform.edit``): the model is fed the song's own
        tokens for the rest when it wrote them, samples with the project's settings unless
        given here, and writes ``candidates`` takes side by side, keeping the best."""
        return self._edited(EditRequest(
            regenerate=section, bars=bars, track=track, seed=seed,
            keep_restatements=keep_restatements, chord_bias=chord_bias), notes, checkpoint,
            candidates, temperature=temperature, top_p=top_p)

    def edit(self, section: str, *, seed: int = 1, notes: str = "auto",
             checkpoint: str | Path | None = None, candidates: int = 1,
             **changes: str | int) -> Song:
        """This song with a section's fields changed (``energy=7``, ``chords="vi IV I V"``)
        and that section written again under the new plan, as ``songform edit --set``;
        every other note kept."""
        sets = tuple(f"{section} {name}={value}" for name, value in changes.items())
        return self._edited(EditRequest(sets=sets, seed=seed), notes, checkpoint, candidates)

    def extended(self, section: str, bars: int, *, seed: int = 1, notes: str = "auto",
                 checkpoint: str | Path | None = None) -> Song:
        """This song with ``bars`` more bars at the end of ``section``, written conditioned
        on the music around them, as ``songform edit --extend``; every other note kept
        (later ones moved on in time)."""
        return self._edited(EditRequest(extend=(section, bars), seed=seed), notes, checkpoint)

    def with_track(self, spec: str, seed: int = 0, *, notes: str = "auto",
                   checkpoint: str | Path | None = None,
                   chord_bias: float | None = None) -> Song:
        """This song with a track ``"Name:role[:program]"`` in every section, as ``songform
        edit --add-track``: written by the model around the song's notes where it writes the
        role and the song has no part of that role yet, else played by the arranger
        (``notes="arranger"`` asks for it)."""
        return self._edited(EditRequest(add_tracks=(spec,), seed=seed, chord_bias=chord_bias),
                            notes, checkpoint, chord_bias=chord_bias)

    def _edited(self, request, notes: str, checkpoint: str | Path | None, takes: int = 1,
                **settings: float | None) -> Song:
        """``request`` carried out on this song by ``songform.edit.edit_song``."""
        project = self.project or memory_project(self)
        writer = edit_writer(project, notes, checkpoint, takes=takes, **settings)
        done = edit_song(project, request, writer, self)
        return Song.from_symbolic(done.song, done.project)

    def with_notes(self, midi: str | Path, *, notes: str = "auto",
                   checkpoint: str | Path | None = None) -> Song:
        """This song with the notes of ``midi`` (its MIDI file changed in a DAW) in every bar
        where they differ from what songform wrote, tokenized again for the model; the plan
        kept, so any edit can follow. The plan's last note names the bars taken."""
        model = note_writer(notes, checkpoint).song_model
        song, changed = with_edited_notes(self, read_edited_midi(midi),
                                       model.tokenizer if model is not None else None,
                                       model.roles_for(self.plan) if model is not None else ())
        line = (f"bars {', '.join(str(b + 1) for b in changed)} taken from {Path(midi).name}"
                if changed else f"no bar of {Path(midi).name} differs from the song")
        plan = dataclasses.replace(song.plan, notes=(*song.plan.notes, line))
        return self._kept(Song(plan=plan, score=song.score, written=song.written))

    def with_tempo(self, bpm: float) -> Song:
        """This song at ``bpm`` (every section keeps its ratio to the first); no note moves
        in beats."""
        return self._kept(with_song_tempo(self, bpm))

    def transposed(self, semitones: int) -> Song:
        """This song in another key: keys, chords and pitched notes moved; drums stay."""
        return self._kept(transposed_song(self, semitones))

    def without_track(self, name: str) -> Song:
        """This song without track ``name`` (plan, notes and the model's tokens)."""
        return self._kept(without_song_track(self, name))

    def _kept(self, song: PlannedScore) -> Song:
        """``song`` (this one changed without writing notes) with this song's project: its
        seed, sampling settings and edits carry on to the next edit."""
        if self.project is None:
            return Song.from_symbolic(song)
        bars = token_bars(song)
        return Song.from_symbolic(song, dataclasses.replace(self.project, plan=song.plan,
                                                            bars=bars))

    def pianoroll(self, path: str | Path) -> Path:
        """Draw a piano-roll PNG with section bands and chord names."""
        return draw_pianoroll(self, path)
