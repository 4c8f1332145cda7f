"""One entry point from what a user types (a YAML path, a saved plan, a form string, a style)
to a Template, or to the SongPlan a saved plan holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from songform.core.errors import InputError
from songform.core.fileio import read_json

from .errors import TemplateError
from .plan import PLAN_FORMAT_VERSION, SongPlan
from .template import Template
from .template_yaml import read_yaml_template

YAML_SUFFIXES = (".yaml", ".yml")
MAX_PLAN_BYTES = 64 * 1024 ** 2
"""The largest saved plan read (a 1,024-bar plan is a few MB)."""


def load_source(source: str | Path | None = None, **overrides: Any) -> Template | SongPlan:
    """What a user names as a song's source: a saved plan (``plan --save``, or the
    ``plan.json`` beside a song), recognised by its content and format version, as the
    ``SongPlan`` it holds; anything else as :func:`load_template` reads it.

    A plan is the song's plan as it stands, so options that would plan again (``style``,
    ``key``, ``tempo``, ``meter``, ``bars``...) are refused with it.

    Raises:
        TemplateError: a missing file (named), a malformed plan or template, an option a
            plan cannot take.
    """
    plan = read_plan_file(source) if source is not None else None
    if plan is None:
        return load_template(source, **overrides)
    given = sorted(name for name, value in overrides.items() if value is not None)
    if given:
        raise TemplateError(f"{source} is a saved plan: it fixes {', '.join(given)} already "
                            "(edit the plan, or give a template to plan again)")
    return plan


def read_plan_file(source: str | Path) -> SongPlan | None:
    """The plan in the file ``source`` names when it holds a saved songform plan, else
    ``None`` (a template, a form string)."""
    path = Path(source)
    if path.suffix.lower() in YAML_SUFFIXES or not path.is_file():
        return None
    try:
        data = read_json(path, MAX_PLAN_BYTES, "plan")
    except InputError as error:
        if path.suffix.lower() == ".json":
            raise TemplateError(str(error)) from None
        return None  # not JSON: a template for the YAML reader
    if not isinstance(data, dict) or "sections" not in data or "tracks" not in data:
        if path.suffix.lower() == ".json":
            raise TemplateError(f"{path}: not a songform plan (a plan holds tracks and "
                                "sections)")
        return None
    if data.get("format") != PLAN_FORMAT_VERSION:
        raise TemplateError(f"{path}: plan format {data.get('format')!r}; this songform reads "
                            f"format {PLAN_FORMAT_VERSION}")
    try:
        return SongPlan.from_dict(data)
    except TemplateError as error:
        raise TemplateError(f"{path}: {error}") from None


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
    elif isinstance(source, Path) or looks_like_a_path(str(source)):
        path = Path(source)
        if not path.exists():
            raise TemplateError(f"no such file: {path}")
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


def looks_like_a_path(text: str) -> bool:
    """Whether ``text`` names a file rather than a form (form strings hold no ``/`` or
    ``.``, and a file that exists is a file)."""
    return "/" in text or "." in text or "\\" in text or Path(text).is_file()
