"""`khet demo` end to end (a small district so the suite stays quick): deterministic output, the summary
workbook, the history and run reports left in the state folder, a fresh start on every run."""

from __future__ import annotations

import json
from collections import Counter
from email import message_from_bytes
from email import policy as email_policy

import openpyxl
import pytest

from addin.settings import load_settings
from sync.commands.demo import main
from sync.demo import demo_networks, generate_district
from sync.demo_settings import demo_settings
from sync.history import History
from sync.outbox import Outbox
from sync.summary import SUMMARY_TITLES
from sync.update import template_version


def test_generator_is_deterministic_and_realistic():
    a, b = generate_district(60, 6, seed=0), generate_district(60, 6, seed=0)
    assert [(s.code, s.name, s.scenario) for s in a] == [(s.code, s.name, s.scenario) for s in b]
    assert len({s.network for s in a}) == 6 and len({s.code for s in a}) == 60
    assert all(len(s.code) == 10 and s.code.isdigit() for s in a)
    # Most schools on time; a realistic share late, wrong (fixed later or not), missing or absent.
    assert Counter(s.scenario for s in a) == {"on_time": 36, "late": 9, "wrong_fixed": 6, "missing": 4,
                                              "absent": 3, "wrong": 2}
    assert sum(len(rows) for s in a for rows in s.rows.values()) == 1658


