"""The MusicXML 4.0 XSD from the `musicxml` package, made loadable offline.

The XSD imports ``xml.xsd`` and ``xlink.xsd`` by URL. The package ships the XML-namespace
attributes (``_attributes.xsd``, without its target namespace, which is added here); for
``xlink.xsd`` (not shipped) a stub declares the six XLink attributes MusicXML refers to, typed
as the W3C schema types them (``href`` an anyURI, the others strings), so every element and
attribute of MusicXML itself is still validated.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

XLINK_STUB = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://www.w3.org/1999/xlink" attributeFormDefault="qualified">
  <xs:attribute name="href" type="xs:anyURI"/>
  <xs:attribute name="type" type="xs:string"/>
  <xs:attribute name="role" type="xs:string"/>
  <xs:attribute name="title" type="xs:string"/>
  <xs:attribute name="show" type="xs:string"/>
  <xs:attribute name="actuate" type="xs:string"/>
</xs:schema>
"""


@lru_cache(maxsize=1)
def musicxml_schema(workdir: str):
    """An ``lxml.etree.XMLSchema`` for MusicXML 4.0, built in ``workdir``."""
    import musicxml
    from lxml import etree

    source = Path(musicxml.__file__).parent / "generate_classes"
    folder = Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    xml_attributes = (source / "_attributes.xsd").read_text().replace(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">',
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="http://www.w3.org/XML/1998/namespace">')
    (folder / "xml.xsd").write_text(xml_attributes)
    (folder / "xlink.xsd").write_text(XLINK_STUB)
    text = (source / "musicxml_4_0.xsd").read_text()
    text = re.sub(r'schemaLocation="http://www\.musicxml\.org/xsd/(xml|xlink)\.xsd"',
                  r'schemaLocation="\1.xsd"', text)
    (folder / "musicxml.xsd").write_text(text)
    return etree.XMLSchema(etree.parse(str(folder / "musicxml.xsd")))


def validate(path: Path, workdir: Path) -> list[str]:
    """Schema errors of a MusicXML file (empty when valid)."""
    from lxml import etree

    schema = musicxml_schema(str(workdir))
    document = etree.parse(str(path), etree.XMLParser(no_network=True, load_dtd=False))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
