"""What makes the staff workbook open useful: the แดชบอร์ด tab (headline figures, chart tables and their
charts, filled by the ดึงข้อมูลล่าสุด button; see addin/dashboard.py for the layout) and the status colours of
every staff tab's status column (conditional formatting with addin.status.COLOURS, so a status the refresh
button or a user writes is coloured at once, in Excel and LibreOffice alike)."""

from __future__ import annotations

from openpyxl.formatting.rule import CellIsRule, DataBarRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from addin import dashboard as d
from addin.status import COLOURS, LABEL_TH, Status
from workbook.charts import bar_chart
from workbook.printing import print_setup
from workbook.sheets import STAFF_SHEETS
from workbook.templates import data_rows

BOLD = Font(bold=True)
HEAD_FIRST = Alignment(vertical="bottom", wrap_text=True)
HEAD_FIGURE = Alignment(horizontal="right", vertical="bottom", wrap_text=True)


def colour_statuses(wb) -> int:
    """Status colours on every staff tab with a `status` column; returns how many columns got them."""
    done = 0
    for sheet in STAFF_SHEETS:
        if "status" not in sheet.keys() or sheet.title_th not in wb.sheetnames:
            continue
        ws = wb[sheet.title_th]
        letter = get_column_letter(sheet.keys().index("status") + 1)
        first = sheet.first_data_row
        area = f"{letter}{first}:{letter}{first + data_rows(sheet) - 1}"
        for status in Status:
            fill, text = COLOURS[status]
            ws.conditional_formatting.add(area, CellIsRule(
                operator="equal", formula=[f'"{LABEL_TH[status]}"'], fill=PatternFill("solid", fgColor=fill,
                                                                                        bgColor=fill),
                font=Font(color=text, bold=status is Status.MISSING)))
        # The work calendar's "cannot read the phrase" status: the correction colour (something to fix).
        fill, text = COLOURS["correction"]
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[f'LEFT({letter}{first},9)="ใช้ไม่ได้:"'], fill=PatternFill("solid", fgColor=fill, bgColor=fill),
            font=Font(color=text)))
        done += 1
    return done


def add_dashboard(wb, index: int = 1):
    """The แดชบอร์ด tab: captions and charts over the fixed cells the pull fills."""
    ws = wb.create_sheet(d.TITLE, index)
    ws["A1"] = "แดชบอร์ดเขต — ผลการประมวลผลล่าสุด (กด “ดึงข้อมูลล่าสุด” เพื่อปรับ)"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A2"] = "ยังไม่มีข้อมูล: กดปุ่ม ดึงข้อมูลล่าสุด บนแท็บ เขต Khet"
    ws["A2"].font = Font(color="595959")
    r, c = d.HEADLINE_CELL
    ws.cell(r - 1, c, "ภาพรวม").font = BOLD
    empty = d.blocks([], [], [], [])
    for block in empty:
        row, col = d.BLOCK_CELLS[block.key]
        ws.cell(row, col, block.caption).font = BOLD
        for j, head in enumerate(block.heads):
            cell = ws.cell(row + 1, col + j, head)
            # Figures are right-aligned, so are their captions; a long status ("ดำเนินการแล้วเสร็จ") wraps.
            cell.font, cell.alignment = BOLD, HEAD_FIRST if j == 0 else HEAD_FIGURE
        ws.row_dimensions[row + 1].height = 30
    for letter, width in (("A", 26), ("B", 14), ("C", 14), ("E", 40)):
        ws.column_dimensions[letter].width = width
    for j in range(6, 11):
        ws.column_dimensions[get_column_letter(j)].width = 13

    anchors = {"reports": "L4", "budget": "L24", "quarters": "L44"}
    for block in empty:
        if block.key not in d.CHARTED:
            continue
        row, col = d.BLOCK_CELLS[block.key]
        chart = bar_chart(block.caption, ws, cats=(col, row + 2, row + 1 + d.BLOCK_ROWS[block.key]), header_row=row + 1,
                          series_cols=list(range(col + 1, col + len(block.heads))), **d.CHART_STYLE[block.key])
        chart.width, chart.height = 17, 9.5
        ws.add_chart(chart, anchors[block.key])
    # Networks: a table with data bars (their number varies by district).
    row, col = d.BLOCK_CELLS["networks"]
    for j in (1, 2):
        letter = get_column_letter(col + j)
        ws.conditional_formatting.add(f"{letter}{row + 2}:{letter}{row + 1 + d.NETWORKS_MAX}", DataBarRule(
            start_type="num", start_value=0, end_type="num", end_value=100, color="5B9BD5"))
    print_setup(ws, header_left="Khet — สมุดงานเขตพื้นที่", header_right=d.TITLE, title_rows=None,
                area=f"A1:T{d.BLOCK_CELLS['networks'][0] + 1 + d.NETWORKS_MAX}")
    return ws
