"""Add (or replace) one tool-owned worksheet, with its drawing and charts, in an existing .xlsx package.

The sheet's parts come from a small workbook XlsxWriter made; they are renamed under the
`sheetsync_dashboard` prefix (which is how a later run knows the sheet is the tool's), their cell
formats are carried into the person's styles part (an identical format already there is reused),
and the sheet is listed last in the workbook, so the index of every other sheet (defined names,
the active tab) stays as it was.  Every other member is copied raw: byte for byte, not recompressed.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final
from xml.sax.saxutils import quoteattr

from lxml import etree

from sheetsync.errors import ConfigError
from sheetsync.i18n import Lang, t
from sheetsync.stores.xlsx.package import read_book
from sheetsync.stores.xlsx.xmlparts import local_name, parse_part
from sheetsync.stores.xlsx.zipped import NewMember, deflate, write_package

PREFIX: Final = "sheetsync_dashboard"
SHEET_PART: Final = f"xl/worksheets/{PREFIX}.xml"
_REL_ID: Final = "rIdSheetsyncDashboard"
_R_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_TYPES: Final = {
    "worksheets": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "drawings": "application/vnd.openxmlformats-officedocument.drawing+xml",
    "charts": "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
}


def embed(src: Path, made: bytes, sheet: str, dst: BinaryIO, lang: Lang) -> dict[str, bytes]:
    """Write the package `src` to `dst` with the sheet `sheet` of the workbook `made` added (or replacing the one
    an earlier run added); returns the parts written anew.  A sheet of that name the person made is never touched:
    ConfigError."""
    with src.open("rb") as raw, zipfile.ZipFile(raw) as package, zipfile.ZipFile(io.BytesIO(made)) as ours:
        where = str(src)
        book = read_book(package, where)
        existing = {name.casefold(): part for name, part in book.sheets.items()}
        present = existing.get(sheet.casefold())
        if present is not None and posixpath.normpath(present) != SHEET_PART:
            raise ConfigError(t("kpi.dashboard.not_ours", lang, path=where, sheet=sheet), t("kpi.dashboard.not_ours.hint", lang))
        parts = _our_parts(ours)
        names = {info.filename for info in package.infolist()}
        styles_part = book.styles or "xl/styles.xml"
        styles = _Styles(package.read(styles_part), ours.read("xl/styles.xml"), where)
        parts[SHEET_PART] = styles.remap_sheet(parts[SHEET_PART])
        changed: dict[str, bytes] = dict(parts)
        if styles.changed:
            changed[styles_part] = styles.to_bytes()
        if present is None:
            workbook_rels = posixpath.join(posixpath.dirname(book.part), "_rels", posixpath.basename(book.part) + ".rels")
            changed[book.part] = _add_sheet(book.xml, sheet)
            changed[workbook_rels] = _insert_before(package.read(workbook_rels), b"Relationships", (
                f'<Relationship Id="{_REL_ID}" Type="{_WORKSHEET}" '
                f'Target="{posixpath.relpath(SHEET_PART, posixpath.dirname(book.part))}"/>').encode())
        types = package.read("[Content_Types].xml")
        missing = [p for p in parts if not p.endswith(".rels") and f'PartName="/{p}"'.encode() not in types]
        if missing:
            overrides = "".join(f'<Override PartName="/{p}" ContentType="{_TYPES[p.split("/")[1]]}"/>' for p in missing)
            changed["[Content_Types].xml"] = _insert_before(types, b"Types", overrides.encode())
        stale = {n for n in names if PREFIX in n and n not in parts}
        members = [info for info in package.infolist() if info.filename not in stale]
        _write(raw, package, members, [n for n in parts if n not in names], changed, dst, where)
    return changed


def _write(raw: BinaryIO, package: zipfile.ZipFile, members: list[zipfile.ZipInfo], added: Sequence[str],
           changed: dict[str, bytes], dst: BinaryIO, where: str) -> None:
    """The package written to `dst`: `members` (copied raw unless `changed`), then the parts `added` (dated as
    its first member), every changed part deflated anew."""
    template = members[0] if members else zipfile.ZipInfo("x")
    for name in added:
        info = zipfile.ZipInfo(name, template.date_time)
        info.external_attr = template.external_attr
        members.append(info)
    new: dict[str, NewMember] = {name: deflate(data, 6) for name, data in changed.items()}
    write_package(raw, members, new, dst, comment=package.comment, where=where)


def _our_parts(ours: zipfile.ZipFile) -> dict[str, bytes]:
    """XlsxWriter's sheet, drawing and chart parts under our names, their relationships pointing at each other."""
    renames: dict[str, str] = {"xl/worksheets/sheet1.xml": SHEET_PART}
    charts = sorted(n for n in ours.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    drawings = sorted(n for n in ours.namelist() if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n))
    for name in drawings:
        renames[name] = f"xl/drawings/{PREFIX}.xml"
    for i, name in enumerate(charts, start=1):
        renames[name] = f"xl/charts/{PREFIX}_chart{i}.xml"
    parts: dict[str, bytes] = {}
    for old, new in renames.items():
        parts[new] = ours.read(old)
        rels = posixpath.join(posixpath.dirname(old), "_rels", posixpath.basename(old) + ".rels")
        if rels in ours.namelist():
            text = ours.read(rels)
            for target_old, target_new in renames.items():
                text = text.replace(f'"../{target_old[3:]}"'.encode(), f'"../{target_new[3:]}"'.encode())
            parts[posixpath.join(posixpath.dirname(new), "_rels", posixpath.basename(new) + ".rels")] = text
    parts[SHEET_PART] = re.sub(rb'\s+tabSelected="1"', b"", parts[SHEET_PART])
    return parts


