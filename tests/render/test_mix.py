"""The mix: each track's place written into the MIDI (read back by mido), a mono-compatible
mix and stems for every style, the master by the broadcast standard (pyloudnorm), stems that
sum to the mix, and every audio format read back with the song's length and title."""

from __future__ import annotations

import math
from pathlib import Path

import mido
import numpy as np
import pyloudnorm
import pytest
import soundfile
from scipy.signal import resample_poly

import songform
from songform.hierarchy.errors import TemplateError
from songform.hierarchy.plan import TrackSpec
from songform.hierarchy.styles import STYLES
from songform.hierarchy.template_yaml import template_from_yaml
from songform.render.audio import AUDIO_FORMATS, AudioConfig, mixdown, write_audio, write_stems
from songform.render.desk import correlation, narrowed
from songform.render.levels import mono_folddown
from songform.render.midi import midi_file
from songform.render.mix import CHORUS, PAN, REVERB, VOLUME, room_for, room_from_sysex, track_mix
from songform.symbolic.shipped import shipped_checkpoint

from .soundfont_check import needs_soundfont

FLUIDR3 = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")


def _song(style: str, form: str = "verse:2 chorus:2", instruments=None) -> songform.Song:
    return songform.compose(songform.Template(form=form, style=style, tempo=120,
                                              instruments=instruments), seed=1,
                            notes="arranger")


def _first_controls(track: mido.MidiTrack) -> dict[int, int]:
    controls, now = {}, 0
    for message in track:
        now += message.time
        if message.type == "control_change" and now == 0:
            controls.setdefault(message.control, message.value)
    return controls


def test_midi_carries_each_tracks_place_in_the_mix():
    custom = (TrackSpec("Flute", 73, "melody", pan=-0.5, volume=80, reverb=90, chorus=40),
              TrackSpec("Pad", 89, "harmony"), TrackSpec("Bass", 33, "bass"),
              TrackSpec("Kit", 0, "drums"))
    song = _song("ballad", instruments=custom)
    midi = midi_file(song)
    rooms = [room_from_sysex(m.data) for m in midi.tracks[0] if m.type == "sysex"]
    assert rooms == [room_for("ballad")] and rooms[0].name == "large hall"
    by_name = {t.name: t for t in midi.tracks[1:]}
    for spec in song.plan.tracks:
        controls = _first_controls(by_name[spec.name])
        mix = track_mix(spec, "ballad")
        assert controls == dict(mix.controllers()), spec.name
    assert _first_controls(by_name["Flute"]) == {VOLUME: 80, PAN: 32, REVERB: 90, CHORUS: 40}
    bass, kit, pad = (_first_controls(by_name[n]) for n in ("Bass", "Kit", "Pad"))
    assert bass[PAN] == kit[PAN] == 64 and pad[CHORUS] > 0  # centred low end, a wide pad
    assert bass[REVERB] < pad[REVERB]


def test_roles_take_their_places_and_rooms_follow_the_style():
    pop = {t.role: track_mix(t, "pop") for t in STYLES["pop"].instruments}
    assert pop["melody"].pan == 0 and pop["bass"].pan == 0 and pop["drums"].pan == 0
    assert pop["melody"].volume > pop["counter-melody"].volume  # the lead forward
    harmony = next(t for t in STYLES["rock"].instruments if t.role == "harmony")
    counter = next(t for t in STYLES["rock"].instruments if t.role == "counter-melody")
    assert track_mix(harmony, "rock").pan > 0 > track_mix(counter, "rock").pan
    lead = STYLES["pop"].instruments[0]
    assert (track_mix(lead, "rock").reverb < track_mix(lead, "pop").reverb
            < track_mix(lead, "chorale").reverb)  # a dry room, a hall, a large hall


