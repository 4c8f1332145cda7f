"""One entry point from what a user types (a YAML path, a form string, a style) to a Template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import TemplateError
from .template import Template
from .template_yaml import read_yaml_template

YAML_SUFFIXES = (".yaml", ".yml")


def load_template(source: str | Path | None = None, **overrides: Any) -> Template:
    """A template from a YAML file path, a form string, or nothing (the style alone).

    Args:
        source: path to a ``.yaml``/``.yml`` file, or a form string such as
            ``"intro:4 verse:8 chorus:8"`` or ``"i4A8B8o4"``; ``None`` for a style's default.
        overrides: template fields that replace the source's (``style``, ``key``, ``tempo``,
            ``meter``, ``bars``, ``title``...); ``None`` values are ignored.

    Raises:
        TemplateError: the file is missing or malformed, or a field is invalid.
    """
    given = {name: value for name, value in overrides.items() if value is not None}
    if source is None:
        template = Template(source="<options>")
    elif isinstance(source, Path) or str(source).lower().endswith(YAML_SUFFIXES):
        path = Path(source)
        if not path.exists():
            raise TemplateError(f"no such template file: {path}")
        template = read_yaml_template(path)
    else:
        try:
            template = Template(form=str(source), source="<form>")
        except TemplateError as error:
            if error.source:
                raise
            raise error.located(source="<form>") from None
    if not given:
        return template
    try:
        return template.replace(**given)
    except TemplateError as error:
        raise error.located(source="<options>") from None
