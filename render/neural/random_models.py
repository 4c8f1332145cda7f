"""Random-weight MusicGen-melody and Stable Audio models built offline from configs: tiny ones
saved to a folder for the tests (loaded back through the user's code path), full-size ones for
the GPU benchmark. Nothing downloads; every weight is random."""

from __future__ import annotations

from pathlib import Path

_WORD_TEXT = ("pop song verse chorus bridge intro outro interlude pre-chorus calm gentle steady "
              "lively energetic intense lead strings piano bass drums and bpm in major minor "
              "flute melody , 0 1 2 3 4 5 6 7 8 9 c d e f g a b")
WORDS = tuple(_WORD_TEXT.split(" "))



def random_musicgen_melody(text: dict, codec: dict, decoder: dict, codebook_size: int,
                           device: str = "cpu"):
    """A MusicGen-melody model with random weights and its processor (tiny T5 tokenizer).

    Args:
        text, codec, decoder: keyword arguments of ``T5Config``, ``EncodecConfig`` and
            ``MusicgenMelodyDecoderConfig`` (the decoder's vocabulary is ``codebook_size``).
        codebook_size: audio codes per codebook; the next id pads and starts decoding.
    """
    import torch
    from transformers import (
        EncodecConfig,
        MusicgenMelodyConfig,
        MusicgenMelodyDecoderConfig,
        MusicgenMelodyFeatureExtractor,
        MusicgenMelodyForConditionalGeneration,
        MusicgenMelodyProcessor,
        T5Config,
    )

    tokenizer = tiny_t5_tokenizer()
    codec_config = EncodecConfig(**codec)
    special = {"pad_token_id": codebook_size, "bos_token_id": codebook_size,
               "decoder_start_token_id": codebook_size}
    decoder_config = MusicgenMelodyDecoderConfig(
        vocab_size=codebook_size, num_codebooks=codec_config.num_quantizers, audio_channels=1,
        **decoder, **special)
    config = MusicgenMelodyConfig(text_encoder=T5Config(**text).to_dict(),
                                  audio_encoder=codec_config.to_dict(),
                                  decoder=decoder_config.to_dict(), num_chroma=12,
                                  chroma_length=235, pad_token_id=codebook_size,
                                  decoder_start_token_id=codebook_size)
    with torch.device(device):
        model = MusicgenMelodyForConditionalGeneration(config)
    for name, value in special.items():
        setattr(model.generation_config, name, value)
    return model, MusicgenMelodyProcessor(MusicgenMelodyFeatureExtractor(), tokenizer)


def build_tiny_musicgen(folder: Path) -> Path:
    """A tiny random MusicGen-melody and its processor saved to ``folder``."""
    import torch

    vocabulary = len(tiny_t5_tokenizer().get_vocab())
    model, processor = random_musicgen_melody(
        text={"vocab_size": vocabulary, "d_model": 16, "d_kv": 4, "d_ff": 32, "num_layers": 1,
              "num_heads": 2},
        codec={"target_bandwidths": [1.5], "sampling_rate": 32000, "audio_channels": 1,
               "num_filters": 4, "hidden_size": 16, "upsampling_ratios": [8, 8, 5, 4],
               "codebook_size": 64, "num_lstm_layers": 1, "codebook_dim": 16},
        decoder={"max_position_embeddings": 1024, "num_hidden_layers": 1, "ffn_dim": 32,
                 "num_attention_heads": 2, "hidden_size": 16},
        codebook_size=64)
    generator = torch.Generator().manual_seed(0)
    for layer in model.audio_encoder.quantizer.layers:  # codebooks start at zero: fill them
        layer.codebook.embed.copy_(torch.randn(layer.codebook.embed.shape,
                                               generator=generator))
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def build_tiny_stable_audio(folder: Path, sample_rate: int = 8000, latent_length: int = 512,
                            hop: int = 64) -> Path:
    """Autoencoder with hop ``hop`` (two stages), a two-layer DiT over ``latent_length``
    latents, a one-layer T5: a window of ``latent_length * hop / sample_rate`` seconds."""
    import torch
    from diffusers import (
        AutoencoderOobleck,
        CosineDPMSolverMultistepScheduler,
        StableAudioDiTModel,
        StableAudioPipeline,
    )
    from diffusers.pipelines.stable_audio.modeling_stable_audio import (
        StableAudioProjectionModel,
    )
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    tokenizer = tiny_t5_tokenizer(model_max_length=48)
    text_encoder = T5EncoderModel(T5Config(vocab_size=len(tokenizer.get_vocab()), d_model=32,
                                           d_kv=8, d_ff=64, num_layers=1, num_heads=2))
    ratios = [8, hop // 8]
    vae = AutoencoderOobleck(encoder_hidden_size=16, downsampling_ratios=ratios,
                             channel_multiples=[1, 2], decoder_channels=8,
                             decoder_input_channels=8, audio_channels=2,
                             sampling_rate=sample_rate)
    transformer = StableAudioDiTModel(sample_size=latent_length, in_channels=8, num_layers=2,
                                      attention_head_dim=8, num_attention_heads=2,
                                      num_key_value_attention_heads=1, out_channels=8,
                                      cross_attention_dim=16, time_proj_dim=16,
                                      global_states_input_dim=32,
                                      cross_attention_input_dim=16)
    projection = StableAudioProjectionModel(text_encoder_dim=32, conditioning_dim=16,
                                            min_value=0, max_value=512)
    scheduler = CosineDPMSolverMultistepScheduler(sigma_min=0.3, sigma_max=500,
                                                  solver_order=2,
                                                  prediction_type="v_prediction",
                                                  sigma_data=1.0,
                                                  sigma_schedule="exponential")
    pipeline = StableAudioPipeline(vae=vae, text_encoder=text_encoder,
                                   projection_model=projection, tokenizer=tokenizer,
                                   transformer=transformer, scheduler=scheduler)
    folder.mkdir(parents=True, exist_ok=True)
    pipeline.save_pretrained(folder)
    return folder


def tiny_t5_tokenizer(model_max_length: int | None = None):
    """A T5 tokenizer over a few words: a Unigram model from the ``tokenizers`` library."""
    limit = {"model_max_length": model_max_length} if model_max_length else {}
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -2.0)]
    pieces += [(f"\u2581{word}", -1.0 - i / 100) for i, word in enumerate(dict.fromkeys(WORDS))]
    try:  # transformers 5: T5Tokenizer builds its tokenizers.Unigram from the pieces
        from transformers import T5Tokenizer

        return T5Tokenizer(vocab=pieces, extra_ids=0, **limit)
    except TypeError:  # transformers 4: wrap a tokenizers object in the fast tokenizer
        from tokenizers import Tokenizer, models, pre_tokenizers
        from transformers import T5TokenizerFast

        backend = Tokenizer(models.Unigram(pieces, unk_id=2))
        backend.pre_tokenizer = pre_tokenizers.Metaspace()
        return T5TokenizerFast(tokenizer_object=backend, pad_token="<pad>", eos_token="</s>",
                               unk_token="<unk>", extra_ids=0, **limit)
