"""A Word document in the style of a Thai government report, with python-docx.

A4, margins of an official document (top 2.5 cm, left 3 cm, right and bottom 2 cm), TH Sarabun New 16 pt in
every script slot (Thai is a complex script in Word: ``w:cs`` and ``w:szCs`` carry it, not ``w:ascii``/``w:sz``),
Thai headings (Heading 1/2, so the table of contents finds them), page numbers in the footer, real Word tables
with a repeating header row, pictures with numbered captions, and "ไม่มีข้อมูล" cells marked with a note under
the table. Text is always added as runs of plain text: never a field or a hyperlink built from what a school
typed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from sync.reporting.thaitext import NO_DATA, plain

FONT = "TH Sarabun New"
BODY_PT = 16
TABLE_PT = 14
WIDE_TABLE_PT = 12  # tables of five columns or more
HEADER_FILL = "DDEBF7"
NOTE_MARK = "*"
NO_DATA_NOTE = ("ไม่มีข้อมูล หมายถึง ไม่มีตัวเลขนี้ในข้อมูลที่ส่งมา (ยังไม่ส่ง ส่งไม่ครบ หรือข้อมูลมีข้อผิดพลาด) "
                "ไม่ได้หมายถึงศูนย์")


def _fonts(rpr, size_pt: float | None = None, bold: bool | None = None) -> None:
    """Name the font in every script slot (and drop theme fonts, which would win over a named font)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size_pt is not None:  # half-points, for Latin and for complex scripts (Thai)
        _props(rpr, ("w:sz", "w:szCs"), val=str(int(size_pt * 2)))
    if bold is not None:
        _props(rpr, ("w:b", "w:bCs"), val="1" if bold else "0")
    _props(rpr, ("w:lang",), val="th-TH", bidi="th-TH")


def _props(rpr, tags: tuple[str, ...], **attrs: str) -> None:
    """Set ``attrs`` on each of ``tags`` in a run's properties, adding the element where it is missing."""
    for tag in tags:
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        for name, value in attrs.items():
            el.set(qn(f"w:{name}"), value)


