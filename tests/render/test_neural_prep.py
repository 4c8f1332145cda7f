"""What the neural renderers will stand on: note chroma equal to MusicGen-melody's feature
extractor, window plans and crossfades, and the audio-structure measure."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile
from symusic import Note, Track
from typer.testing import CliRunner

from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter
from songform.hierarchy.plan import ChordEvent, PhrasePlan, SectionPlan, SongPlan, TrackSpec
from songform.render.neural.chroma import ChromaConfig, note_chroma, notes_in_seconds
from songform.render.neural.windows import join_windows, plan_windows
from songform.song import Song
from songform.symbolic.song import conductor_score

from .soundfont_check import needs_soundfont

needs_audio = needs_soundfont


def _line(pitches, program=73) -> Song:
    plan = SongPlan("line", "pop", 0, (TrackSpec("Lead", program, "melody"),), (SectionPlan(
        "verse", Key(0), Meter(4, 4), 100.0, 3, ("Lead",),
        (PhrasePlan("A", 4, tuple((ChordEvent(0.0, "C"),) for _ in range(4))),)),))
    score = conductor_score(plan)
    track = Track(name="Lead", program=program)
    time = 0
    for pitch, length in pitches:
        track.notes.append(Note(time, length, pitch, 100))
        time += length
    score.tracks.append(track)
    return Song(plan=plan, score=score)


@needs_audio
def test_note_chroma_matches_musicgen_melody_extractor():
    torch = pytest.importorskip("torch")
    torchaudio = pytest.importorskip("torchaudio")
    transformers = pytest.importorskip("transformers")
    rng = np.random.default_rng(3)
    pitches, total = [], 0
    while total < 16 * 480:
        length = int(rng.choice([240, 480, 960]))
        pitches.append((int(rng.integers(55, 80)), length))
        total += length
    song = _line(pitches)
    from songform.render.audio import synthesize
    from songform.render.midi import midi_file

    samples = synthesize(midi_file(song)).mean(axis=1)
    at_32k = torchaudio.functional.resample(torch.tensor(samples), 44100, 32000).numpy()
    extractor = transformers.MusicgenMelodyFeatureExtractor()
    theirs = extractor(at_32k, sampling_rate=32000, return_tensors="pt",
                       padding="longest")["input_features"][0].numpy()
    config = ChromaConfig()
    ours = note_chroma(notes_in_seconds(song.score), len(at_32k) / 32000, config)
    assert ours.shape == theirs.shape  # frame count and 12 pitch classes from C
    assert config.hop_length == extractor.hop_length and config.n_fft == extractor.n_fft
    music = np.arange(len(ours)) * config.hop_length / config.sample_rate \
        < song.plan.duration_seconds
    agreement = (ours.argmax(1) == theirs.argmax(1))[music].mean()
    assert agreement >= 0.85
    assert np.all(ours.sum(axis=1) == 1)  # one-hot, like the extractor


def test_window_plans_cover_the_song_and_join_at_sections():
    sections = [0.0, 20.0, 41.0, 62.0, 90.0]
    windows = plan_windows(100.0, 30.0, 2.0, sections)
    assert windows[0].start == 0.0 and windows[-1].end == 100.0
    for previous, current in zip(windows, windows[1:], strict=False):
        assert current.start == pytest.approx(previous.end - 2.0)
        assert current.overlap == 2.0 and current.end - current.start <= 30.0 + 1e-9
    assert [w.end for w in windows[:-1]] == [20.0, 41.0, 62.0, 90.0]  # joins at sections
    long_section = plan_windows(100.0, 30.0, 2.0, [0.0])
    assert all(w.end - w.start <= 30.0 for w in long_section)
    with pytest.raises(ValueError):
        plan_windows(100.0, 10.0, 6.0, [])


def test_crossfades_keep_length_and_level():
    rate = 8000
    windows = plan_windows(30.0, 10.0, 1.0, [0.0])
    rng = np.random.default_rng(0)
    parts = [rng.standard_normal(int(round((w.end - w.start) * rate))).astype(np.float32)
             for w in windows]
    joined = join_windows(parts, windows, rate)
    assert len(joined) == 30 * rate
    block = rate // 10
    levels = [np.sqrt(np.mean(joined[i:i + block] ** 2)) for i in range(0, len(joined), block)]
    decibels = 20 * np.log10(levels)
    assert np.max(np.abs(np.diff(decibels))) < 1.0  # no step at the joins


@needs_audio
def test_structure_measure_hears_repeats_and_eval_cli(tmp_path):
    import songform
    from songform.cli.app import app
    from songform.render.structure import audio_structure

    song = songform.compose(songform.Template(form="verse:8 chorus:8 verse:8 chorus:8",
                                              style="pop", key="C"), seed=2,
                            notes="arranger")
    song.render_audio(tmp_path / "song.wav")
    song.save_midi(tmp_path / "song.mid")
    song.save_plan(tmp_path / "plan.json")
    samples, rate = soundfile.read(str(tmp_path / "song.wav"), always_2d=True)
    honest = audio_structure(samples, rate, song)
    spans, now = [], 0.0
    for bar in song.plan.bars():
        length = bar.length * 60 / bar.tempo
        spans.append((int(now * rate), int((now + length) * rate)))
        now += length
    order = np.random.default_rng(0).permutation(len(spans))
    shuffled = np.concatenate([samples[spans[i][0]:spans[i][1]] for i in order])
    broken = audio_structure(shuffled, rate, song)
    assert honest.contrast > broken.contrast + 0.2
    assert honest.chroma_agreement > broken.chroma_agreement + 0.2
    result = CliRunner().invoke(app, ["eval", "--audio", str(tmp_path / "song.wav")])
    assert result.exit_code == 0 and "contrast" in result.output