def test_templates_set_the_mix_and_bad_values_name_the_field(tmp_path):
    template = template_from_yaml(
        "instruments:\n  - {name: Flute, program: 73, role: melody, pan: 0.25, reverb: 10}\n"
        "  - {name: Bass, program: 33, role: bass}\n")
    flute = template.instruments[0]
    assert (flute.pan, flute.reverb, flute.volume) == (0.25, 10, None)
    plan = songform.plan(template, seed=1)
    again = songform.SongPlan.from_json(plan.to_json())
    assert again.tracks[0].pan == 0.25 and again.tracks[1].mix_fields() == {}
    with pytest.raises(TemplateError, match=r"instruments\[0\].*pan"):
        template_from_yaml("instruments:\n  - {name: F, program: 73, role: melody, pan: 2}\n")
    with pytest.raises(TemplateError, match=r"volume"):
        template_from_yaml("instruments:\n  - {name: F, program: 73, role: melody, "
                           "volume: 300}\n")


def test_a_preset_that_phases_itself_apart_is_narrowed():
    rng = np.random.default_rng(0)
    mid, side = rng.normal(size=20000), rng.normal(size=20000) * 3
    opposed = np.stack([mid + side, mid - side], axis=1).astype(np.float32)
    assert correlation(opposed) < -0.7
    fixed, width = narrowed(opposed)
    assert correlation(fixed) == pytest.approx(0.3, abs=0.01) and 0 < width < 1
    assert np.allclose(fixed.mean(axis=1), opposed.mean(axis=1), atol=1e-5)  # the mid kept
    already, one = narrowed(np.stack([mid, mid * 0.5], axis=1).astype(np.float32))
    assert one == 1.0


def _arpeggio(program: int) -> mido.MidiFile:
    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=f"Program {program}"),
                            mido.Message("program_change", program=program)])
    for note in (48, 52, 55, 60, 64, 67, 72, 60):
        track.append(mido.Message("note_on", note=note, velocity=90))
        track.append(mido.Message("note_off", note=note, velocity=0, time=480))
    midi.tracks.append(track)
    return midi


@needs_soundfont
@pytest.mark.skipif(not FLUIDR3.is_file(), reason="FluidR3 is not installed")
@pytest.mark.parametrize("program", [80, 81])
def test_fluidr3s_phasey_leads_come_out_mono_compatible(program):
    """FluidR3's square and saw leads through FluidSynth's own chorus correlate at -0.8 on
    this arpeggio; on the desk (FluidSynth dry, the chorus bus by CC93) they stay mono-safe."""
    audio = mixdown(_arpeggio(program), FLUIDR3, AudioConfig(sample_rate=22050), stems=True)
    (stem,) = audio.stems.values()
    assert correlation(stem) >= 0.3 and correlation(audio.master) >= 0.3
    assert mono_folddown(audio.master, 22050) >= -3.0


@needs_soundfont
@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_styles_mix_and_stems_are_mono_compatible(style):
    song = _song(style)
    audio = mixdown(midi_file(song), None, AudioConfig(sample_rate=22050), stems=True)
    assert set(audio.stems) == {t.name for t in song.score.tracks if len(t.notes)}
    for name, stem in audio.stems.items():
        assert correlation(stem) >= 0.0, name
    assert correlation(audio.master) >= 0.3
    assert mono_folddown(audio.master, 22050) >= -3.0


def _independent_true_peak(samples: np.ndarray) -> float:
    return 20 * math.log10(np.max(np.abs(resample_poly(samples, 4, 1, axis=0))))


