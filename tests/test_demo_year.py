"""`khet demo --year`: a whole fiscal year night by night on the emulator, then the year's close and the next
year's open — with the school that joined mid-year taken at its word, the plan received on paper overridden, the
rollover tracking both years, and figures a district would believe (most reports on time)."""

from __future__ import annotations

from sync.demo_year import FY, NEXT, run_year
from sync.history import History


def test_the_demo_tells_a_year(tmp_path):
    said = []
    r = run_year(tmp_path / "year", n_schools=6, n_networks=2, say=said.append)
    assert r.closed is not None and r.closed.final_xlsx.is_file() and r.closed.read_only == 6
    assert r.opened.result.count("created") == 6 and r.opened.carried >= 5
    nights = [day for day, _ in r.nights]
    assert len(nights) >= 52 and all((b - a).days <= 7 for a, b in zip(nights, nights[1:], strict=False))
    both = [rep for day, rep in r.nights if day.month == 10 and day.year == 2026]
    assert both and all(sorted(y["fiscal_year"] for y in rep.years) == [FY, NEXT] for rep in both)
    status = r.last_old.summary.status.set_index(["school_code", "report_key"])
    counts = status["status"].value_counts()
    assert counts.get("on_time", 0) > 2 * counts.get("late", 0)      # most schools send on time
    assert counts.get("missing", 0) >= 1                             # a few never do
    h = History(tmp_path / "year" / "history.sqlite")
    try:
        paper = [o for o in h.overrides(FY) if o["action"] == "apply"]
        assert len(paper) == 1 and paper[0]["report_key"] == "action_plan"
        assert status.loc[(paper[0]["school_code"], "action_plan"), "basis"] == "override"
        claims = status[status["basis"] == "claim"]
        assert len(claims) >= 1 and "ตามที่โรงเรียนแจ้ง" in claims.iloc[0]["status_th"]
        assert h.year_state(FY) == "closed" and h.year_state(NEXT) == "open"
    finally:
        h.close()
    assert any("ปิดปีงบประมาณ" in line for line in said) and any("เปิดปีงบประมาณ" in line for line in said)