def _add_sheet(workbook: bytes, sheet: str, rel_id: str = _REL_ID, *, hidden: bool = False) -> bytes:
    """workbook.xml with the sheet listed last (a fresh sheetId, our relationship id)."""
    ids = [int(x) for x in re.findall(rb'<(?:\w+:)?sheet\b[^>]*?\ssheetId="(\d+)"', workbook)]
    start = re.search(rb"<(?:\w+:)?workbook\b[^>]*>", workbook)
    head = start.group(0) if start else b""
    prefixes = {m.group(1): m.group(2) for m in re.finditer(rb'xmlns:(\w+)="([^"]*)"', head)}
    r = next((p.decode() for p, ns in prefixes.items() if ns.decode() == _R_NS), None)
    declare = "" if r else f' xmlns:r="{_R_NS}"'
    state = ' state="hidden"' if hidden else ""
    element = f'<sheet{declare} name={quoteattr(sheet)} sheetId="{max(ids, default=0) + 1}"{state} {r or "r"}:id="{rel_id}"/>'
    main = re.search(rb"<(\w+:)?sheets\b", workbook)
    prefix = main.group(1).decode() if main and main.group(1) else ""
    return _insert_before(workbook, b"sheets", element.replace("<sheet", f"<{prefix}sheet", 1).encode())


def _insert_before(xml: bytes, local: bytes, fragment: bytes) -> bytes:
    """`fragment` inserted before the closing tag of the element `local` (any prefix)."""
    closing = list(re.finditer(rb"</(?:\w+:)?" + local + rb"\s*>", xml))
    if not closing:
        empty = re.search(rb"<((?:\w+:)?" + local + rb")\b([^>]*)/>", xml)
        if empty is None:
            raise ValueError(f"no <{local.decode()}> element")
        return xml[: empty.start()] + b"<" + empty.group(1) + empty.group(2) + b">" + fragment + b"</" + empty.group(1) + \
            b">" + xml[empty.end():]
    at = closing[-1].start()
    return xml[:at] + fragment + xml[at:]


def _key(element: etree._Element) -> tuple[object, ...]:
    """An element's content, namespaces aside: two equal keys are the same format."""
    return (local_name(element), tuple(sorted((etree.QName(k).localname, v) for k, v in element.attrib.items())),
            tuple(_key(child) for child in element if isinstance(child.tag, str)))