@needs_soundfont
@pytest.mark.skipif(shipped_checkpoint() is None, reason="no shipped model in this install")
def test_the_demo_song_is_mastered_mono_compatible_and_its_stems_sum_to_the_mix(tmp_path):
    """The demo (`make demo`: pop, seed 7, four takes, the shipped model)."""
    song = songform.compose(songform.load_template(None, style="pop"), seed=7, notes="model",
                            takes=4)
    audio = mixdown(midi_file(song), None, AudioConfig(), stems=True)
    master = write_audio(audio.master, tmp_path / "song.wav", 44100, song.plan.title)
    samples, rate = soundfile.read(str(master), always_2d=True)
    assert pyloudnorm.Meter(rate).integrated_loudness(samples) == pytest.approx(-14, abs=0.5)
    assert _independent_true_peak(samples) <= -1.0 + 0.01
    assert correlation(samples.astype(np.float32)) >= 0.3
    assert mono_folddown(samples.astype(np.float32), rate) >= -3.0
    paths = write_stems(audio, tmp_path / "stems", song.plan.title)
    assert sorted(p.name for p in paths) == sorted(f"{t.name}.wav" for t in song.plan.tracks)
    stems = [soundfile.read(str(p), always_2d=True, dtype="float32")[0] for p in paths]
    assert {s.shape for s in stems} == {samples.shape}  # aligned, one length
    for path, stem in zip(paths, stems, strict=True):
        assert correlation(stem) >= 0.0, path.name
    residual = np.sum(stems, axis=0) - audio.premaster
    ratio = np.sum(residual.astype(np.float64) ** 2) / np.sum(audio.premaster.astype(
        np.float64) ** 2)
    assert 10 * math.log10(ratio) <= -40.0


@needs_soundfont
def test_every_format_reads_back_with_the_songs_length_and_title(tmp_path):
    song = _song("pop", form="verse:1 chorus:1")
    audio = mixdown(midi_file(song), None, AudioConfig())
    seconds = audio.master.shape[0] / 44100
    for suffix in AUDIO_FORMATS:
        path = write_audio(audio.master, tmp_path / f"song{suffix}", 44100, song.plan.title)
        info = soundfile.info(str(path))
        assert info.samplerate == 44100 and info.channels == 2
        assert info.duration == pytest.approx(seconds, abs=0.06), suffix
        with soundfile.SoundFile(str(path)) as handle:
            assert handle.title == song.plan.title, suffix
        back, _ = soundfile.read(str(path), always_2d=True, dtype="float32")
        assert np.corrcoef(back[:4410 * 4, 0], audio.master[:4410 * 4, 0])[0, 1] > 0.9


def test_a_long_song_writes_as_ogg_vorbis(tmp_path):
    """libsndfile's Vorbis encoder crashes the process on one write of a minute or more;
    the audio goes to it in blocks."""
    rng = np.random.default_rng(1)
    samples = (rng.normal(size=(44100 * 75, 2)) * 0.05).astype(np.float32)
    path = write_audio(samples, tmp_path / "long.ogg", 44100, "Long")
    assert soundfile.info(str(path)).frames == samples.shape[0]


@needs_soundfont
def test_song_render_stems_writes_one_file_per_sounding_track(tmp_path):
    song = _song("rock", form="verse:1 chorus:1")
    paths = song.render_stems(tmp_path / "stems", config=AudioConfig(sample_rate=22050))
    sounding = {t.name for t in song.score.tracks if len(t.notes)}
    assert {p.stem for p in paths} == sounding and all(p.parent.name == "stems" for p in paths)
    frames = {soundfile.info(str(p)).frames for p in paths}
    assert len(frames) == 1 and {soundfile.info(str(p)).subtype for p in paths} == {"FLOAT"}


def test_parts_follow_a_tempo_map_that_changes_after_the_start():
    from songform.render.synth import split_parts

    midi = mido.MidiFile(ticks_per_beat=480)
    conductor, piano = mido.MidiTrack(), mido.MidiTrack()
    midi.tracks += [conductor, piano]
    conductor.append(mido.MetaMessage("set_tempo", tempo=500_000, time=0))      # 120 BPM
    conductor.append(mido.MetaMessage("set_tempo", tempo=1_000_000, time=960))  # 60 after 2
    piano.append(mido.Message("note_on", note=60, velocity=80, time=0))
    piano.append(mido.Message("note_off", note=60, time=960))
    piano.append(mido.Message("note_on", note=62, velocity=80, time=480))
    piano.append(mido.Message("note_off", note=62, time=480))
    events = split_parts(midi).parts[0].events
    onsets = [at for at, message in events if message.type == "note_on"]
    assert onsets == pytest.approx([0.0, 2.0])  # 2 beats at 120, then 1 beat at 60
