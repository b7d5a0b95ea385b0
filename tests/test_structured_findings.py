"""Stacked validation: a finding carries its school, row, cell and the values it quotes as fields; no school's
row number or value is ever rewritten in a message (the k·10¹² row encoding and its regex are gone)."""

from sync.job import validate_stacked
from workbook.sheets import SHEETS

PLAN = SHEETS["action_plan"]


def _grid(*rows):
    head = [PLAN.headers_th(), PLAN.keys()]
    return head + [[r.get(k, "") for k in PLAN.keys()] for r in rows]


def _row(code, **over):
    base = {"project_code": code, "project_name": "ห้องสมุดมีชีวิต", "budget_operating": 1000, "budget_total": 1000,
            "responsible": "นายสมชาย ศรีสุข", "start_date": "1/10/2568", "end_date": "30/9/2569",
            "indicator": "ร้อยละความสำเร็จ", "direction": "มากกว่าหรือเท่ากับดีกว่า", "target": 80}
    return {**base, **over}


def test_two_schools_typing_the_same_huge_amount_get_the_same_text():
    huge = 1_500_000_000_000
    grids = {"1048000001": _grid(_row("P01"), _row("P02", budget_personnel=huge, budget_total=huge)),
             "1048000002": _grid(_row("P01", budget_personnel=huge, budget_total=huge))}
    out = validate_stacked(PLAN, grids)
    big = [(code, f) for code, f in out.findings if f.column == PLAN.column("budget_personnel").header_th]
    assert {code for code, _ in big} == {"1048000001", "1048000002"}
    by_school = {code: f for code, f in big}
    a, b = by_school["1048000001"], by_school["1048000002"]
    assert (a.row, a.cell, a.school_code) == (4, f"{PLAN.letter('budget_personnel')}4", "1048000001")
    assert (b.row, b.cell, b.school_code) == (3, f"{PLAN.letter('budget_personnel')}3", "1048000002")
    assert a.message_th == b.message_th and a.message_en == b.message_en and a.code == b.code
    assert "1500000000000" in a.message_en.replace(",", "") or a.raw == huge
    assert a.params == b.params and a.params["header"] == PLAN.column("budget_personnel").header_th


def test_duplicates_name_each_schools_own_rows():
    grids = {"1048000001": _grid(_row("P01"), _row("P01")), "1048000002": _grid(_row("P07"), _row("P01"))}
    out = validate_stacked(PLAN, grids)
    dup = [(code, f) for code, f in out.findings if f.code == "rule.duplicate"]
    assert [(code, f.row) for code, f in dup] == [("1048000001", 4)]
    assert "row 3" in dup[0][1].message_en
    rows = {code: sorted(g["_row"]) for code, g in
            __import__("pandas").concat(out.rows + out.rejected).groupby("school_code")}
    assert rows == {"1048000001": [3, 4], "1048000002": [3, 4]}