def test_khet_demo(tmp_path, capsys):
    state = tmp_path / "demo"
    assert main(["--schools", "14", "--networks", "2", "--dir", str(state), "--quiet"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    # The demo district runs on its own settings (sync/demo_settings.py): its strategies, 8 KPIs with targets by
    # school size pre-filled in every school's KPI tab, one extra report for one of the two networks.
    assert any("ตามค่าตั้งของเขต (6 กลยุทธ์ของเขต, ตัวชี้วัดเขต 8 ตัว เป้าหมายตามขนาดโรงเรียน," in line for line in lines)
    assert "  ผล/result: exit 0 (success) — อ่าน 14, ไม่เปลี่ยน 0, อ่านไม่ได้ 0; แถวถูกต้อง 449, แถวมีข้อผิดพลาด 5;" \
           " คำขออ่าน 14" in lines
    # Mid-year: a new strategy and a ninth KPI in the settings, pushed into every live sheet by schools update.
    later = demo_settings(demo_networks(2), 2569, mid_year_change=True)
    version = template_version(later.for_year(2569))
    mid = next(i for i, line in enumerate(lines) if line.startswith("กลางปี: 1 มิถุนายน 2569"))
    assert "“ส่งเสริมทักษะดิจิทัลและการเรียนรู้ตลอดชีวิต”" in lines[mid] and "K9" in lines[mid]
    assert lines[mid + 1].startswith("  ปรับชีตโรงเรียนแล้ว 14/14 แห่ง (คำขอ 56;") and f"→ {version}" in lines[mid + 1]
    assert lines[mid + 3:mid + 5] == ["    ประเมินตนเอง KPI: เพิ่มแถว 19 ตัวชี้วัด K9 รอบ 6 เดือน",
                                      "    ประเมินตนเอง KPI: เพิ่มแถว 20 ตัวชี้วัด K9 รอบ 12 เดือน"]
    # Night 2: one school's sheet fails on Google's side (kept with its last good data), one renamed a tab
    # (read anyway: three requests instead of one).
    assert "  ผล/result: exit 1 (partial) — อ่าน 13, ไม่เปลี่ยน 0, อ่านไม่ได้ 1; แถวถูกต้อง 569, แถวมีข้อผิดพลาด 4;" \
           " คำขออ่าน 16" in lines
    # 8 reports × 14 schools + the extra report for the 7 schools of the first network.
    assert "  โรงเรียน 14 โรง · รายงานที่ต้องส่ง 119 ฉบับ · ส่งแล้ว 61 (ตรงเวลา 50, ส่งช้า 11) · เกินกำหนด 0 ·" \
           " ไม่ส่ง 16 · ต้องแก้ไข 4 · อ่านชีตไม่ได้ 1 โรง" in lines
    extra = next(line for line in lines if line.startswith("  รายงานผลการคัดกรองการอ่าน ป.1"))
    assert extra.split()[5:7] == ["6/7", "5"]
    k9 = next(line for line in lines if line.startswith("  6 เดือน  K9"))
    assert k9.split()[-3:] == ["5", "6", "3"]
    plan = next(line for line in lines if line.startswith("  แผนปฏิบัติการประจำปี"))
    assert plan.split() == ["แผนปฏิบัติการประจำปี", "31", "พ.ค.", "2569", "11/14", "10", "1", "0", "3", "0",
                            "78.57"]
    xlsx = state / "out" / "khet-summary-2569.xlsx"
    assert f"ไฟล์สรุปพร้อมแผนภูมิ / summary workbook: {xlsx.resolve()}" in lines
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == list(SUMMARY_TITLES)
    # The reads tab lists the template version each school's sheet is on (all brought to the mid-year one).
    reads = book["การอ่านข้อมูลโรงเรียน"]
    keys = [c.value for c in reads[2]]
    rows = [dict(zip(keys, r, strict=False)) for r in reads.iter_rows(min_row=3, values_only=True)]
    assert {(r["template_version"], r["template_state_th"]) for r in rows} == {(version, "ปัจจุบัน")} and len(rows) == 14
    assert load_settings(state / "district-settings.xlsx")[0] == later
    with History(state / "history.sqlite") as h:
        runs = h.runs()
        assert [r["status"] for r in runs] == ["partial", "success"]
        # The demo simulates its nights: 02:00 Bangkok on 25 May and 20 July 2026.
        assert [r["started_at"] for r in runs] == ["2026-07-19T19:00:00.000Z", "2026-05-24T19:00:00.000Z"]
    last = json.loads((state / "runs" / "last-run.json").read_text(encoding="utf-8"))
    assert last["exit_code"] == 1 and last["counts"]["schools_failed"] == 1
    failed = [s for s in last["schools"] if s["outcome"] == "failed"]
    assert [(s["school_code"], s["reason"], s["data_age_hours"]) for s in failed] == [
        ("1048000013", "server", 56 * 24.0)]
    assert (state / "registry.csv").is_file() and list((state / "logs").glob("sync-*.log"))
    # The working loop: service standards and inspection rounds in the summary, reminders the morning after
    # night 2 — e-mails in the outbox folder through a real SMTP server, LINE pushes recorded by the emulator.
    assert "มาตรฐานการให้บริการ: เสร็จภายในมาตรฐานหรือไม่ / did we meet our own service standards?" in lines
    assert "ข้อเสนอแนะผู้ตรวจราชการ รายรอบ / inspection recommendations per round" in lines
    emails = sorted((state / "outbox").glob("*.eml"))
    reminded = next(line for line in lines if line.startswith("แจ้งเตือนเช้าวันถัดไป"))
    assert emails and f"อีเมล {len(emails)} ฉบับ" in reminded and "LINE 2 ครั้ง" in reminded
    mail = message_from_bytes(emails[0].read_bytes(), policy=email_policy.default)
    assert mail.get_content_type() == "text/plain" and "https://docs.google.com/spreadsheets/d/" in mail.get_content()
    with History(state / "history.sqlite") as h:
        sent = Outbox(h).messages()
    assert len(sent) == len(emails) + 2 and {m["state"] for m in sent} == {"sent"}

    # A second run starts fresh, and says so.
    assert main(["--schools", "3", "--networks", "1", "--dir", str(state), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == (f"เริ่มใหม่: ลบสถานะการสาธิตเดิมใน {state} / starting fresh: removed the previous demo"
                                   f" state in {state}")
    with History(state / "history.sqlite") as h:
        assert len(h.runs()) == 2 and len(h.school_states()) == 3


def test_demo_never_wipes_a_folder_that_is_not_a_demo(tmp_path):
    # `khet demo --dir .` once removed the whole current folder before starting.
    from sync.demo import run_demo

    mine = tmp_path / "งานของฉัน.xlsx"
    mine.write_text("precious", encoding="utf-8")
    with pytest.raises(ValueError) as exc:
        run_demo(tmp_path, n_schools=1, n_networks=1, say=lambda _: None)
    assert str(exc.value) == (
        f"{tmp_path} มีไฟล์ที่ไม่ใช่ของการสาธิต จึงไม่ลบ — ระบุโฟลเดอร์ใหม่หรือโฟลเดอร์ว่างด้วย --dir / "
        f"{tmp_path} holds files that are not a demo's, so it is not wiped — give a new or empty folder with --dir")
    assert mine.read_text(encoding="utf-8") == "precious"
