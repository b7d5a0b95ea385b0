"""How the district summary workbook looks: the chart page it opens on, status colours with their legend, column
widths from the values, and a print setup (A4 landscape, fitted to the width, header rows repeated, the district,
the data's date and page numbers in the header and footer).

Charts are drawn from small tables on the chart page itself (to the right of the charts, outside the print area):
categories as people read them ("ไตรมาส 1", not 1; money in millions of baht), both axes written as visible
(`delete = False`: openpyxl's default leaves Excel free to hide them) and every category label shown (label skip 1,
horizontal bars for long Thai titles, a chart tall enough for its categories).
"""

from __future__ import annotations

import datetime as dt
import weakref
from copy import copy
from decimal import Decimal
from typing import Any

import pandas as pd
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from addin.dashboard import CHART_STYLE, Block, blocks
from addin.status import COLOUR_LABELS_TH, COLOURS, colour_of
from addin.thaidate import format_thai_date
from sync.textwidth import width as text_width
from workbook.charts import bar_chart
from workbook.printing import header_text
from workbook.printing import print_setup as shared_print_setup

CHARTS_TITLE = "แผนภูมิสรุป"
LEGEND_CAPTION = "ความหมายของสี"
MIN_WIDTH, MAX_WIDTH = 8, 60
HEADER_HEIGHT = 36  # two lines of Thai caption (row 1 wraps)


# --- colours --------------------------------------------------------------------------------------------------

_FILLS = {key: (PatternFill("solid", fgColor=fill), Font(color=text, bold=key == "missing"))
          for key, (fill, text) in COLOURS.items()}


def status_style(value: Any) -> tuple[PatternFill, Font] | None:
    """The fill and font of a shown status (None for anything that is not one)."""
    colours = colour_of(value) if isinstance(value, str) else None
    if colours is None:
        return None
    key = next(k for k, c in COLOURS.items() if c == colours)
    return _FILLS[key]


def styled(ws, value: Any, style: tuple[PatternFill, Font] | None):
    if style is None:
        return value
    if isinstance(value, Cell):
        value.fill, value.font = style
        return value
    return stamped(ws, value, id(style), fill=style[0], font=style[1])


_STAMPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def stamped(ws, value: Any, key: Any, **style) -> WriteOnlyCell:
    """A write-only cell of `value` in `style` (font=, fill=, alignment=…) under `key`: the style's indexes are
    found once per workbook and copied to each cell. Setting them cell by cell hashes every style object again,
    which was a third of writing the summary's cells."""
    per_book = _STAMPS.setdefault(ws.parent, {})
    if (proto := per_book.get(key)) is None:
        proto = WriteOnlyCell(ws)
        for attr, v in style.items():
            setattr(proto, attr, v)
        per_book[key] = proto
    cell = WriteOnlyCell(ws, value=value)
    cell._style = copy(proto._style)
    return cell


def legend_rows(ws, first_col: int) -> list[tuple[int, list]]:
    """(row, cells) of a colour legend placed from column `first_col`: a caption, then one swatch per status."""
    out = [(1, [WriteOnlyCell(ws, value=LEGEND_CAPTION)])]
    out[0][1][0].font = Font(bold=True)
    for i, (key, label) in enumerate(COLOUR_LABELS_TH.items()):
        out.append((3 + i, [styled(ws, label, _FILLS[key])]))
    return [(r, [None] * (first_col - 1) + cells) for r, cells in out]


# --- widths ---------------------------------------------------------------------------------------------------

def shown_width(v: Any) -> int:
    """About how many characters a value takes in its cell's number format."""
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return 0
    if isinstance(v, bool):
        return 3
    if isinstance(v, (Decimal, float)):
        return len(f"{v:,.2f}")
    if isinstance(v, int):
        return len(f"{v:,}")
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return 18  # 31 พ.ค. 2569 02:00
    if isinstance(v, dt.date):
        return 12
    return text_width(v)


