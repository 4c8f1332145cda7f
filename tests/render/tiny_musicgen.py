"""A tiny random MusicGen-melody (and its processor) saved to a folder, built offline."""

from __future__ import annotations

from pathlib import Path

_WORD_TEXT = ("pop song verse chorus bridge intro outro interlude pre-chorus calm gentle steady "
              "lively energetic intense lead strings piano bass drums and bpm in major minor "
              "flute melody , 0 1 2 3 4 5 6 7 8 9 c d e f g a b")
WORDS = tuple(_WORD_TEXT.split(" "))


def build_tiny_musicgen(folder: Path) -> Path:
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
    vocab = tokenizer.get_vocab()
    text = T5Config(vocab_size=len(vocab), d_model=16, d_kv=4, d_ff=32, num_layers=1,
                    num_heads=2)
    codec = EncodecConfig(target_bandwidths=[1.5], sampling_rate=32000, audio_channels=1,
                          num_filters=4, hidden_size=16, upsampling_ratios=[8, 8, 5, 4],
                          codebook_size=64, num_lstm_layers=1, codebook_dim=16)
    special = {"pad_token_id": 64, "bos_token_id": 64, "decoder_start_token_id": 64}
    decoder = MusicgenMelodyDecoderConfig(
        vocab_size=64, max_position_embeddings=1024, num_hidden_layers=1, ffn_dim=32,
        num_attention_heads=2, hidden_size=16, num_codebooks=codec.num_quantizers,
        audio_channels=1, **special)
    config = MusicgenMelodyConfig(text_encoder=text.to_dict(), audio_encoder=codec.to_dict(),
                                  decoder=decoder.to_dict(), num_chroma=12, chroma_length=235,
                                  pad_token_id=64, decoder_start_token_id=64)
    model = MusicgenMelodyForConditionalGeneration(config)
    import torch

    generator = torch.Generator().manual_seed(0)
    for layer in model.audio_encoder.quantizer.layers:  # codebooks start at zero: fill them
        layer.codebook.embed.copy_(torch.randn(layer.codebook.embed.shape,
                                               generator=generator))
    for name, value in special.items():
        setattr(model.generation_config, name, value)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    MusicgenMelodyProcessor(MusicgenMelodyFeatureExtractor(), tokenizer).save_pretrained(folder)
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
