"""Print setup shared by every workbook Khet writes (school template, staff workbook, district summary): A4
landscape, one page wide, the caption rows repeated on every page, a header naming the workbook and the tab, a
footer with the file name (the summary: the data's date) and "หน้า n / N". Without one, Excel and LibreOffice
print as many pages as the used range needs (the empty school template came out as 29 A4 pages, columns split
across pages)."""

from __future__ import annotations

from openpyxl.worksheet.properties import PageSetupProperties

A4 = 9  # ECMA-376 paperSize code


def header_text(text: str) -> str:
    return text.replace("&", "&&")  # & starts a header/footer code


def print_setup(ws, *, header_left: str, header_right: str, footer_left: str = "&F",
                title_rows: str | None = "1:1", area: str | None = None) -> None:
    """Set the page setup of `ws`. On a write-only sheet call it before the first row is appended (the sheet
    properties are streamed first). `footer_left` is header/footer code, by default "&F", the file name (not
    "&D": the printing date comes out in the client's locale, 12/06/2026 on an English LibreOffice)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    if area:
        ws.print_area = area
    ws.oddHeader.left.text = header_text(header_left)
    ws.oddHeader.right.text = header_text(header_right)
    ws.oddFooter.left.text = footer_left
    ws.oddFooter.right.text = "หน้า &P / &N"
    for part in (ws.oddHeader.left, ws.oddHeader.right, ws.oddFooter.left, ws.oddFooter.right):
        part.size = 9