class _Styles:
    """The person's styles part, gaining the cell formats the dashboard sheet uses (each added once)."""

    def __init__(self, theirs: bytes, ours: bytes, where: str) -> None:
        start = re.search(rb"<(?![?!])", theirs)
        self._prolog = theirs[: start.start()] if start else b""
        self.root = parse_part(theirs, f"{where}: styles")
        self.ours = parse_part(ours, "dashboard styles")
        self.changed = False
        self._map: dict[int, int] = {}

    def _container(self, root: etree._Element, name: str, create: bool = False) -> etree._Element | None:
        for element in root:
            if isinstance(element.tag, str) and local_name(element) == name:
                return element
        if not create:
            return None
        namespace = etree.QName(root).namespace
        element = etree.Element(f"{{{namespace}}}{name}" if namespace else name, count="0")
        root.insert(0, element)
        return element

    def _items(self, root: etree._Element, name: str) -> list[etree._Element]:
        container = self._container(root, name)
        return [] if container is None else [e for e in container if isinstance(e.tag, str)]

    def _adopt(self, name: str, element: etree._Element) -> int:
        """The index in the person's `name` container of an element equal to `element`, appended if none is."""
        wanted = _key(element)
        items = self._items(self.root, name)
        for index, item in enumerate(items):
            if _key(item) == wanted:
                return index
        container = self._container(self.root, name, create=True)
        assert container is not None
        container.append(copy.deepcopy(element))
        container.set("count", str(len(items) + 1))
        self.changed = True
        return len(items)

    def _number_format(self, fmt_id: int) -> int:
        if fmt_id < 164:
            return fmt_id
        code = next((f.get("formatCode", "") for f in self._items(self.ours, "numFmts") if f.get("numFmtId") == str(fmt_id)), "")
        known = {f.get("formatCode"): int(f.get("numFmtId", "0")) for f in self._items(self.root, "numFmts")}
        if code in known:
            return known[code]
        new_id = max([163, *known.values()]) + 1
        container = self._container(self.root, "numFmts", create=True)
        assert container is not None
        namespace = etree.QName(self.root).namespace
        etree.SubElement(container, f"{{{namespace}}}numFmt" if namespace else "numFmt", numFmtId=str(new_id), formatCode=code)
        container.set("count", str(len(known) + 1))
        self.changed = True
        return new_id

    def style(self, index: int) -> int:
        """The person's cellXfs index for XlsxWriter's format `index`."""
        if index not in self._map:
            xf = copy.deepcopy(self._items(self.ours, "cellXfs")[index])
            for attr, container in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
                source = self._items(self.ours, container)[int(xf.get(attr, "0"))]
                xf.set(attr, str(self._adopt(container, source)))
            xf.set("numFmtId", str(self._number_format(int(xf.get("numFmtId", "0")))))
            xf.set("xfId", "0")
            self._map[index] = self._adopt("cellXfs", xf)
        return self._map[index]

    def remap_sheet(self, xml: bytes, *, whole: bool = False) -> bytes:
        """`xml` with its cells' formats (and, `whole`, its rows' and columns' too) as the person's indexes."""
        def mapped(match: re.Match[bytes]) -> bytes:
            return match.group(1) + str(self.style(int(match.group(2)))).encode() + match.group(3)

        xml = re.sub(rb'(<c\b[^>]*?\ss=")(\d+)(")', mapped, xml)
        if whole:
            xml = re.sub(rb'(<row\b[^>]*?\ss=")(\d+)(")', mapped, xml)
            xml = re.sub(rb'(<col\b[^>]*?\sstyle=")(\d+)(")', mapped, xml)
        return xml

    def to_bytes(self) -> bytes:
        return self._prolog + etree.tostring(self.root, encoding="UTF-8", xml_declaration=False)


@dataclass(frozen=True, slots=True)
class Added:
    """A sheet of a workbook XlsxWriter made (`source`, its part there), to be added to the person's workbook as
    `name`, its part named `xl/worksheets/{prefix}.xml`; `hidden` sheets are listed hidden."""

    name: str
    prefix: str
    source: str = "xl/worksheets/sheet1.xml"
    hidden: bool = False


