"""The bar-level Music Transformer: a pre-norm decoder whose attention is absolute, relative,
or relative + FME + RIPO, chosen by its config, so one code path runs the whole ablation."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

import torch
from torch import nn

from songform.core.errors import InputError
from songform.core.limits import (
    MAX_MODEL_DEPTH,
    MAX_MODEL_DIM,
    MAX_MODEL_HEADS,
    MAX_MODEL_PARAMETERS,
    MAX_MODEL_POSITIONS,
    MAX_VOCAB,
)

from .attention import AttentionConfig, CausalSelfAttention
from .attributes import TokenAttributes
from .cache import LayerCache
from .embedding import EmbeddingConfig, MusicEmbedding

POSITION_MODES = ("absolute", "relative", "relative+music")


@dataclass(frozen=True)
class ModelConfig:
    """Decoder settings; every derived size comes from these fields.

    Args:
        vocab_size: number of token ids.
        dim, depth, heads: width, layers, attention heads.
        mlp_mult: hidden width of the feed-forward block, in multiples of ``dim``.
        position: ``absolute`` (learned positions), ``relative`` (Huang et al.) or
            ``relative+music`` (relative + FME for pitch/duration/onset + RIPO attention).
        max_positions: longest sequence for absolute positions.
        max_relative: relative distances at or beyond this share an embedding.
        window: attention window (keys this far back or more are masked); ``None`` = all.
        dropout: dropout on attention weights and residual branches.
        pitch_range, onset_buckets, onset_resolution: RIPO bucketing (see AttentionConfig).
        fme, ripo: under ``relative+music``, the FME embeddings and the RIPO attention terms
            (each switchable for ablations).
    """

    vocab_size: int
    dim: int = 256
    depth: int = 4
    heads: int = 8
    mlp_mult: int = 4
    position: str = "relative"
    max_positions: int = 2048
    max_relative: int = 512
    window: int | None = None
    dropout: float = 0.1
    pitch_range: int = 36
    onset_buckets: int = 64
    onset_resolution: int = 4
    fme: bool = True
    ripo: bool = True

    def __post_init__(self) -> None:
        if self.position not in POSITION_MODES:
            raise InputError(f"position must be one of {', '.join(POSITION_MODES)}, got "
                             f"{self.position!r}")
        for name, low, high in (("vocab_size", 2, MAX_VOCAB), ("dim", 2, MAX_MODEL_DIM),
                                ("depth", 1, MAX_MODEL_DEPTH), ("heads", 1, MAX_MODEL_HEADS),
                                ("mlp_mult", 1, 16), ("max_positions", 1, MAX_MODEL_POSITIONS),
                                ("max_relative", 1, MAX_MODEL_POSITIONS),
                                ("pitch_range", 1, 127), ("onset_buckets", 1, 4096),
                                ("onset_resolution", 1, 96)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InputError(f"{name} must be an integer from {low} to {high}, got "
                                 f"{value!r}")
        if self.dim % self.heads or (self.dim // self.heads) % 2:
            raise InputError(f"dim {self.dim} must split into {self.heads} heads of an even "
                             "width")
        if self.window is not None and (isinstance(self.window, bool)
                                        or not isinstance(self.window, int) or self.window < 1):
            raise InputError(f"window must be a positive integer or null, got {self.window!r}")
        if not (isinstance(self.dropout, (int, float)) and 0 <= self.dropout < 1):
            raise InputError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if self.parameter_estimate() > MAX_MODEL_PARAMETERS:
            raise InputError(f"about {self.parameter_estimate():,} parameters: at most "
                             f"{MAX_MODEL_PARAMETERS:,}")

    def parameter_estimate(self) -> int:
        """Parameters this config builds, from its sizes alone (nothing allocated)."""
        block = (4 + 2 * self.mlp_mult) * self.dim ** 2 + self.max_relative * self.dim
        positions = self.max_positions * self.dim if self.position == "absolute" else 0
        return self.vocab_size * self.dim + self.depth * block + positions

    @property
    def music(self) -> bool:
        return self.position == "relative+music"

    def attention(self) -> AttentionConfig:
        return AttentionConfig(dim=self.dim, heads=self.heads,
                               relative=self.position != "absolute",
                               ripo=self.music and self.ripo,
                               max_relative=self.max_relative, pitch_range=self.pitch_range,
                               onset_buckets=self.onset_buckets,
                               onset_resolution=self.onset_resolution, dropout=self.dropout)

    def embedding(self) -> EmbeddingConfig:
        fme = self.music and self.fme
        return EmbeddingConfig(vocab_size=self.vocab_size, dim=self.dim, pitch_fme=fme,
                               duration_fme=fme, onset_fme=fme)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        if not isinstance(data, dict):
            raise InputError("a model config must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise InputError(f"unknown model config fields: {sorted(unknown)}")
        if "vocab_size" not in data:
            raise InputError("a model config needs vocab_size")
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ModelConfig:
        return cls.from_dict(json.loads(text))


class MLP(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.up = nn.Linear(config.dim, config.mlp_mult * config.dim)
        self.down = nn.Linear(config.mlp_mult * config.dim, config.dim)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.down(torch.nn.functional.gelu(self.up(x))))


class Block(nn.Module):
    """Pre-norm: x + attn(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.norm_attention = nn.LayerNorm(config.dim)
        self.attention = CausalSelfAttention(config.attention())
        self.norm_mlp = nn.LayerNorm(config.dim)
        self.mlp = MLP(config)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, positions: torch.Tensor, attributes: TokenAttributes,
                valid: torch.Tensor | None = None, cache: LayerCache | None = None,
                window: int | None = None, relations: dict | None = None) -> torch.Tensor:
        """``[B, T, D]`` -> ``[B, T, D]`` (arguments as in ``CausalSelfAttention.forward``)."""
        x = x + self.dropout(self.attention(self.norm_attention(x), positions, attributes,
                                            valid, cache, window, relations))
        return x + self.mlp(self.norm_mlp(x))