def column_widths(frame: pd.DataFrame, captions: list[str], sample: int = 5000) -> list[float]:
    """Excel widths: the widest value (of the first `sample` rows) plus a margin, at least half the caption
    (captions wrap onto two lines), within MIN_WIDTH..MAX_WIDTH."""
    head = frame.head(sample)
    out = []
    for j, cap in enumerate(captions):
        values = max(map(shown_width, head.iloc[:, j].tolist()), default=0) if len(head) else 0
        need = max(values + 2, (text_width(cap) + 1) // 2 + 2, MIN_WIDTH)
        out.append(float(min(MAX_WIDTH, need)))
    return out


# --- print ----------------------------------------------------------------------------------------------------

def print_setup(ws, *, title: str, district: str, as_of: dt.datetime, title_rows: str | None = "1:1",
                area: str | None = None) -> None:
    """The shared print setup (workbook/printing.py): header district and tab, footer the data's date and time
    (Bangkok) and page numbers."""
    footer = header_text(f"ข้อมูล ณ {format_thai_date(as_of.date())} {as_of:%H:%M} น.")
    shared_print_setup(ws, header_left=district or "Khet", header_right=title, footer_left=footer,
                       title_rows=title_rows, area=area)


# --- charts ---------------------------------------------------------------------------------------------------

def dashboard_blocks(summary) -> list[Block]:
    """The chart page's tables (addin.dashboard: the same numbers as the staff workbook's dashboard)."""
    def records(frame: pd.DataFrame) -> list[dict]:
        return frame.astype(object).where(frame.notna(), None).to_dict("records") if len(frame) else []

    return blocks(records(summary.completeness), records(summary.completeness_by_network),
                  records(summary.budget_by_category), records(summary.projects))


DATA_COL = 21  # column U: the chart page's tables, right of the printed charts (A–S)


def add_dashboard(wb, summary, *, district: str, as_of: dt.datetime):
    """The chart page (first tab): four charts over the tables beside them."""
    ws = wb.create_sheet(CHARTS_TITLE)
    print_setup(ws, title=CHARTS_TITLE, district=district, as_of=as_of, title_rows=None, area="A1:S47")
    tables = dashboard_blocks(summary)
    rows: dict[int, list] = {}

    def put(r: int, c: int, value, font: Font | None = None) -> None:
        line = rows.setdefault(r, [])
        while len(line) < c:
            line.append(None)
        cell = WriteOnlyCell(ws, value=value)
        if font:
            cell.font = font
        line[c - 1] = cell

    put(1, 1, f"สรุปภาพรวมเขต {district}".strip() + f" ปีงบประมาณ {summary.fiscal_year}", Font(bold=True, size=16))
    put(2, 1, f"ข้อมูล ณ {format_thai_date(as_of.date())} {as_of:%H:%M} น.", Font(color="595959"))
    put(1, DATA_COL, "ข้อมูลของแผนภูมิ", Font(bold=True))
    anchors = ["A4", "K4", "A26", "K26"]
    placed = []
    r = 3
    for block, anchor in zip(tables, anchors, strict=True):
        caption, heads, data = block.caption, block.heads, block.rows
        put(r, DATA_COL, caption, Font(bold=True))
        for j, h in enumerate(heads):
            put(r + 1, DATA_COL + j, h, Font(bold=True))
        for i, row in enumerate(data):
            for j, v in enumerate(row):
                put(r + 2 + i, DATA_COL + j, v)
        if data:
            placed.append((block.key, caption, heads, r + 1, r + 2, r + 1 + len(data), anchor))
        r += len(data) + 4
    for j, w in enumerate([28, 14, 14, 14, 14, 14], start=DATA_COL):
        ws.column_dimensions[get_column_letter(j)].width = w
    for r_no in range(1, max(rows) + 1):
        ws.append(rows.get(r_no, []))

    for key, caption, heads, header_row, first, last, anchor in placed:
        chart = bar_chart(caption, ws, cats=(DATA_COL, first, last), header_row=header_row,
                          series_cols=list(range(DATA_COL + 1, DATA_COL + len(heads))), **CHART_STYLE[key])
        chart.height = 10.5
        ws.add_chart(chart, anchor)
    return ws
