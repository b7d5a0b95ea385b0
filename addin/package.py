"""Change cells of an existing .xlsx/.xlsm without re-saving the workbook: only the one worksheet part is
rewritten, every other part (VBA project, ribbon, styles, names, other sheets) and every relationship is copied
byte for byte.

Why not openpyxl load + save: openpyxl rebuilds the whole package from what it understands and drops the rest —
a customUI relationship it does not know, Excel's x14 data validations and conditional formats, form controls,
printer settings. A staff workbook re-saved that way opens without its ribbon tab. Text is written as inline
strings (text by construction, never a formula), numbers and dates as values (a date as its serial number, in
the cell's own date format — or its column's, below the pre-formatted rows); None empties a cell. Each cell
keeps its existing style.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_M = f"{{{MAIN_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _split_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def sheet_part(package: zipfile.ZipFile, title: str) -> str:
    """The zip member name of the worksheet titled `title`."""
    book = etree.fromstring(package.read("xl/workbook.xml"))
    sheet = next((s for s in book.iter(f"{_M}sheet") if s.get("name") == title), None)
    if sheet is None:
        raise KeyError(title)
    rid = sheet.get(f"{{{REL_NS}}}id")
    rels = etree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


EPOCH = dt.datetime(1899, 12, 30)  # the 1900 date system's day 0 (Excel's, as Khet's workbooks use)


def serial(value: dt.date) -> float | int:
    """A date or naive datetime as the spreadsheet serial number."""
    if isinstance(value, dt.datetime):
        days = (value - EPOCH).total_seconds() / 86400
        return int(days) if days == int(days) else round(days, 10)
    return (value - EPOCH.date()).days


def _column_styles(root) -> dict[int, str]:
    """The default style of each column (`<col style=…>`), for cells below the pre-formatted rows."""
    out = {}
    for col in root.iter(f"{_M}col"):
        if col.get("style"):
            for c in range(int(col.get("min")), int(col.get("max")) + 1):
                out[c] = col.get("style")
    return out


def _set_cell(sheet_data, row_no: int, col_no: int, value: Any, col_style: str | None = None) -> bool:
    """Set one cell (text, number, date or None); True when the cell had a formula (its calcChain entry must
    go)."""
    rows = sheet_data.findall(f"{_M}row")
    row = next((r for r in rows if int(r.get("r", 0)) == row_no), None)
    if row is None:
        row = etree.Element(f"{_M}row", r=str(row_no))
        after = [r for r in rows if int(r.get("r", 0)) < row_no]
        if after:
            after[-1].addnext(row)
        else:
            sheet_data.insert(0, row)
    row.attrib.pop("spans", None)  # an optimisation hint that would no longer be right
    ref = f"{column_letter(col_no)}{row_no}"
    cells = row.findall(f"{_M}c")
    cell, before = None, None
    for i, c in enumerate(cells):
        c_col = _split_ref(c.get("r"))[1] if c.get("r") else i + 1
        if c_col == col_no:
            cell = c
            break
        if c_col > col_no:
            before = c
            break
    if cell is None:
        cell = etree.Element(f"{_M}c", r=ref)
        if before is not None:
            before.addprevious(cell)
        else:
            row.append(cell)
    had_formula = cell.find(f"{_M}f") is not None
    for child in list(cell):
        cell.remove(child)
    cell.set("r", ref)
    cell.attrib.pop("t", None)
    if col_style and cell.get("s") is None:
        cell.set("s", col_style)
    if hasattr(value, "item") and not isinstance(value, (str, dt.date)):
        value = value.item()  # a numpy scalar
    if value is None or (isinstance(value, float) and value != value):
        return had_formula
    if isinstance(value, bool):
        cell.set("t", "b")
        etree.SubElement(cell, f"{_M}v").text = "1" if value else "0"
    elif isinstance(value, (int, float, Decimal)):
        etree.SubElement(cell, f"{_M}v").text = format(value, "f") if isinstance(value, Decimal) else repr(value)
    elif isinstance(value, dt.date):
        etree.SubElement(cell, f"{_M}v").text = str(serial(value.replace(tzinfo=None) if isinstance(
            value, dt.datetime) else value))
    else:
        text = str(value)
        cell.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(cell, f"{_M}is"), f"{_M}t")
        t.text = text
        if text != text.strip():
            t.set(XML_SPACE, "preserve")
    return had_formula


def _widen_dimension(root, cells: Mapping[tuple[int, int], str]) -> None:
    dim = root.find(f"{_M}dimension")
    if dim is None or not cells:
        return
    parts = dim.get("ref", "A1").split(":")
    (r1, c1), (r2, c2) = _split_ref(parts[0]), _split_ref(parts[-1])
    rows = [r for r, _c in cells] + [r1, r2]
    cols = [c for _r, c in cells] + [c1, c2]
    dim.set("ref", f"{column_letter(min(cols))}{min(rows)}:{column_letter(max(cols))}{max(rows)}")


def _drop_calc_chain(data: bytes, sheet_id: str, refs: set[str]) -> bytes:
    root = etree.fromstring(data)
    current = None
    for c in list(root):
        current = c.get("i", current)  # an entry without i belongs to the previous entry's sheet
        if current == sheet_id and c.get("r") in refs:
            root.remove(c)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_cells(data: bytes, title: str, cells: Mapping[tuple[int, int], Any]) -> bytes:
    """The package `data` with the cells {(row, column): value} (1-based) of sheet `title` set — text, a number,
    a date or None (emptied); every other part unchanged. Raises KeyError when there is no such sheet."""
    src = zipfile.ZipFile(io.BytesIO(data))
    part = sheet_part(src, title)
    root = etree.fromstring(src.read(part))
    sheet_data = root.find(f"{_M}sheetData")
    styles = _column_styles(root)
    formulas = {f"{column_letter(c)}{r}" for (r, c), value in sorted(cells.items())
                if _set_cell(sheet_data, r, c, value, styles.get(c))}
    _widen_dimension(root, cells)
    new_sheet = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    sheet_index = None
    if formulas and "xl/calcChain.xml" in src.namelist():
        book = etree.fromstring(src.read("xl/workbook.xml"))
        sheet_index = next(s.get("sheetId") for s in book.iter(f"{_M}sheet") if s.get("name") == title)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == part:
                body = new_sheet
            elif item.filename == "xl/calcChain.xml" and sheet_index:
                body = _drop_calc_chain(body, sheet_index, formulas)
            dst.writestr(item, body, compress_type=item.compress_type)
    return out.getvalue()


def inventory(path: str | Path) -> dict[str, object]:
    """What a package holds: its parts, every relationship (source, id, type, target) and content types — for
    checking that a write-back kept them all."""
    with zipfile.ZipFile(path) as z:
        parts = sorted(z.namelist())
        rels = set()
        for name in parts:
            if name.endswith(".rels"):
                for r in etree.fromstring(z.read(name)):
                    rels.add((name, r.get("Id"), r.get("Type"), r.get("Target")))
        types = etree.fromstring(z.read("[Content_Types].xml"))
        content_types = sorted((t.tag.split("}")[1], t.get("PartName") or t.get("Extension"), t.get("ContentType"))
                               for t in types)
    return {"parts": parts, "relationships": sorted(rels), "content_types": content_types}