def set_style(doc, name: str, size_pt: float, bold: bool, *, before: float = 0, after: float = 0) -> None:
    st = doc.styles[name]
    st.font.name = FONT
    st.font.size = Pt(size_pt)
    st.font.bold = bold
    st.font.italic = False
    st.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(st.element.get_or_add_rPr(), size_pt, bold)
    st.paragraph_format.space_before = Pt(before)
    st.paragraph_format.space_after = Pt(after)


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (PAGE, TOC …) Word computes; ``placeholder`` shows until it does."""
    def run_with(child):
        r = paragraph.add_run()
        r._r.append(child)
        return r

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


TEXT_WIDTH_CM = 16.0  # A4 less the margins


def _auto_widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    """Column widths that fill the text width, in proportion to each column's longest word run (a header wraps
    at its spaces, so its longest word counts; cell text counts in full up to a cap)."""
    weights = []
    for j, h in enumerate(headers):
        longest = max([len(w) for w in str(h).split()] + [len(str(r[j])) for r in rows[:200] if j < len(r)] + [3])
        weights.append(min(max(longest, 4), 40))
    total = sum(weights)
    return [TEXT_WIDTH_CM * w / total for w in weights]


def _set_widths(table, widths_cm: Sequence[float]) -> None:
    """Fixed column widths in the grid and in every cell (Word reads the cells, LibreOffice the grid)."""
    scale = TEXT_WIDTH_CM / sum(widths_cm)
    widths = [Cm(w * scale) for w in widths_cm]
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=False):
        col.set(qn("w:w"), str(int(w.twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=False):
            cell.width = w


@dataclass
class Report:
    """A document being written: numbered tables and figures, notes per table."""

    doc: object
    numbered: bool = True   # "ตารางที่ n" / "แผนภูมิที่ n" captions (a report card has no numbering)
    gap: bool = True        # an empty paragraph after each table
    inline_notes: bool = True  # the ไม่มีข้อมูล note under each table (False: the caller adds it once, and
                               # the cell mark stays on the line so a one-page card keeps its row heights)
    caption_pt: float | None = None
    missing_seen: bool = False
    tables: int = 0
    figures: int = 0
    headings: list[tuple[int, str]] = field(default_factory=list)

    # -- text --------------------------------------------------------------------------------------------
    def heading(self, text: str, level: int = 1, *, page_break: bool = False) -> None:
        p = self.doc.add_heading(plain(text), level=level)
        if page_break:
            p.paragraph_format.page_break_before = True
        self.headings.append((level, text))

    def paragraph(self, text: str, *, bold: bool = False, align: str = "justify", size: float | None = None,
                  indent: bool = True):
        p = self.doc.add_paragraph()
        run = p.add_run(plain(text))
        run.bold = bold
        if size:
            run.font.size = Pt(size)
            _fonts(run._r.get_or_add_rPr(), size)
        p.alignment = {"justify": WD_ALIGN_PARAGRAPH.THAI_JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                       "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
        if indent and align == "justify":
            p.paragraph_format.first_line_indent = Cm(1.25)
        return p

    def paragraphs(self, text: str) -> None:
        """Template text: blank lines separate paragraphs; a line starting with "- " is a bullet."""
        for block in [b.strip() for b in text.strip().split("\n\n") if b.strip()]:
            lines = block.splitlines()
            if all(ln.lstrip().startswith("- ") for ln in lines):
                for ln in lines:
                    p = self.doc.add_paragraph(style="List Bullet")
                    p.add_run(plain(ln.lstrip()[2:]))
            else:
                self.paragraph(" ".join(ln.strip() for ln in lines))

    def note(self, text: str, size: float = TABLE_PT) -> None:
        p = self.doc.add_paragraph()
        mark = p.add_run(NOTE_MARK)
        mark.font.superscript = True
        r = p.add_run(" " + plain(text))
        r.font.size = Pt(size)
        _fonts(r._r.get_or_add_rPr(), size)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- tables and figures --------------------------------------------------------------------------------
    def table(self, caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]], *,
              numeric: Sequence[int] = (), widths_cm: Sequence[float] | None = None, total_row: bool = False,
              notes: Sequence[str] = (), size: float | None = None) -> None:
        """A numbered Word table. Cells are text (already formatted); NO_DATA cells get the note mark and the
        table gets the note that says what it means."""
        self.tables += 1
        cap = self.doc.add_paragraph()
        if self.numbered:
            cap.add_run(f"ตารางที่ {self.tables} ").bold = True
            cap.add_run(plain(caption))
        else:
            cap.add_run(plain(caption)).bold = True
        if self.caption_pt:
            for run in cap.runs:
                run.font.size = Pt(self.caption_pt)
                _fonts(run._r.get_or_add_rPr(), self.caption_pt)
        cap.paragraph_format.keep_with_next = True
        t = self.doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        missing = False
        size = size or (TABLE_PT if len(headers) <= 4 else WIDE_TABLE_PT)
        for j, h in enumerate(headers):
            self._cell(t.rows[0].cells[j], h, bold=True, align="center", size=size)
            _shade(t.rows[0].cells[j], HEADER_FILL)
        trpr = t.rows[0]._tr.get_or_add_trPr()
        head = OxmlElement("w:tblHeader")
        head.set(qn("w:val"), "true")
        trpr.append(head)
        for i, row in enumerate(rows):
            cells = t.add_row().cells
            last = total_row and i == len(rows) - 1
            for j, value in enumerate(row):
                text = "" if value is None else str(value)
                missing |= text == NO_DATA
                self._cell(cells[j], text, bold=last, align="right" if j in numeric else "left",
                           mark=text == NO_DATA, size=size, raised=self.inline_notes)
        _set_widths(t, widths_cm or _auto_widths(headers, rows))
        if not rows:
            cells = t.add_row().cells
            merged = cells[0].merge(cells[-1])
            self._cell(merged, NO_DATA, align="center", mark=True)
            missing = True
        for n in notes:
            self._small(n)
        self.missing_seen |= missing
        if missing and self.inline_notes:
            self.note(NO_DATA_NOTE)
        if self.gap:
            self.doc.add_paragraph()

    def _cell(self, cell, text: str, *, bold: bool = False, align: str = "left", mark: bool = False,
              size: float = 14, raised: bool = True) -> None:
        p = cell.paragraphs[0]
        r = p.add_run(plain(text))
        r.bold = bold
        r.font.size = Pt(size)
        _fonts(r._r.get_or_add_rPr(), size)
        if mark:
            m = p.add_run(NOTE_MARK)
            m.font.superscript = raised
            m.font.size = Pt(size)
            _fonts(m._r.get_or_add_rPr(), size)
        p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                       "center": WD_ALIGN_PARAGRAPH.CENTER}[align]
        p.paragraph_format.space_after = Pt(0)

    def _small(self, text: str) -> None:
        p = self.doc.add_paragraph()
        r = p.add_run(plain(text))
        r.font.size = Pt(TABLE_PT)
        _fonts(r._r.get_or_add_rPr(), TABLE_PT)

    def figure(self, caption: str, png: bytes | None, width_cm: float = 15.5) -> None:
        """A numbered chart; without data, the caption and ไม่มีข้อมูล (never an empty frame)."""
        self.figures += 1
        if png is None:
            self.paragraph(f"แผนภูมิที่ {self.figures} {caption}: {NO_DATA}", align="center", indent=False)
            self.note(NO_DATA_NOTE)
            return
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
        cap = self.doc.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cap.add_run(f"แผนภูมิที่ {self.figures} ").bold = True
        cap.add_run(plain(caption))

    # -- document furniture ----------------------------------------------------------------------------------
    def toc(self, title: str = "สารบัญ") -> None:
        p = self.doc.add_paragraph()
        r = p.add_run(title)
        r.bold = True
        r.font.size = Pt(20)
        _fonts(r._r.get_or_add_rPr(), 20, True)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(self.doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u',
               "(สารบัญพร้อมเลขหน้า: ใน Word คลิกขวาที่นี่ แล้วเลือก “อัปเดตเขตข้อมูล”)")

    def save(self, path: str | Path) -> Path:
        """Written atomically (a temporary file moved over the old one): a reader never opens half a file."""
        from sync.registry import atomic_write

        buf = io.BytesIO()
        self.doc.save(buf)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, buf.getvalue())
        return path


def new_report(title: str) -> Report:
    doc = Document()
    set_style(doc, "Normal", BODY_PT, False)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.0
    set_style(doc, "Title", 26, True, after=12)
    set_style(doc, "Heading 1", 20, True, before=12, after=6)
    set_style(doc, "Heading 2", 18, True, before=8, after=4)
    set_style(doc, "List Bullet", BODY_PT, False)
    for name in ("Header", "Footer"):
        if name in [s.name for s in doc.styles]:
            set_style(doc, name, TABLE_PT, False)
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2.5), Cm(2.0)
    sec.left_margin, sec.right_margin = Cm(3.0), Cm(2.0)
    sec.different_first_page_header_footer = True  # the cover has no page number
    foot = sec.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(foot, "PAGE", "1")
    doc.core_properties.title = title
    doc.core_properties.author = "Khet"
    doc.core_properties.language = "th-TH"
    # Word refreshes the table of contents and page fields when the file is opened.
    upd = OxmlElement("w:updateFields")
    upd.set(qn("w:val"), "true")
    doc.settings.element.append(upd)
    return Report(doc)
