"""Safe XML parsing and the byte-level XML helpers shared by the .xlsx patcher.

Every part comes from outside, so nothing here resolves entities, reads a DTD or
touches the network; a part that carries a DOCTYPE is refused outright.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from sheetsync.errors import UnreadableInput

_HINT = "Open the workbook in Excel or LibreOffice and save it again, or restore its previous version."

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ESCAPES = ((b"&", b"&amp;"), (b"<", b"&lt;"), (b">", b"&gt;"), (b'"', b"&quot;"))


SHEET_PROTECTION = re.compile(rb"<(?:\w+:)?sheetProtection[\s/>]")
"""A protected worksheet's element (it stands after `</sheetData>`)."""


def signed(names: Iterable[str]) -> bool:
    """Whether a package's members (their names) include a digital signature (`_xmlsignatures/`)."""
    return any(n.lower().startswith("_xmlsignatures/") for n in names)


def corrupt(where: str, reason: str) -> UnreadableInput:
    """The error for a package or part we cannot make sense of."""
    return UnreadableInput(f"{where} is unreadable: {reason}", hint=_HINT)


def parse_part(data: bytes, where: str) -> etree._Element:
    """Parse a small part (workbook, rels, styles, table) safely; return its root element."""
    if b"<!DOCTYPE" in data[:4096].upper():
        raise corrupt(where, "it declares a DOCTYPE, which no Office file does")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise corrupt(where, f"XML error: {exc}") from exc


def local_name(element: etree._Element) -> str:
    """The tag of `element` without its namespace."""
    return etree.QName(element).localname


def attr_local(element: etree._Element, name: str) -> str | None:
    """The value of the attribute whose local name is `name`, in whatever namespace."""
    for key, value in element.attrib.items():
        if etree.QName(key).localname == name:
            return str(value)
    return None


def parse_attrs(tag: bytes) -> dict[bytes, bytes]:
    """Attributes of one start tag, in document order, values still XML-escaped."""
    return {m[1]: m[2] if m[2] is not None else m[3].replace(b'"', b"&quot;") for m in _ATTR.finditer(tag)}


def format_attrs(attrs: dict[bytes, bytes]) -> bytes:
    """The inverse of `parse_attrs`: ` name="value"` for each attribute."""
    return b"".join(b" " + key + b'="' + value + b'"' for key, value in attrs.items())


def escape(text: bytes) -> bytes:
    """Escape text for an element's content or a double-quoted attribute."""
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text


def unescape_text(inner: bytes, where: str) -> str:
    """The character data of an element's content (`inner` is the raw bytes between its tags)."""
    element = parse_part(b"<t>" + inner + b"</t>", where)
    return element.text or ""


def root_prefix(head: bytes, local: bytes) -> bytes | None:
    """The namespace prefix (with its colon, or b"") of the root element `local`; None if not in `head`."""
    match = re.search(rb"<([A-Za-z_][\w.-]*:)?" + local + rb"(?=[\s/>])", head)
    return None if match is None else (match[1] or b"")


HEAD_LIMIT = 64 << 20
"""The most of a worksheet part read looking for its `<sheetData>`."""
_WHITESPACE_OR_END = b" \t\r\n/>"


_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")


def row_number(xml: bytes, start: int) -> int | None:
    """The `r` of the row whose start tag begins at `start` (None: it has none, it follows the row before)."""
    found = _ROW_NUMBER.search(xml, start, xml.find(b">", start))
    return int(found[1]) if found else None


def last_row_start(buf: bytes | bytearray, pfx: bytes) -> int:
    """Where the last (possibly incomplete) row of `buf` starts; everything before it is whole rows (-1: no row
    starts in it)."""
    opening = b"<" + pfx + b"row"
    pos = buf.rfind(opening)
    while pos > 0 and pos + len(opening) < len(buf) and buf[pos + len(opening)] not in _WHITESPACE_OR_END:
        pos = buf.rfind(opening, 0, pos)
    return pos


def sheet_data_start(chunks: Iterable[bytes], limit: int = HEAD_LIMIT) -> tuple[bytes, bytes, re.Match[bytes]] | None:
    """Read a worksheet part's `chunks` until its root and its `<sheetData>` start tag are in: (the bytes read, the
    root's namespace prefix, the start tag's match, whose group 1 is "/" for an empty `<sheetData/>`); None when they
    are not within `limit` bytes or the part ends first."""
    buf = b""
    for chunk in chunks:
        buf += chunk
        pfx = root_prefix(buf, b"worksheet")
        start = re.search(rb"<" + re.escape(pfx) + rb"sheetData(?=[\s/>])[^>]*?(/?)>", buf) if pfx is not None else None
        if pfx is not None and start is not None:
            return buf, pfx, start
        if len(buf) > limit:
            return None
    return None

