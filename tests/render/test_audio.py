"""FluidSynth audio: pitches, onsets, level and length of known notes."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
import soundfile
from symusic import Note, Track

from songform.hierarchy.key import Key
from songform.hierarchy.meter import Meter
from songform.hierarchy.plan import ChordEvent, PhrasePlan, SectionPlan, SongPlan, TrackSpec
from songform.render.audio import AudioConfig, peak_dbfs, read_midi, synthesize
from songform.render.errors import RenderError
from songform.render.master import true_peak
from songform.render.soundfont import ENV_VAR, find_soundfont
from songform.song import Song
from songform.symbolic.midi_input import MidiInputError
from songform.symbolic.song import conductor_score

from .soundfont_check import HAVE_SOUNDFONT, needs_soundfont

needs_fluidsynth = needs_soundfont

TEMPO = 120.0  # a quarter note lasts 0.5 s
KNOWN = [(1.0, 69, 440.0), (3.0, 76, 659.255), (5.0, 60, 261.626), (7.0, 67, 391.995)]


def _known_song() -> Song:
    plan = SongPlan("known", "pop", 0, (TrackSpec("Piano", 0, "melody"),), (SectionPlan(
        "verse", Key(0), Meter.parse("4/4"), TEMPO, 3, ("Piano",),
        (PhrasePlan("A", 2, ((ChordEvent(0.0, "C"),), (ChordEvent(0.0, "C"),))),)),))
    score = conductor_score(plan)
    track = Track(name="Piano", program=0, is_drum=False)
    for beat, pitch, _ in KNOWN:
        track.notes.append(Note(int(beat * 480), 480, pitch, 100))
    score.tracks.append(track)
    return Song(plan=plan, score=score)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    if not HAVE_SOUNDFONT:
        pytest.skip("no GM SoundFont installed")
    path = tmp_path_factory.mktemp("audio") / "known.wav"
    _known_song().render_audio(path)
    samples, rate = soundfile.read(str(path), always_2d=True)
    return samples, rate


@needs_fluidsynth
def test_format_level_and_length(rendered):
    samples, rate = rendered
    config = AudioConfig()
    assert rate == 44100 and samples.shape[1] == 2
    expected = _known_song().plan.duration_seconds + config.tail_seconds
    assert samples.shape[0] == pytest.approx(expected * rate, abs=2)
    assert peak_dbfs(samples) <= -1.0 + 0.01
    # mastered by the standard, measured by pyloudnorm: -14 LUFS, true peak <= -1 dBTP
    assert pyloudnorm.Meter(rate).integrated_loudness(samples) == pytest.approx(-14.0, abs=0.5)
    assert true_peak(samples) <= -1.0 + 0.01  # of the 16-bit file as written


@needs_fluidsynth
def test_spectral_peak_at_each_fundamental(rendered):
    samples, rate = rendered
    mono = samples.mean(axis=1)
    for beat, _, frequency in KNOWN:
        start = int((beat * 0.5 + 0.1) * rate)
        window = mono[start:start + int(0.3 * rate)] * np.hanning(int(0.3 * rate))
        spectrum = np.abs(np.fft.rfft(window, n=1 << 16))
        freqs = np.fft.rfftfreq(1 << 16, 1 / rate)
        band = (freqs > 100) & (freqs < 2000)
        peak = freqs[band][np.argmax(spectrum[band])]
        # the strongest partial is the note or one of its first harmonics (a piano's second
        # can outsound its first), and the fundamental itself sounds: not an octave off
        harmonic = round(peak / frequency)
        assert 1 <= harmonic <= 3 and peak == pytest.approx(harmonic * frequency, rel=0.02), (
            beat, peak, frequency)
        near = np.abs(freqs - frequency) < frequency * 0.02
        assert spectrum[near].max() >= 0.1 * spectrum[band].max(), (beat, frequency)


@needs_fluidsynth
def test_onsets_at_the_note_times(rendered):
    samples, rate = rendered
    mono = np.abs(samples.mean(axis=1))
    hop = int(0.002 * rate)
    envelope = np.array([mono[i:i + hop].max() for i in range(0, len(mono) - hop, hop)])
    for beat, _, _ in KNOWN:
        expected = beat * 60.0 / TEMPO
        before = int((expected - 0.1) / 0.002)
        after = int((expected + 0.1) / 0.002)
        segment = envelope[before:after]
        floor, top = segment[: int(0.05 / 0.002)].max(), segment.max()
        rise = np.argmax(segment > floor + 0.1 * (top - floor))  # the first audible rise
        onset = (before + rise) * 0.002
        assert abs(onset - expected) <= 0.020, (beat, onset, expected)


@needs_fluidsynth
def test_silence_between_notes_and_flac(tmp_path):
    path = tmp_path / "known.flac"
    _known_song().render_audio(path)
    info = soundfile.info(str(path))
    assert info.format == "FLAC" and info.samplerate == 44100 and info.channels == 2


def test_missing_soundfont_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(RenderError, match="SoundFont not found: .*nothing.sf2"):
        find_soundfont(tmp_path / "nothing.sf2")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.sf2"))
    with pytest.raises(RenderError, match=f"from {ENV_VAR}"):
        find_soundfont()
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setattr("songform.render.soundfont.SYSTEM_SOUNDFONTS", ())
    with pytest.raises(RenderError, match="no General MIDI SoundFont found"):
        synthesize(read_midi_bytes(_known_song()))


def read_midi_bytes(song: Song):
    from songform.render.midi import midi_file

    return midi_file(song)


def test_unreadable_midi_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"RIFF not midi at all")
    with pytest.raises(MidiInputError, match="bad.mid: not a MIDI file"):
        read_midi(bad)
    with pytest.raises(MidiInputError, match="missing.mid: No such file"):
        read_midi(tmp_path / "missing.mid")


@needs_fluidsynth
def test_choruses_sound_bigger_than_verses(tmp_path):
    """Listen-check by measurement: louder, denser choruses come out louder in the audio."""
    import songform

    song = songform.compose(songform.Template(form="verse:4 chorus:4 verse:4 chorus:4",
                                              style="pop", tempo=120, key="C"), seed=3,
                            notes="arranger")
    path = song.render_audio(tmp_path / "song.wav")
    samples, rate = soundfile.read(str(path), always_2d=True)
    levels: dict[str, list[float]] = {"verse": [], "chorus": []}
    for bar in song.plan.bars():
        start = int(bar.start * 0.5 * rate)
        segment = samples[start:start + int(2.0 * rate)]
        levels[bar.section_kind].append(float(np.sqrt(np.mean(segment ** 2))))
    verse_db = 20 * np.log10(np.mean(levels["verse"]))
    chorus_db = 20 * np.log10(np.mean(levels["chorus"]))
    assert chorus_db > verse_db + 1.5, (verse_db, chorus_db)