def add_sheets(src: Path, made: bytes, added: Sequence[Added], dst: BinaryIO, lang: Lang) -> dict[str, bytes]:
    """Write the package `src` to `dst` with the sheets `added` (without drawings) of the workbook `made` listed
    after the person's own, their cell, row and column formats carried into the person's styles part, and the
    defined names `made` gives them (its filters, and names their dropdowns use) carried with each sheet's new
    index.  A sheet of one of those names, or a defined name of the same name, already in the workbook is never
    touched: ConfigError.  Every other member is copied raw.  Returns the parts written anew."""
    with src.open("rb") as raw, zipfile.ZipFile(raw) as package, zipfile.ZipFile(io.BytesIO(made)) as ours:
        where = str(src)
        book = read_book(package, where)
        existing = {name.casefold() for name in book.sheets}
        for sheet in added:
            if sheet.name.casefold() in existing:
                raise ConfigError(t("sheet.exists", lang, path=where, sheet=sheet.name), t("sheet.exists.hint", lang))
        styles_part = book.styles or "xl/styles.xml"
        styles = _Styles(package.read(styles_part), ours.read("xl/styles.xml"), where)
        parts = {f"xl/worksheets/{s.prefix}.xml": styles.remap_sheet(
            re.sub(rb'\s+tabSelected="1"', b"", ours.read(s.source)), whole=True) for s in added}
        changed: dict[str, bytes] = dict(parts)
        if styles.changed:
            changed[styles_part] = styles.to_bytes()
        workbook = book.xml
        workbook_rels = posixpath.join(posixpath.dirname(book.part), "_rels", posixpath.basename(book.part) + ".rels")
        relations = package.read(workbook_rels)
        for sheet in added:
            rel_id = f"rIdSheetsync_{sheet.prefix}"
            workbook = _add_sheet(workbook, sheet.name, rel_id, hidden=sheet.hidden)
            target = posixpath.relpath(f"xl/worksheets/{sheet.prefix}.xml", posixpath.dirname(book.part))
            relations = _insert_before(relations, b"Relationships",
                                       f'<Relationship Id="{rel_id}" Type="{_WORKSHEET}" Target="{target}"/>'.encode())
        changed[book.part] = _carry_names(workbook, ours, added, len(book.sheets), where, lang)
        changed[workbook_rels] = relations
        types = package.read("[Content_Types].xml")
        overrides = "".join(f'<Override PartName="/{p}" ContentType="{_TYPES["worksheets"]}"/>' for p in parts)
        changed["[Content_Types].xml"] = _insert_before(types, b"Types", overrides.encode())
        _write(raw, package, list(package.infolist()), list(parts), changed, dst, where)
    return changed


_DEFINED = re.compile(rb"<definedName\b([^>]*)>([^<]*)</definedName>")


def _carry_names(workbook: bytes, ours: zipfile.ZipFile, added: Sequence[Added], count: int, where: str,
                 lang: Lang) -> bytes:
    """The person's workbook.xml with the defined names of `ours` that belong to the sheets added (a sheet-local
    name gets the sheet's new index; the names their dropdowns use come along), before the person's own."""
    made = ours.read("xl/workbook.xml")
    index_of = {}
    for position, sheet in enumerate(added):
        number = int(re.search(r"sheet(\d+)\.xml$", sheet.source)[1]) - 1  # type: ignore[index]
        index_of[number] = count + position
    theirs = {m.decode() for m in re.findall(rb'<(?:\w+:)?definedName\b[^>]*\sname="([^"]*)"', workbook)}
    carried = []
    for match in _DEFINED.finditer(made):
        attrs = match.group(1).decode()
        name = re.search(r'\sname="([^"]*)"', attrs)[1]  # type: ignore[index]
        local = re.search(r'\slocalSheetId="(\d+)"', attrs)
        if local is not None:
            if int(local[1]) not in index_of:
                continue
            attrs = attrs.replace(local.group(0), f' localSheetId="{index_of[int(local[1])]}"')
        elif name in theirs:
            raise ConfigError(t("sheet.name_taken", lang, path=where, name=name), t("sheet.exists.hint", lang))
        carried.append(f"<definedName{attrs}>{match.group(2).decode()}</definedName>")
    if not carried:
        return workbook
    prefix = re.search(rb"<(\w+:)?sheets\b", workbook)
    ns = prefix.group(1).decode() if prefix and prefix.group(1) else ""
    fragment = "".join(carried).replace("<definedName", f"<{ns}definedName").replace(
        "</definedName>", f"</{ns}definedName>").encode()
    if re.search(rb"<(?:\w+:)?definedNames\b", workbook):
        return _insert_before(workbook, b"definedNames", fragment)
    closing = re.search(rb"</(?:\w+:)?sheets\s*>", workbook)
    if closing is None:
        raise ValueError("workbook.xml has no <sheets>")
    return workbook[: closing.end()] + f"<{ns}definedNames>".encode() + fragment + f"</{ns}definedNames>".encode() + \
        workbook[closing.end():]
