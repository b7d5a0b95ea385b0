"""Bar charts for the workbooks Khet writes (the summary's chart page and charts, the staff dashboard), drawn the
way Excel needs them: both axes written visible (`delete = False`; openpyxl's default lets Excel hide them),
every category label (label skip 1), horizontal bars with the first category on top, value-axis numbers in a
given format, no legend for a single series, a height that gives every category its line."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RichTextProperties
from openpyxl.utils import get_column_letter, quote_sheetname


def _axis_text(size: int = 900, rot: int | None = None) -> RichText:
    props = ParagraphProperties(defRPr=CharacterProperties(sz=size))
    body = {"rot": rot, "vert": "horz"} if rot is not None else {}
    return RichText(bodyPr=RichTextProperties(**body), p=[Paragraph(pPr=props, endParaRPr=CharacterProperties(sz=size))])


def bar_chart(title: str, ws, *, cats: tuple[int, int, int], series_cols: list[int], header_row: int,
              horizontal: bool, stacked: bool = False, value_title: str = "", number_format: str = "General",
              max_value: float | None = None) -> BarChart:
    """A bar chart over a block of `ws`: categories in column cats[0] rows cats[1]..cats[2], one series per
    column in `series_cols` named by its cell in `header_row`."""
    col, first, last = cats
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.style = 10
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    for c in series_cols:
        s = Series(Reference(ws, min_col=c, min_row=first, max_row=last))
        s.tx = SeriesLabel(strRef=StrRef(f"{quote_sheetname(ws.title)}!${get_column_letter(c)}${header_row}"))
        chart.series.append(s)
    chart.set_categories(Reference(ws, min_col=col, min_row=first, max_row=last))
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.x_axis.tickLblSkip, chart.x_axis.tickMarkSkip = 1, 1
    chart.x_axis.txPr = _axis_text(900, rot=0)
    chart.y_axis.txPr = _axis_text(900, rot=0)
    chart.y_axis.title = value_title
    chart.y_axis.number_format = number_format
    chart.y_axis.numFmt.sourceLinked = False
    chart.y_axis.scaling.min = 0
    if max_value is not None:
        chart.y_axis.scaling.max = max_value
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first category on top, as in the table
        chart.y_axis.crosses = "max"  # value axis at the bottom after the flip
    if len(series_cols) > 1:
        chart.legend.position = "b"
    else:
        chart.legend = None  # one series: the title says what it is
    chart.width = 16
    n = last - first + 1
    chart.height = max(8.5, 0.75 * n + 4) if horizontal else 8.5
    return chart
