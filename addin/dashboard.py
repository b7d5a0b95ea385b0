"""The district dashboard: the figures and chart tables shown on the summary's chart page and on the staff
workbook's แดชบอร์ด tab (filled by the ดึงข้อมูลล่าสุด button). One computation from the summary's own rows
({key: value} per row, as the summary tabs carry them), so both show the same numbers.

The staff tab has a fixed layout (cells below) so its charts, built into the workbook, always read the same
ranges: the reports, budget categories and quarters are fixed in number; the networks are not (6 to 30 in a
district), so they are a table with data bars instead of a chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbook.reports import REPORTS
from workbook.sheets import BUDGET_CATEGORY_COLUMNS, PROJECT_STATUSES, QUARTERS

TITLE = "แดชบอร์ด"
NETWORKS_MAX = 60  # rows kept for the network table (cleared and refilled by the pull)
UNNAMED_NETWORK = "(ไม่ระบุเครือข่าย)"


@dataclass(frozen=True)
class Block:
    key: str
    caption: str
    heads: tuple[str, ...]
    rows: list[list]


def _num(v) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if f != f else f


def _pct(num, den) -> float:
    return round(100.0 * _num(num) / _num(den), 2) if _num(den) else 0.0


NOT_YET_DUE = "ยังไม่ถึงกำหนด"


def _report_label(row: dict) -> str:
    """A report's category label; one no school owes yet says so (its 0 % is not a 0 % of reports due)."""
    expected = _num(row.get("expected"))
    if expected and _num(row.get("pending")) >= expected:
        return f"{row['report_th']} ({NOT_YET_DUE})"
    return row["report_th"]


def blocks(completeness: list[dict], by_network: list[dict], budget: list[dict], projects: list[dict]) -> list[Block]:
    """The four chart tables: % sent per report, completeness per network (reports already due), budget per
    category in millions of baht, projects per quarter by status."""
    reports = [[_report_label(r), _num(r.get("pct_submitted")), _num(r.get("pct_on_time"))] for r in completeness]
    nets: dict[str, list[float]] = {}
    for r in by_network:
        acc = nets.setdefault(r.get("network") or UNNAMED_NETWORK, [0.0, 0.0, 0.0])
        acc[0] += _num(r.get("expected")) - _num(r.get("pending"))
        acc[1] += _num(r.get("submitted"))
        acc[2] += _num(r.get("on_time"))
    networks = [[name, _pct(sent, due), _pct(on_time, due)] for name, (due, sent, on_time) in nets.items()]
    money = [[r["category"], round(_num(r.get("amount")) / 1_000_000, 2)] for r in budget if r.get("category") != "รวม"]
    quarters = [[f"ไตรมาส {r['quarter']}", *[int(_num(r.get(s))) for s in PROJECT_STATUSES]] for r in projects]
    return [
        Block("reports", "ร้อยละโรงเรียนที่ส่งรายงาน แยกตามรายงาน", ("รายงาน", "ร้อยละที่ส่ง", "ร้อยละตรงเวลา"), reports),
        Block("networks", "ความครบถ้วนรายเครือข่าย (รายงานที่ถึงกำหนดแล้ว)", ("เครือข่าย", "ร้อยละที่ส่ง", "ร้อยละตรงเวลา"),
              networks),
        Block("budget", "งบประมาณตามหมวดงบรายจ่าย (ล้านบาท)", ("หมวดงบรายจ่าย", "ล้านบาท"), money),
        Block("quarters", "สถานะโครงการรายไตรมาส (จำนวนโครงการ)", ("ไตรมาส", *PROJECT_STATUSES), quarters),
    ]


# How each chart table is drawn (the summary's chart page, the Google sheet and the staff dashboard).
CHART_STYLE: dict[str, dict] = {
    "reports": {"horizontal": True, "value_title": "ร้อยละ", "number_format": "0", "max_value": 100},
    "networks": {"horizontal": False, "value_title": "ร้อยละ", "number_format": "0", "max_value": 100},
    "budget": {"horizontal": True, "value_title": "ล้านบาท", "number_format": "#,##0.0"},
    "quarters": {"horizontal": False, "stacked": True, "value_title": "โครงการ", "number_format": "#,##0"},
}


# --- the staff workbook's tab ----------------------------------------------------------------------------------

HEADLINE_ITEMS = ("โรงเรียนทั้งหมด", "รายงานที่ต้องส่ง", "ส่งแล้ว", "ส่งตรงเวลา", "ส่งช้า", "เกินกำหนด ยังไม่ส่ง",
                  "ไม่ส่ง", "ต้องแก้ไขข้อมูล", "อ่านชีตไม่ได้คืนนี้", "ค่าผิดปกติ")
HEADLINE_CELL = (5, 1)  # row, column of the first headline figure (item, value, unit)
# (row, column) of each block's caption; its header row is the next row, its data below that.
BLOCK_CELLS = {"reports": (4, 5), "budget": (15, 5), "quarters": (24, 5), "networks": (18, 1)}
BLOCK_ROWS = {"reports": len(REPORTS), "budget": len(BUDGET_CATEGORY_COLUMNS), "quarters": len(QUARTERS),
              "networks": NETWORKS_MAX}
CHARTED = ("reports", "budget", "quarters")


def headline(overview: list[dict]) -> list[list]:
    """The overview's ภาพรวม figures, in HEADLINE_ITEMS order (item, value, unit)."""
    by_item = {r.get("item"): r for r in overview if r.get("section") == "ภาพรวม"}
    return [[item, by_item[item].get("value"), by_item[item].get("unit")] for item in HEADLINE_ITEMS
            if item in by_item]


def staff_cells(figures: list[list], tables: list[Block], as_of_th: str) -> dict[tuple[int, int], list[list]]:
    """What the pull writes on the แดชบอร์ด tab: {(row, column): 2-D values}, every block padded with empty
    cells to its fixed size so the previous pull's rows are overwritten."""
    out: dict[tuple[int, int], list[list]] = {(2, 1): [[as_of_th]]}
    out[HEADLINE_CELL] = _pad(figures, len(HEADLINE_ITEMS), 3)
    for block in tables:
        row, col = BLOCK_CELLS[block.key]
        out[(row + 2, col)] = _pad(block.rows, BLOCK_ROWS[block.key], len(block.heads))
    return out


def _pad(rows: list[list], n_rows: int, n_cols: int) -> list[list]:
    rows = [list(r)[:n_cols] + [None] * (n_cols - len(r)) for r in rows[:n_rows]]
    return rows + [[None] * n_cols for _ in range(n_rows - len(rows))]