class MusicTransformer(nn.Module):
    """Decoder-only Music Transformer over token streams whose tokens carry pitch, onset and
    duration (or none)."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embed = MusicEmbedding(config.embedding())
        self.positions = (nn.Embedding(config.max_positions, config.dim)
                          if config.position == "absolute" else None)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.depth))
        self.norm = nn.LayerNorm(config.dim)
        self.head = nn.Linear(config.dim, config.vocab_size, bias=False)
        if not config.music:  # tied input and output embeddings; the music variant's
            self.head.weight = self.embed.tokens.weight  # inputs carry FMEs its outputs lack
        self.apply(_init)

    def forward(self, tokens: torch.Tensor, attributes: TokenAttributes | None = None,
                positions: torch.Tensor | None = None, valid: torch.Tensor | None = None,
                caches: list[LayerCache] | None = None,
                logits_at: torch.Tensor | None = None) -> torch.Tensor:
        """Next-token logits.

        Args:
            tokens: ``[B, T]`` ids.
            attributes: each token's pitch, onset and duration; omitted means none.
            positions: ``[B, T]`` token indices (default ``0..T-1``, or after the cache).
            valid: ``[B, T]`` False for padding.
            caches: one ``LayerCache`` per layer for incremental decoding.
            logits_at: ``[B]`` long: each row's one position whose logits are wanted
                (decoding feeds a chunk for its cache and needs the logits after its last
                token only: the output layer is then run on B positions, not B x T).

        Returns:
            ``[B, T, vocab]`` logits, or ``[B, vocab]`` with ``logits_at``.
        """
        batch, steps = tokens.shape
        device = tokens.device
        if attributes is None:
            attributes = TokenAttributes.none(batch, steps, device)
        if positions is None:
            positions = torch.arange(steps, device=device).expand(batch, steps)
        x = self.embed(tokens, attributes)
        if self.positions is not None:
            if int(positions.max()) >= self.config.max_positions:
                raise ValueError(f"position {int(positions.max())} is beyond max_positions "
                                 f"{self.config.max_positions} of an absolute-position model")
            x = x + self.positions(positions)
        relations: dict = {}  # the layers' shared bucket indices and mask
        for index, block in enumerate(self.blocks):
            cache = caches[index] if caches is not None else None
            x = block(x, positions, attributes, valid, cache, self.config.window, relations)
        if logits_at is not None:
            x = x[torch.arange(batch, device=device), logits_at]  # (B, D)
        return self.head(self.norm(x))

    def new_caches(self, batch: int, capacity: int, device: torch.device | str = "cpu",
                   dtype: torch.dtype = torch.float32) -> list[LayerCache]:
        """Empty caches for incremental decoding (a ring of ``capacity`` keys per row: the
        window, or the context to keep when the model has none)."""
        heads, dh = self.config.heads, self.config.dim // self.config.heads
        return [LayerCache.empty(batch, heads, capacity, dh, device, dtype)
                for _ in self.blocks]

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def _init(module: nn.Module) -> None:
    if getattr(module, "zero_init", False):  # FME projections and RIPO maps start at zero
        return
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, std=0.02)
