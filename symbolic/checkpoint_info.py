"""What a checkpoint was trained on (its ``tokenizer.json``), read without torch, so that
showing a plan or a style can name the model's roles without loading the model."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from songform.core.errors import InputError

from .schemes import SONG_SCHEME

if TYPE_CHECKING:
    from .tokenizer import SongTokenizer

TOKENIZER = "tokenizer.json"


class CheckpointError(InputError):
    """A checkpoint folder that cannot be loaded; the message names the file and the reason."""


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint was trained on (its ``tokenizer.json``).

    Args:
        scheme: the token scheme (:data:`SONG_SCHEME` for songs, ``"satb-16th"`` for the JSB
            grid); only song checkpoints can write songs.
        vocab_size: token ids the model knows.
        settings: the song tokenizer's settings (``TokenizerSettings.to_dict``).
        corpus: the corpus name (``pop909``, ``midi``, ``jsb``).
        roles: the roles whose notes the training data held (what the model writes).
        split: how the validation songs were chosen.
        idiom_roles: for a model of several corpora, the roles it writes in each idiom
            (``hierarchy.styles.IDIOMS``): a chorale's four voices, a fiddle tune's melody.
        idiom_corpora: for a model of several corpora, the corpus each idiom learned from.
    """

    scheme: str
    vocab_size: int
    settings: dict | None = None
    corpus: str | None = None
    roles: tuple[str, ...] | None = None
    split: str | None = None
    idiom_roles: dict[str, tuple[str, ...]] | None = None
    idiom_corpora: dict[str, str] | None = None

    @classmethod
    def for_songs(cls, tokenizer: SongTokenizer, corpus: str | None = None,
                  roles: tuple[str, ...] | None = None, split: str | None = None,
                  idiom_roles: dict[str, tuple[str, ...]] | None = None,
                  idiom_corpora: dict[str, str] | None = None) -> CheckpointInfo:
        return cls(SONG_SCHEME, len(tokenizer), tokenizer.settings.to_dict(), corpus,
                   tuple(roles) if roles is not None else None, split,
                   {k: tuple(v) for k, v in idiom_roles.items()} if idiom_roles else None,
                   dict(idiom_corpora) if idiom_corpora else None)

    def notes_source(self, style: str) -> str:
        """Where a song of ``style`` gets its model-written notes: the corpus its idiom
        learned from and the roles the model writes there."""
        from songform.hierarchy.styles import style_idiom, writer_roles

        idiom = style_idiom(style)
        if self.idiom_corpora is None:
            roles = writer_roles(self.roles or (), style)
            return f"{self.corpus or 'its corpus'} ({', '.join(roles) or 'no role'})"
        if idiom not in self.idiom_corpora:
            return f"no {idiom} idiom: the arranger"
        roles = self.style_roles(style)
        return f"{self.idiom_corpora[idiom]} ({', '.join(roles) or 'no role'})"

    def style_roles(self, style: str) -> tuple[str, ...]:
        """The roles the model writes in a song of ``style`` (as ``SongModel.roles_for``)."""
        from songform.hierarchy.styles import style_idiom, writer_roles

        return writer_roles(self.roles_in(style_idiom(style)) or (), style)

    def roles_in(self, idiom: str) -> tuple[str, ...] | None:
        """The roles the model writes in ``idiom``: its roles for that idiom when it learned
        several, else all its roles."""
        if self.idiom_roles and idiom in self.idiom_roles:
            return self.idiom_roles[idiom]
        return self.roles

    @property
    def writes_songs(self) -> bool:
        return self.scheme == SONG_SCHEME and self.settings is not None

    def tokenizer(self) -> SongTokenizer:
        """The song tokenizer the model was trained with."""
        from .tokenizer import SongTokenizer, TokenizerSettings

        return SongTokenizer(TokenizerSettings.from_dict(self.settings or {}))

    def to_dict(self) -> dict[str, Any]:
        values = {k: v for k, v in asdict(self).items() if v is not None}
        if self.roles is not None:
            values["roles"] = list(self.roles)
        if self.idiom_roles is not None:
            values["idiom_roles"] = {k: list(v) for k, v in self.idiom_roles.items()}
        return values

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckpointInfo:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("roles") is not None:
            values["roles"] = tuple(values["roles"])
        if values.get("idiom_roles") is not None:
            values["idiom_roles"] = {str(k): tuple(v) for k, v in values["idiom_roles"].items()}
        return cls(**values)


def read_info(folder: str | Path) -> CheckpointInfo | None:
    """The checkpoint's :class:`CheckpointInfo`, or ``None`` when it has no ``tokenizer.json``.

    Raises:
        CheckpointError: the file is not a valid description.
    """
    path = Path(folder) / TOKENIZER
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("scheme"), str) \
                or not isinstance(data.get("vocab_size"), int):
            raise ValueError("expected an object with scheme and vocab_size")
        info = CheckpointInfo.from_dict(data)
        if info.settings is not None:
            from .tokenizer import TokenizerSettings

            TokenizerSettings.from_dict(info.settings)  # settings within their limits
    except (OSError, UnicodeDecodeError, ValueError, TypeError, AttributeError) as error:
        raise CheckpointError(f"{path}: {error}") from None
    return info


def read_card(folder: str | Path) -> CheckpointInfo | None:
    """The checkpoint's :class:`CheckpointInfo` from its ``tokenizer.json`` alone (no
    tokenizer, no torch; settings not checked): for showing who plays what. ``None`` when it
    does not say or cannot be read."""
    try:
        data = json.loads((Path(folder) / TOKENIZER).read_text(encoding="utf-8"))
        return CheckpointInfo.from_dict(data) if isinstance(data, dict) else None
    except (OSError, UnicodeDecodeError, ValueError, TypeError, AttributeError):
        return None
