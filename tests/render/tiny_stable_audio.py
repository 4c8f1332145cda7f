"""A tiny random Stable Audio pipeline saved to a folder, built offline."""

from __future__ import annotations

from pathlib import Path

from .tiny_musicgen import tiny_t5_tokenizer


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
