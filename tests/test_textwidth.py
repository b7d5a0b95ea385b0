"""Thai text width in a terminal (sync.textwidth): the marks above and below the line take no column, so
tables of Thai names line up in the demo summary, the calendar and the workdays holiday list."""

from __future__ import annotations

from sync.textwidth import cut, fit, pad, table, width

THAI_MARKS = [0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)]


def test_thai_marks_take_no_column():
    assert len(THAI_MARKS) == 16
    assert [width("ก" + chr(cp)) for cp in THAI_MARKS] == [1] * 16
    assert width("โรงเรียนบ้านหนองบัว") == 16  # 19 code points: ี, ้ and ั stack
    assert width("น้ำหนัก") == 5  # SARA AM (ำ) takes its column, the tone mark before it does not
    assert width("ไม่บรรลุ") == 6
    assert width("\u200bก\ufeff") == 1  # zero-width space and BOM
    assert width("１２") == 4  # full-width digits take two columns each
    assert width(None) == 0 and width(1234.5) == 6


def test_pad_and_cut():
    assert pad("ที่", 5) == "ที่" + " " * 4 and width(pad("ที่", 5)) == 5
    assert pad("1,234.50", 10, right=True) == "  1,234.50"
    assert pad("กำหนดเสร็จ", 3) == "กำหนดเสร็จ"  # never cut silently
    assert cut("กำหนดเสร็จ", 4) == "กำห…"
    assert cut("กำหนดเสร็จ", 9) == "กำหนดเสร็จ"
    assert cut("ที่อ่านออก", 3) == "ที่อ่…" and cut("ที่อ่านออก", 2) == "ที่…"  # marks go with their consonant


def test_table_lines_up_thai_columns():
    lines = table([["โรงเรียนบ้านหนองบัว", 3], ["โรงเรียนบ้านโนนสูง", 12]], ["โรงเรียน", "ส่ง"], right={1})
    assert lines == [
        "  โรงเรียน" + " " * 11 + "ส่ง",
        "  " + "─" * 16 + "  " + "─" * 2,
        "  โรงเรียนบ้านหนองบัว" + " " * 3 + "3",
        "  โรงเรียนบ้านโนนสูง" + " " * 3 + "12",
    ]
    # Every line is as wide as the rule on screen, and none ends in spaces.
    assert {width(line) for line in lines} == {22}
    assert table([["ครุภัณฑ์", ""]], ["หมวด", "หมายเหตุ"]) == [
        "  หมวด" + " " * 3 + "หมายเหตุ", "  " + "─" * 5 + "  " + "─" * 7, "  ครุภัณฑ์"]


def test_fit_is_exactly_the_width():
    assert fit("กำหนดเสร็จ", 6) == "กำหนด…"
    assert fit("ที่", 3) == "ที่  "
    assert {width(fit(t, 7)) for t in ("", "น้ำหนักและส่วนสูง", "abc", "เม.ย.")} == {7}


def test_workdays_holiday_list_lines_up():
    from sync.commands.workdays import _text, compute

    result = compute(["2025-05-08", "2025-06-05"])
    lines = _text(result).splitlines()
    holidays = lines[lines.index("วันหยุดในช่วงนี้ / holidays in the range:") + 1:]
    assert [h["thai"] for h in result["holidays"]] == [
        "9 พ.ค. 2568", "11 พ.ค. 2568", "12 พ.ค. 2568", "2 มิ.ย. 2568", "3 มิ.ย. 2568"]
    assert holidays[3] == "  2 มิ.ย. 2568" + " " * 3 + " วันหยุดพิเศษ (เพิ่มเติม)"
    # The holiday names start in one column on screen (มิ.ย. has a mark above: code points would be one off).
    assert {width(line.removesuffix(h["name"])) for line, h in zip(holidays, result["holidays"], strict=True)} \
        == {17}


def test_progress_line_keeps_its_width():
    import io

    from sync.runreport import Progress

    out = io.StringIO()
    bar = Progress(2, "อ่าน", stream=out, enabled=True, width=4)
    bar.update(1, "โรงเรียนบ้านหนองบัว")
    bar.update(1, "โรงเรียนบ้านโนนสูง")
    first, second = out.getvalue().split("\r")[1:]
    assert first == "อ่าน [██░░] 1/2 โรงเรียนบ้านหนองบัว" + " " * 24
    assert second == "อ่าน [████] 2/2 โรงเรียนบ้านโนนสูง" + " " * 25
    assert width(first) == width(second) == 55  # each redraw covers the one before it
