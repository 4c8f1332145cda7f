"""The music embeddings: FME's geometry and the zero start of FME and RIPO."""

from __future__ import annotations

import torch

from songform.symbolic.attributes import TokenAttributes
from songform.symbolic.embedding import (
    OCTAVE_HARMONICS,
    PITCH_FREQUENCIES,
    FundamentalMusicEmbedding,
)
from songform.symbolic.model import ModelConfig, MusicTransformer
from songform.symbolic.tokenizer import AttributeState

PITCHES = torch.arange(0, 128)


def _pitch_fme() -> FundamentalMusicEmbedding:
    return FundamentalMusicEmbedding(16, PITCH_FREQUENCIES)


def test_equal_intervals_are_equal_rotations():
    raw = _pitch_fme().raw(PITCHES.float())  # (128, 2K)
    half = raw.shape[1] // 2
    for interval in (1, 5, 7, 12):
        low, high = raw[:-interval], raw[interval:]
        # each (sin, cos) pair turns by the same angle from every starting pitch
        cross = low[:, :half] * high[:, half:] - low[:, half:] * high[:, :half]  # sin(-w Δ)
        dot = low[:, :half] * high[:, :half] + low[:, half:] * high[:, half:]  # cos(w Δ)
        assert torch.allclose(cross, cross[:1].expand_as(cross), atol=1e-4)
        assert torch.allclose(dot, dot[:1].expand_as(dot), atol=1e-4)
        # so the distance between a pitch and the pitch an interval above never changes
        distance = (high - low).norm(dim=1)
        assert torch.allclose(distance, distance[:1].expand_as(distance), atol=1e-4)


def test_a_linear_probe_reads_the_pitch_class_exactly():
    raw = _pitch_fme().raw(PITCHES.float())
    features = torch.cat([raw, torch.ones(len(PITCHES), 1)], 1).double()
    targets = torch.nn.functional.one_hot(PITCHES % 12, 12).double()
    weights = torch.linalg.lstsq(features, targets).solution
    assert torch.equal((features @ weights).argmax(1), PITCHES % 12)
    # the octave's harmonics alone span the twelve classes: the fit is exact, not just right
    harmonics = raw[:, list(range(len(OCTAVE_HARMONICS)))
                    + list(range(len(PITCH_FREQUENCIES),
                                 len(PITCH_FREQUENCIES) + len(OCTAVE_HARMONICS)))]
    exact = torch.cat([harmonics, torch.ones(len(PITCHES), 1)], 1).double()
    residual = exact @ torch.linalg.lstsq(exact, targets).solution - targets
    assert residual.abs().max() < 1e-4  # float32 features: exact to their precision


def test_octaves_lie_closer_than_semitones_and_fifths():
    raw = _pitch_fme().raw(PITCHES.float())
    at = 60
    octave = (raw[at + 12] - raw[at]).norm()
    for interval in (1, 2, 6, 7):
        assert octave < (raw[at + interval] - raw[at]).norm()
    assert (raw[at + 24] - raw[at]).norm() < (raw[at + 1] - raw[at]).norm()


def test_music_variant_at_step_zero_is_relative_attention():
    """FME projections and RIPO maps start at zero: with the relative model's weights and its
    (tied) head copied in, the music variant's logits equal relative attention's."""
    sizes = dict(vocab_size=50, dim=32, depth=2, heads=4, dropout=0.0, max_relative=32)
    torch.manual_seed(0)
    relative = MusicTransformer(ModelConfig(position="relative", **sizes)).eval()
    music = MusicTransformer(ModelConfig(position="relative+music", **sizes)).eval()
    missing, unexpected = music.load_state_dict(relative.state_dict(), strict=False)
    assert not unexpected
    assert all("project" in name or "rel_pitch" in name or "rel_onset" in name
               or name == "head.weight" for name in missing), missing
    music.head.weight.data.copy_(relative.embed.tokens.weight.data)
    tokens = torch.randint(0, 50, (2, 20))
    attributes = TokenAttributes(torch.randint(40, 90, (2, 20)),
                                 torch.cumsum(torch.rand(2, 20), 1), torch.rand(2, 20) + 0.1)
    assert torch.allclose(music(tokens, attributes), relative(tokens, attributes), atol=1e-6)
    with torch.no_grad():  # (decoding keeps the RIPO tables while the weights stay)
        assert torch.allclose(music(tokens, attributes), relative(tokens, attributes),
                              atol=1e-6)
        music.blocks[0].attention.rel_pitch.weight.normal_()  # the terms are live:
        changed = music(tokens, attributes)  # weight on them changes the logits, and the
    assert not torch.allclose(changed, relative(tokens, attributes), atol=1e-3)  # kept
    assert torch.allclose(changed, music(tokens, attributes), atol=1e-5)  # table follows


def test_every_pitch_query_has_a_pitch_to_measure_from():
    """Program tokens carry their track's last pitch, Position the last pitch, Key its tonic
    and Chord its root; the note's own tokens carry the note's pitch."""
    from songform.hierarchy.planner import plan_song
    from songform.hierarchy.template import Template

    bars = list(plan_song(Template(form="verse:2", key="D", style="pop"), 0).bars())
    state = AttributeState(bars, 4)
    stream = ["Bar_None", "Key_2maj", "Chord_7:maj", "Chord_N", "Position_0", "Program_73",
              "Pitch_74", "Velocity_90", "Duration_1.0.4", "Program_0", "Pitch_50",
              "Velocity_90", "Duration_1.0.4", "Position_4", "Program_73", "Pitch_76",
              "Position_8", "Program_0", "Program_-1", "PitchDrum_36"]
    pitches = [state.step(token)[0] for token in stream]
    assert pitches == [-1, 62, 55, -1, -1, -1, 74, 74, 74, -1, 50, 50, 50, 50, 74, 76, 76, 50,
                       -1, -1]
