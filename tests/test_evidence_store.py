"""The history's evidence of submission, overrides with their audit, year events; the overrides tab."""

from datetime import UTC, date, datetime, timedelta

from sync.history import History
from sync.overrides import UNKNOWN_SCHOOL, overrides_from_grid
from workbook.sheets import SUBMISSION_OVERRIDES

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def _hist():
    h = History(":memory:")
    return h, h.begin_run(trigger="test", fiscal_year=2569, started_at=T0)


def test_evidence_keeps_the_earliest_time_and_never_moves_later():
    h, run = _hist()
    def rec(at):
        return h.record_evidence(run, 2569, [("1048000001", "progress_q1", "with_data", at, "drive_modified", None)],
                                 seen_at=T0 + timedelta(hours=10))
    assert rec(T0) == 1
    assert rec(T0 + timedelta(days=1)) == 0
    assert rec(T0 - timedelta(hours=1)) == 1
    ev = h.evidence(2569)
    assert ev[("1048000001", "progress_q1")] == {"with_data": T0 - timedelta(hours=1)}
    assert h.evidence(2570) == {}
    assert len(h.evidence_rows("1048000001")) == 2  # append-only: both proofs are kept
    assert h.logical_state()["evidence"] == [("1048000001", "progress_q1", 2569, "with_data",
                                              "2026-01-15T08:00:00.000Z")]


def test_overrides_audit_and_withdrawal():
    h, run = _hist()
    common = dict(school_code="1048000002", report_key="action_plan", fiscal_year=2569, applied_at=T0)
    h.record_override(run, action="apply", row_hash="r1", submitted_on=date(2026, 5, 28), channel="อีเมล",
                      reason="ส่งทางอีเมลเพราะชีตเสีย", recorded_by="นางสาวกาญจนา ทองดี",
                      recorded_on=date(2026, 6, 2), previous={"submitted_at": None, "status": "missing"}, **common)
    active = h.active_overrides(2569)
    assert active[("1048000002", "action_plan")]["submitted_on"] == "2026-05-28"
    h.record_override(run, action="withdraw", row_hash="r1", **common)
    assert h.active_overrides(2569) == {}
    audit = h.overrides(2569)
    assert [a["action"] for a in audit] == ["apply", "withdraw"]
    assert "missing" in audit[0]["previous_json"] and audit[0]["recorded_by"] == "นางสาวกาญจนา ทองดี"


def test_year_events():
    h, _ = _hist()
    assert h.open_years() == [] and h.year_state(2569) is None
    h.record_year_event(2569, "open", by="test")
    h.record_year_event(2570, "open", by="test")
    h.record_year_event(2569, "close", by="test")
    assert h.open_years() == [2570] and h.year_state(2569) == "closed"
    h.record_year_event(2569, "reopen", by="test", reason="โรงเรียนส่งเอกสารแก้ไขผลการประเมิน")
    assert h.open_years() == [2569, 2570]
    h.record_year_event(2569, "tracking_start", detail={"date": "2026-03-01"})
    assert h.tracking_start(2569) == date(2026, 3, 1) and h.tracking_start(2570) is None


def _grid(*rows):
    s = SUBMISSION_OVERRIDES
    return [s.headers_th(), s.keys(), *rows]


def test_overrides_tab_rows_and_a_school_nobody_knows():
    rows, findings = overrides_from_grid(_grid(
        ["1048000002", "แผนปฏิบัติการประจำปี", 2569, "28/05/2569", "อีเมล", "", "ส่งทางอีเมล", "นายสมชาย ศรีสุข",
         "2/6/2569"],
        ["1048999999", "แผนปฏิบัติการประจำปี", 2569, "28/05/2569", "อีเมล", "", "ส่งทางอีเมล", "นายสมชาย ศรีสุข",
         "2/6/2569"],
        ["1048000003", "ไม่มีรายงานนี้", 2569, "28/05/2569", "อีเมล", "", "ส่งทางอีเมล", "นายสมชาย ศรีสุข",
         "2/6/2569"],
    ), {"1048000002", "1048000003"})
    assert [(r.school_code, r.report_key, r.received_on, r.row) for r in rows] == [
        ("1048000002", "action_plan", date(2026, 5, 28), 3)]
    unknown = [f for f in findings if f.code == UNKNOWN_SCHOOL]
    assert [(f.row, f.cell) for f in unknown] == [(4, "A4")]
    assert "1048999999" in unknown[0].message_th and "1048999999" in unknown[0].message_en
    assert any(f.row == 5 and f.severity == "error" for f in findings)  # the unknown report, at its row
    assert rows[0].row_hash != overrides_from_grid(_grid(
        ["1048000002", "แผนปฏิบัติการประจำปี", 2569, "29/05/2569", "อีเมล", "", "ส่งทางอีเมล", "นายสมชาย ศรีสุข",
         "2/6/2569"]), {"1048000002"})[0][0].row_hash


def test_emulator_file_clock_stamps_a_simulated_calendar():
    from sync.emulator import Emulator
    from sync.gclient import SCOPES_PROVISION, connect

    with Emulator() as emu:
        gc = connect(emu.service_account(), SCOPES_PROVISION, endpoint=emu.url)
        when = datetime(2026, 1, 15, 16, 30, tzinfo=UTC)
        emu.set_file_clock(when)
        ss = gc.create("x")
        f = next(f for f in emu.files() if f["id"] == ss.id)
        stamped = datetime.fromisoformat(f["modifiedTime"].replace("Z", "+00:00"))
        assert when <= stamped < when + timedelta(minutes=1)
        emu.set_file_clock(when + timedelta(days=1))
        ss.sheet1.update([["a"]], "A1")
        f = next(f for f in emu.files() if f["id"] == ss.id)
        assert datetime.fromisoformat(f["modifiedTime"].replace("Z", "+00:00")) >= when + timedelta(days=1)
