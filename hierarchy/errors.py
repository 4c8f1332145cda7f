"""The one error type for bad templates, plans and music-theory input."""

from __future__ import annotations

from songform.core.errors import SongformError


class TemplateError(SongformError, ValueError):
    """A template, form string, chord symbol or plan that cannot be used.

    The message is one line: ``[source:line:col: ][field: ]expected ..., got ...``.

    Attributes:
        field: dotted path of the offending field (``sections[2].bars``), or ``""``.
        source: file name or ``"<form>"``/``"<template>"``, or ``""``.
        line: 1-based line of the offending value, or ``None``.
        column: 1-based column, or ``None``.
        detail: the message without location.
    """

    def __init__(
        self,
        detail: str,
        *,
        field: str = "",
        source: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.detail = detail
        self.field = field
        self.source = source
        self.line = line
        self.column = column
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.source
        if where and self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [p for p in (where, self.field) if p]
        text = ": ".join([*parts, self.detail])
        return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)  # one line

    def located(
        self, *, source: str = "", line: int | None = None, column: int | None = None
    ) -> TemplateError:
        """Return a copy of this error placed in ``source`` at ``line``/``column``."""
        return TemplateError(
            self.detail,
            field=self.field,
            source=source or self.source,
            line=line if line is not None else self.line,
            column=column if column is not None else self.column,
        )

    def within(self, prefix: str) -> TemplateError:
        """Return a copy whose field path is prefixed (``sections[2]`` + ``.bars``)."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        if self.field.startswith("["):
            field = f"{prefix}{self.field}"
        return TemplateError(
            self.detail, field=field, source=self.source, line=self.line, column=self.column
        )


def expected(what: str, got: object, *, field: str = "") -> TemplateError:
    """Build the standard ``expected WHAT, got VALUE`` error."""
    shown = f'"{got}"' if isinstance(got, str) else repr(got)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return TemplateError(f"expected {what}, got {shown}", field=field)
