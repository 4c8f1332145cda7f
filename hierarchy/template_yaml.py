"""YAML templates, with errors that name the file, line, column and field.

Schema (every field optional; ``sections`` and ``form`` are alternatives)::

    title: Harbour Lights          # text
    style: ballad                  # a built-in style (songform styles)
    key: Eb major                  # C, Am, F# minor, Gb:maj ...
    meter: 4/4                     # 4/4, 3/4, 6/8, 7/8:3+2+2 ...
    tempo: 72                      # BPM, 20-320
    seed: 7                        # default seed for this template
    bars: 96                       # target length when the form is left to the style
    key_change: 1                  # semitones the last chorus moves up
    bridge_key_change: 5           # semitones bridges move (0: stay; default: the style's)
    variation: 0.25                # 0 (copy) .. 1 (free) for restated phrases
    swing: 0.66                    # 0.5 straight .. 0.75 a hard shuffle (default: the style's)
    humanize: 0.3                  # 0 on the grid (default) .. 1: seeded timing and velocity
    form: "intro:4 verse:8 chorus:8"   # or "i4A8B8o4"; instead of sections
    instruments:                   # replaces the style's tracks
      - {name: Flute, program: 73, role: melody}   # roles: melody, counter-melody,
      - {name: Piano, program: 0, role: harmony}   #   harmony, bass, drums
      - {name: Pad, program: 89, role: harmony, pan: -0.5, volume: 80, reverb: 90, chorus: 40}
                                   # mix: pan -1..1; volume and sends 0-127 (else by role)
    sections:
      - kind: verse                # intro, verse, pre-chorus, chorus, bridge, outro ...
        bars: 8
        chords: I V vi IV          # numerals or symbols; "| C G | Am F |" for several a bar
        key: D major               # also meter, tempo: this section's own
        energy: 4                  # 0-7
        instruments: [Flute, Piano]
        phrases: A4 A4             # explicit phrase labels and lengths
        phrase_bars: 4
        variation: 0.5
      - repeat: verse 1            # restate an earlier section
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml

from songform.core.limits import (
    MAX_TEMPLATE_BYTES,
    MAX_YAML_ALIASES,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
)

from .errors import TemplateError, expected
from .plan import TrackSpec
from .template import Section, Template

TEMPLATE_FIELDS = ("title", "style", "key", "meter", "tempo", "seed", "bars", "key_change",
                   "bridge_key_change",
                   "variation", "swing", "humanize", "form", "instruments", "sections")
SECTION_FIELDS = ("kind", "bars", "chords", "key", "meter", "tempo", "energy", "instruments",
                  "phrases", "phrase_bars", "repeat", "variation", "swing")
TRACK_FIELDS = ("name", "program", "role", "is_drum", "pan", "volume", "reverb", "chorus")
Marks = dict[str, tuple[int, int]]


def read_yaml_template(path: str | Path) -> Template:
    """Read a YAML template file.

    Raises:
        TemplateError: ``file:line:col: field: expected ..., got ...``.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise TemplateError(f"{size:,} bytes: a template file holds at most "
                                f"{MAX_TEMPLATE_BYTES:,}", source=str(path))
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"cannot read template: {error}", source=str(path)) from None
    return template_from_yaml(text, source=str(path))


def template_from_yaml(text: str, source: str = "<yaml>") -> Template:
    """Parse a YAML template from ``text``; ``source`` names it in error messages."""
    if len(text) > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"{len(text):,} characters: a template holds at most "
                            f"{MAX_TEMPLATE_BYTES:,}", source=source)
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise TemplateError("expected a template, got an empty document", source=source,
                                line=1, column=1)
        _check_shape(node, source)
        data = loader.construct_document(node)
    except TemplateError:
        raise
    except RecursionError:
        raise TemplateError(f"nested more than {MAX_YAML_DEPTH} levels deep",
                            source=source) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or getattr(error, "reason", None) or str(
            error).splitlines()[0]
        raise TemplateError(
            f"invalid YAML: {problem}", source=source,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
        ) from None
    except (ValueError, TypeError, OverflowError) as error:  # scalars the constructor rejects
        raise TemplateError(f"invalid YAML value: {error}", source=source) from None
    finally:
        if loader is not None:
            loader.dispose()
    marks: Marks = {}
    try:
        _collect_marks(node, "", marks)
        template = template_from_dict(data)
    except TemplateError as error:
        if error.line is not None:
            raise error.located(source=source) from None
        line, column = _mark_for(error.field, marks,
                                 prefer_key=error.detail.startswith("unknown field"))
        raise error.located(source=source, line=line, column=column) from None
    return template.replace(source=source)


