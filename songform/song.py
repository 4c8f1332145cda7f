"""The ``Song`` users hold: notes and plan, with saving and rendering methods."""

from __future__ import annotations

from pathlib import Path

from songform.core.fileio import atomic_write_text
from songform.render.audio import AudioConfig, mixdown, synthesize, write_stems
from songform.render.engines import FluidSynthRenderer
from songform.render.midi import midi_file, write_midi
from songform.render.musicxml import write_musicxml
from songform.render.pianoroll import draw_pianoroll
from songform.symbolic.song import PlannedScore


class Song(PlannedScore):
    """A composed song: ``plan`` (the ``SongPlan``) and ``score`` (a symusic ``Score``)."""

    @classmethod
    def from_symbolic(cls, song: PlannedScore) -> Song:
        return cls(plan=song.plan, score=song.score, written=song.written)

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
                   track: str | None = None) -> Song:
        """This song with a section (``"bridge"``, ``"chorus 2"``) or bars (``"17-20"``)
        written again, or only its ``track`` there; every other note kept (see
        ``songform.project``). The model is fed the song's own tokens for the rest when it
        wrote them; otherwise the arranger writes the part."""
        from songform.project import part_bars, regenerate
        from songform.symbolic.generate import GenerateConfig
        from songform.symbolic.writers import note_writer

        asked, chosen = part_bars(self.plan, section, bars, keep_restatements)
        writer = note_writer(notes, checkpoint, config=GenerateConfig(takes=candidates))
        return regenerate(self, chosen, seed, writer, asked, track)

    def with_notes(self, midi: str | Path, *, notes: str = "auto",
                   checkpoint: str | Path | None = None) -> Song:
        """This song with the notes of ``midi`` (its MIDI file changed in a DAW) in every bar
        where they differ from what songform wrote, tokenized again for the model; the plan
        kept, so any edit can follow. The plan's last note names the bars taken."""
        import dataclasses

        from songform.daw import read_edited_midi, with_notes
        from songform.symbolic.writers import note_writer

        model = note_writer(notes, checkpoint).song_model
        song, changed = with_notes(self, read_edited_midi(midi),
                                   model.tokenizer if model is not None else None,
                                   model.roles if model is not None else ())
        line = (f"bars {', '.join(str(b + 1) for b in changed)} taken from {Path(midi).name}"
                if changed else f"no bar of {Path(midi).name} differs from the song")
        plan = dataclasses.replace(song.plan, notes=(*song.plan.notes, line))
        return Song(plan=plan, score=song.score, written=song.written)

    def with_tempo(self, bpm: float) -> Song:
        """This song at ``bpm`` (every section keeps its ratio to the first); no note moves
        in beats."""
        from songform.plan_edits import with_tempo

        return with_tempo(self, bpm)

    def transposed(self, semitones: int) -> Song:
        """This song in another key: keys, chords and pitched notes moved; drums stay."""
        from songform.plan_edits import transposed

        return transposed(self, semitones)

    def with_track(self, spec: str, seed: int = 0, *, notes: str = "auto",
                   checkpoint: str | Path | None = None,
                   chord_bias: float | None = None) -> Song:
        """This song with a track ``"Name:role[:program]"`` in every section: written by the
        model around the song's notes where it writes the role and the song has no part of
        that role yet, else played by the arranger (``notes="arranger"`` asks for it)."""
        from songform.plan_edits import with_track
        from songform.symbolic.writers import note_writer

        return with_track(self, spec, seed, note_writer(notes, checkpoint), chord_bias)

    def without_track(self, name: str) -> Song:
        """This song without track ``name`` (plan, notes and the model's tokens)."""
        from songform.plan_edits import without_track

        return without_track(self, name)

    def edit(self, section: str, *, seed: int = 1, notes: str = "auto",
             checkpoint: str | Path | None = None, candidates: int = 1,
             **changes: str | int) -> Song:
        """This song with a section's ``energy`` or ``chords`` changed and that section
        written again under the new plan; every other note kept."""
        from songform.plan_edits import with_section
        from songform.project import regenerate
        from songform.symbolic.generate import GenerateConfig
        from songform.symbolic.writers import note_writer

        plan, bars = with_section(self.plan, section, **{k: str(v) for k, v in
                                                         changes.items()})
        replanned = Song(plan=plan, score=self.score, written=self.written)
        writer = note_writer(notes, checkpoint, config=GenerateConfig(takes=candidates))
        return regenerate(replanned, bars, seed, writer, bars)

    def extended(self, section: str, bars: int, *, seed: int = 1, notes: str = "auto",
                 checkpoint: str | Path | None = None) -> Song:
        """This song with ``bars`` more bars at the end of ``section``, written conditioned
        on the music around them; every other note kept (later ones moved on in time)."""
        from songform.plan_edits import extended
        from songform.project import regenerate
        from songform.symbolic.writers import note_writer

        longer, new = extended(self, section, bars)
        return regenerate(longer, new, seed, note_writer(notes, checkpoint), new)

    def pianoroll(self, path: str | Path) -> Path:
        """Draw a piano-roll PNG with section bands and chord names."""
        return draw_pianoroll(self, path)