def _check_shape(root: yaml.Node, source: str) -> None:
    """Refuse YAML nested deeper than ``MAX_YAML_DEPTH`` or reusing anchors more than
    ``MAX_YAML_ALIASES`` times (a billion-laughs file expands exponentially), before it is
    built into Python objects."""
    seen: set[int] = set()
    reuses = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_YAML_DEPTH:
            raise TemplateError(f"nested more than {MAX_YAML_DEPTH} levels deep",
                                source=source, line=node.start_mark.line + 1,
                                column=node.start_mark.column + 1)
        if id(node) in seen:
            reuses += 1
            if reuses > MAX_YAML_ALIASES:
                raise TemplateError(f"more than {MAX_YAML_ALIASES} aliases (*anchor)",
                                    source=source, line=node.start_mark.line + 1,
                                    column=node.start_mark.column + 1)
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((part, depth + 1) for pair in node.value for part in pair)
    _check_expansion(root, source)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Refuse a document whose aliases expand it past ``MAX_YAML_NODES`` nodes, or an anchor
    that contains itself, counting each node's expanded size once (the document is walked as
    the graph it is, never expanded)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = min(MAX_YAML_NODES + 1,
                             1 + sum(sizes[id(child)] for child in _children(node)))
            if sizes[key] > MAX_YAML_NODES:
                raise TemplateError(
                    f"the document expands to more than {MAX_YAML_NODES:,} nodes through "
                    "its aliases (*anchor)", source=source, line=node.start_mark.line + 1,
                    column=node.start_mark.column + 1)
            continue
        if key in sizes:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                raise TemplateError("an anchor contains itself (*anchor inside &anchor)",
                                    source=source, line=child.start_mark.line + 1,
                                    column=child.start_mark.column + 1)
            if id(child) not in sizes:
                stack.append((child, False))


def template_from_dict(data: Any) -> Template:
    """Build a ``Template`` from plain data (parsed YAML or JSON)."""
    values = _fields(data, TEMPLATE_FIELDS, "",
                     "a mapping of template fields at the top level")
    if "sections" in values:
        sections = values["sections"]
        if not isinstance(sections, list) or not sections:
            raise expected("a non-empty list of sections", _shown(sections), field="sections")
        values["sections"] = [_section(item, i) for i, item in enumerate(sections)]
    if "instruments" in values:
        tracks = values["instruments"]
        if not isinstance(tracks, list) or not tracks:
            raise expected("a non-empty list of instruments", _shown(tracks),
                           field="instruments")
        values["instruments"] = [_track(item, i) for i, item in enumerate(tracks)]
    for name in ("title", "form", "style"):
        if name in values and values[name] is not None and not isinstance(values[name], str):
            raise expected("text", values[name], field=name)
    return Template(**values)


def _section(item: Any, index: int) -> Section:
    prefix = f"sections[{index}]"
    values = _fields(item, SECTION_FIELDS, prefix,
                     "a section mapping such as {kind: verse, bars: 8}")
    chords = values.get("chords")
    if isinstance(chords, list):
        if not all(isinstance(c, str) for c in chords):
            raise expected("chords as text, or a list of bars as text", chords,
                           field=f"{prefix}.chords")
        values["chords"] = "| " + " | ".join(chords) + " |"
    phrases = values.get("phrases")
    if isinstance(phrases, list):
        values["phrases"] = " ".join(str(p) for p in phrases)
    try:
        return Section(**values)
    except TemplateError as error:
        raise error.within(prefix) from None


def _track(item: Any, index: int) -> TrackSpec:
    prefix = f"instruments[{index}]"
    item = _fields(item, TRACK_FIELDS, prefix, "an instrument mapping {name, program, role}")
    for required in ("name", "role"):
        if required not in item:
            raise TemplateError(f'missing field "{required}"', field=prefix)
    values = {"program": 0, **item}
    try:
        return TrackSpec(**values)
    except TemplateError as error:
        raise error.within(prefix) from None


def _fields(item: Any, allowed: tuple[str, ...], prefix: str, what: str) -> dict:
    """A copy of the mapping ``item`` once it is a mapping whose every key is ``allowed``."""
    if not isinstance(item, dict):
        raise expected(what, _shown(item), field=prefix)
    for name in item:
        if name not in allowed:
            close = difflib.get_close_matches(str(name), allowed, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            field = f"{prefix}.{name}" if prefix else str(name)
            raise TemplateError(
                f'unknown field{hint}: expected one of {", ".join(allowed)}',
                field=field)
    return dict(item)


def _shown(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return type(value).__name__
    return value


def _collect_marks(node: yaml.Node, path: str, marks: Marks) -> None:
    """Record (line, column), 1-based, of every value node under its field path."""
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            child = f"{path}.{name}" if path else name
            if name in seen:
                raise TemplateError(
                    f'field "{name}" is given twice', field=child,
                ).located(line=key_node.start_mark.line + 1,
                          column=key_node.start_mark.column + 1)
            seen.add(name)
            marks[child + "#key"] = (key_node.start_mark.line + 1,
                                     key_node.start_mark.column + 1)
            _collect_marks(value_node, child, marks)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _collect_marks(item, f"{path}[{i}]", marks)


def _mark_for(field: str, marks: Marks, prefer_key: bool = False) -> tuple[int | None, int | None]:
    """The mark of ``field`` (of its key with ``prefer_key``), else of its nearest parent."""
    if field + "#key" in marks and (prefer_key or field not in marks):
        return marks[field + "#key"]
    candidate = field
    while candidate:
        if candidate in marks:
            return marks[candidate]
        cut = max(candidate.rfind("."), candidate.rfind("["))
        candidate = candidate[:cut] if cut > 0 else ""
    return marks.get("", (None, None))
