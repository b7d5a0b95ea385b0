"""Timing phrases: every seed phrase with its dates for FY 2568, the usual variants, fiscal-year and round
boundaries, chained service steps, and the exact errors for phrases the engine cannot read."""

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.calendar import THAI_MONTHS, THAI_MONTHS_ABBR, fiscal_year_bounds
from addin.timing import (
    Duration,
    Occurrence,
    TimingError,
    chain_steps,
    deadline,
    occurrences,
    parse_duration,
    parse_rule,
)

SEED_PHRASES = Path("/work/shared/domain/timing-phrases.txt")
D = date
FY = 2568  # 1 Oct 2024 – 30 Sep 2025


def dates(phrase, fy=FY, ref=None):
    return [(o.label_th, o.start, o.due) for o in occurrences(phrase, fy, ref)]


CONT = [("ตลอดปีงบประมาณ 2568", D(2024, 10, 1), D(2025, 9, 30))]

# phrase -> (kind, [(label, start, due), ...]) for FY 2568. Durations (no start) have no dates.
EXPECTED = {
    "ตลอดปีงบประมาณ": ("continuous", CONT),
    "ตลอดปี": ("continuous", CONT),
    "ตลอดเวลา": ("continuous", CONT),
    "ตุลาคม": ("window", [("ตุลาคม", D(2024, 10, 1), D(2024, 10, 31))]),
    "พฤศจิกายน": ("window", [("พฤศจิกายน", D(2024, 11, 1), D(2024, 11, 30))]),
    "มีนาคม": ("window", [("มีนาคม", D(2025, 3, 1), D(2025, 3, 31))]),
    "สิงหาคม": ("window", [("สิงหาคม", D(2025, 8, 1), D(2025, 8, 31))]),
    "กันยายน": ("window", [("กันยายน", D(2025, 9, 1), D(2025, 9, 30))]),
    # A range across 1 October ends in the fiscal year and starts in the September before it.
    "กันยายน-ตุลาคม": ("window", [("กันยายน – ตุลาคม", D(2024, 9, 1), D(2024, 10, 31))]),
    "กันยายน - ตุลาคม": ("window", [("กันยายน – ตุลาคม", D(2024, 9, 1), D(2024, 10, 31))]),
    "ตุลาคม-พฤศจิกายน": ("window", [("ตุลาคม – พฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30))]),
    "ตุลาคม - พฤศจิกายน": ("window", [("ตุลาคม – พฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30))]),
    "ตุลาคม - กุมภาพันธ์": ("window", [("ตุลาคม – กุมภาพันธ์", D(2024, 10, 1), D(2025, 2, 28))]),
    "ตุลาคม - กุมภาพันธ์ มีนาคม - กันยายน": ("window", [
        ("ตุลาคม – กุมภาพันธ์", D(2024, 10, 1), D(2025, 2, 28)),
        ("มีนาคม – กันยายน", D(2025, 3, 1), D(2025, 9, 30))]),
    "ธันวาคม - มกราคม": ("window", [("ธันวาคม – มกราคม", D(2024, 12, 1), D(2025, 1, 31))]),
    "มกราคม - มีนาคม": ("window", [("มกราคม – มีนาคม", D(2025, 1, 1), D(2025, 3, 31))]),
    "มีนาคม - เมษายน": ("window", [("มีนาคม – เมษายน", D(2025, 3, 1), D(2025, 4, 30))]),
    "เดือนมิถุนายนถึงกันยายน ของทุกปี": ("window", [("มิถุนายน – กันยายน", D(2025, 6, 1), D(2025, 9, 30))]),
    "ภายในเดือนมกราคม ของทุกปี": ("deadline", [("ภายในเดือนมกราคม", None, D(2025, 1, 31))]),
    "ภายในเดือนกุมภาพันธ์ ของทุกปี": ("deadline", [("ภายในเดือนกุมภาพันธ์", None, D(2025, 2, 28))]),
    "ภายในเดือนพฤษภาคม ของทุกปี": ("deadline", [("ภายในเดือนพฤษภาคม", None, D(2025, 5, 31))]),
    "ภายในเดือนธันวาคม ของทุกปี": ("deadline", [("ภายในเดือนธันวาคม", None, D(2024, 12, 31))]),
    "พฤศจิกายน ทุก 6 เดือน": ("recurring", [
        ("ครั้งที่ 1 (พฤศจิกายน)", D(2024, 11, 1), D(2024, 11, 30)),
        ("ครั้งที่ 2 (พฤษภาคม)", D(2025, 5, 1), D(2025, 5, 31))]),
    "ทุก 3/6/9 และ 12 เดือน": ("recurring", [
        ("รอบ 3 เดือน", D(2024, 10, 1), D(2024, 12, 31)),
        ("รอบ 6 เดือน", D(2025, 1, 1), D(2025, 3, 31)),
        ("รอบ 9 เดือน", D(2025, 4, 1), D(2025, 6, 30)),
        ("รอบ 12 เดือน", D(2025, 7, 1), D(2025, 9, 30))]),
    "ตามกรอบระยะเวลาการรายงานที่ สพฐ.กำหนด (รอบ ๖ เดือน/๑๒ เดือน)": ("recurring", [
        ("รอบ 6 เดือน", D(2024, 10, 1), D(2025, 3, 31)),
        ("รอบ 12 เดือน", D(2025, 4, 1), D(2025, 9, 30))]),
    "2 วัน (พฤษภาคม ของทุกปี)": ("window", [("พฤษภาคม", D(2025, 5, 1), D(2025, 5, 31))]),
    "2 เดือน ภายในเดือน พฤศจิกายนของปี": ("deadline", [("ภายในเดือนพฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30))]),
}
DURATIONS = {
    "1 วัน": Duration(1, "day", True), "๑ วัน": Duration(1, "day", True), "๒ วัน": Duration(2, "day", True),
    "๔ วัน": Duration(4, "day", True), "๕ วัน": Duration(5, "day", True), "10 วัน": Duration(10, "day", True),
    "15 วัน": Duration(15, "day", True), "1 เดือน": Duration(1, "month"), "2 เดือน": Duration(2, "month"),
    "6 เดือน": Duration(6, "month"), "5 นาที": Duration(5, "minute"), "๕ นาที": Duration(5, "minute"),
    "10 นาที": Duration(10, "minute"),
}
WEEKLY = "ตลอดปีงบประมาณ อย่างน้อยสัปดาห์ละ 1 ครั้ง"
RELATIVE = "ก่อนระบบปิดอย่างน้อย ๓ วัน และหลังจากระบบปิด"


def seed_phrases():
    lines = SEED_PHRASES.read_text(encoding="utf-8").splitlines()
    return [x.strip() for x in lines if x.strip() and not x.startswith("#")]


def test_every_seed_phrase_is_covered_here():
    phrases = seed_phrases()
    assert len(phrases) == 42
    assert set(phrases) == set(EXPECTED) | set(DURATIONS) | {WEEKLY, RELATIVE}


@pytest.mark.parametrize("phrase", sorted(EXPECTED))
def test_seed_phrase_dates(phrase):
    kind, expected = EXPECTED[phrase]
    assert parse_rule(phrase).kind == kind
    assert dates(phrase) == expected


@pytest.mark.parametrize("phrase", sorted(DURATIONS))
def test_seed_durations(phrase):
    rule = parse_rule(phrase)
    assert rule.kind == "duration"
    assert rule.duration == DURATIONS[phrase]
    [occ] = occurrences(phrase, FY)
    assert (occ.start, occ.due, occ.working_days) == (None, None, DURATIONS[phrase].working_days)
    with pytest.raises(TimingError) as e:
        deadline(phrase, FY)
    assert e.value.code == "deadline.none"


def test_day_durations_say_working_days():
    [occ] = occurrences("๔ วัน", FY)
    assert occ.label_th == "ใช้เวลา 4 วันทำการ"
    assert occ.note_th == "ใช้เวลา 4 วันทำการ (นับเฉพาะวันทำการ) นับจากวันเริ่มงาน/วันรับเรื่อง"
    # With a start date: 4 working days after Thu 10 Apr 2025, across Songkran (14–16 Apr).
    [occ] = occurrences("๔ วัน", FY, ref=D(2025, 4, 10))
    assert (occ.start, occ.due, occ.working_days) == (D(2025, 4, 10), D(2025, 4, 21), True)


def test_seed_duration_in_a_month_notes_its_effort():
    [occ] = occurrences("2 วัน (พฤษภาคม ของทุกปี)", FY)
    assert occ.note_th == "ใช้เวลา 2 วันทำการ (นับเฉพาะวันทำการ) ภายในช่วงนี้"
    assert occ.working_days is True
    assert parse_rule("2 วัน (พฤษภาคม ของทุกปี)").duration == Duration(2, "day", True)
    assert parse_rule("2 เดือน ภายในเดือน พฤศจิกายนของปี").duration == Duration(2, "month")


def test_seed_weekly_phrase():
    occ = occurrences(WEEKLY, FY)
    assert parse_rule(WEEKLY).kind == "weekly"
    assert len(occ) == 53
    # FY 2568 starts on a Tuesday and ends on a Tuesday: the first and last weeks are partial.
    assert (occ[0].label_th, occ[0].start, occ[0].due) == ("สัปดาห์ที่ 1", D(2024, 10, 1), D(2024, 10, 4))
    assert (occ[1].start, occ[1].due) == (D(2024, 10, 7), D(2024, 10, 11))
    assert (occ[-1].label_th, occ[-1].start, occ[-1].due) == ("สัปดาห์ที่ 53", D(2025, 9, 29), D(2025, 9, 30))
    assert occ[0].note_th == "อย่างน้อย 1 ครั้งต่อสัปดาห์ (จันทร์–ศุกร์)"


def test_seed_relative_phrase_needs_and_uses_the_closing_date():
    with pytest.raises(TimingError) as e:
        occurrences(RELATIVE, FY)
    assert e.value.code == "ref.required"
    assert e.value.message_en == (f"'{RELATIVE}' counts from a reference date (ระบบปิด); give that date "
                                  "(--ref, or the anchor column)")
    assert dates(RELATIVE, ref=D(2025, 3, 31)) == [
        ("ก่อนระบบปิด 3 วัน", None, D(2025, 3, 28)),
        ("หลังระบบปิด", D(2025, 4, 1), None)]
    # Three days before Monday 7 Apr 2025 is a Friday; before Wednesday 2 Apr is Sunday 30 Mar -> Friday 28.
    assert dates(RELATIVE, ref=D(2025, 4, 2))[0][2] == D(2025, 3, 28)
    assert deadline(RELATIVE, FY, ref=D(2025, 3, 31)) == D(2025, 3, 28)
    assert parse_rule(RELATIVE).kind == "relative"


def test_seed_notes():
    [o] = occurrences("กันยายน-ตุลาคม", FY)
    assert o.note_th == "เริ่มก่อนปีงบประมาณ 2568 (เดือนกันยายนของปีงบประมาณก่อน)"
    rounds = occurrences("ตามกรอบระยะเวลาการรายงานที่ สพฐ.กำหนด (รอบ ๖ เดือน/๑๒ เดือน)", FY)
    assert rounds[0].note_th == ("ผลสะสม 1 ต.ค. 2567 – 31 มี.ค. 2568; ตามกรอบเวลาที่หน่วยงานต้นสังกัดกำหนด: "
                                 "วันที่แสดงคือสิ้นรอบ ให้ยึดวันปิดระบบตามประกาศจริง")


# --- variants ------------------------------------------------------------------------------------------------

VARIANTS = {
    "ต.ค.-พ.ย.": [("ตุลาคม – พฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30))],
    "ตค - พย": [("ตุลาคม – พฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30))],
    "ต.ค.–พ.ย.": [("ตุลาคม – พฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30))],
    "<p>ตุลาคม ถึง พฤศจิกายน</p>": [("ตุลาคม – พฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30))],
    "ภายในวันที่ 15 พฤษภาคม": [("ภายในวันที่ 15 พฤษภาคม", None, D(2025, 5, 15))],
    "ภายในวันที่ ๑๕ พ.ค.": [("ภายในวันที่ 15 พฤษภาคม", None, D(2025, 5, 15))],
    "ภายใน 30 ก.ย. 68": [("ภายใน 30 ก.ย. 2568", None, D(2025, 9, 30))],
    "ภายใน ๓๐ กันยายน ๒๕๖๘": [("ภายใน 30 ก.ย. 2568", None, D(2025, 9, 30))],
    "ภายใน 30/09/2568": [("ภายใน 30 ก.ย. 2568", None, D(2025, 9, 30))],
    "ภายใน 2025-09-30": [("ภายใน 30 ก.ย. 2568", None, D(2025, 9, 30))],
    "ก่อนวันที่ 15 พ.ค.": [("ก่อนวันที่ 15 พฤษภาคม", None, D(2025, 5, 14))],
    "ภายใน 15 วันหลังสิ้นไตรมาส": [
        ("ไตรมาส 1", D(2025, 1, 1), D(2025, 1, 15)),
        ("ไตรมาส 2", D(2025, 4, 1), D(2025, 4, 15)),
        ("ไตรมาส 3", D(2025, 7, 1), D(2025, 7, 15)),
        ("ไตรมาส 4", D(2025, 10, 1), D(2025, 10, 15))],  # the last quarter's report falls in the next FY
    "ภายใน 15 วันหลังสิ้นไตรมาสที่ 2": [("ไตรมาส 2", D(2025, 4, 1), D(2025, 4, 15))],
    # Working days after 31 Mar 2025: Chakri (7 Apr) and Songkran (14–16 Apr) are skipped.
    "ภายใน 15 วันทำการหลังสิ้นรอบ 6 เดือน": [("รอบ 6 เดือน", D(2025, 4, 1), D(2025, 4, 25))],
    "ทุกไตรมาส": [
        ("ไตรมาส 1", D(2024, 10, 1), D(2024, 12, 31)),
        ("ไตรมาส 2", D(2025, 1, 1), D(2025, 3, 31)),
        ("ไตรมาส 3", D(2025, 4, 1), D(2025, 6, 30)),
        ("ไตรมาส 4", D(2025, 7, 1), D(2025, 9, 30))],
    "ทุก 6 เดือน": [("รอบ 6 เดือน", D(2024, 10, 1), D(2025, 3, 31)),
                   ("รอบ 12 เดือน", D(2025, 4, 1), D(2025, 9, 30))],
    "รอบ 6 เดือน": [("รอบ 6 เดือน", D(2024, 10, 1), D(2025, 3, 31))],
    "ทุก 4 เดือน": [("ต.ค.–ม.ค.", D(2024, 10, 1), D(2025, 1, 31)),
                   ("ก.พ.–พ.ค.", D(2025, 2, 1), D(2025, 5, 31)),
                   ("มิ.ย.–ก.ย.", D(2025, 6, 1), D(2025, 9, 30))],
    "every 6 months from November": [("ครั้งที่ 1 (พฤศจิกายน)", D(2024, 11, 1), D(2024, 11, 30)),
                                     ("ครั้งที่ 2 (พฤษภาคม)", D(2025, 5, 1), D(2025, 5, 31))],
    "ทุก 6 เดือน เริ่มพฤศจิกายน": [("ครั้งที่ 1 (พฤศจิกายน)", D(2024, 11, 1), D(2024, 11, 30)),
                                  ("ครั้งที่ 2 (พฤษภาคม)", D(2025, 5, 1), D(2025, 5, 31))],
    "by 31 May": [("ภายในวันที่ 31 พฤษภาคม", None, D(2025, 5, 31))],
    "by May 31": [("ภายในวันที่ 31 พฤษภาคม", None, D(2025, 5, 31))],
    "by May": [("ภายในเดือนพฤษภาคม", None, D(2025, 5, 31))],
    "Oct-Nov": [("ตุลาคม – พฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30))],
    "within 15 days after quarter end": [
        ("ไตรมาส 1", D(2025, 1, 1), D(2025, 1, 15)), ("ไตรมาส 2", D(2025, 4, 1), D(2025, 4, 15)),
        ("ไตรมาส 3", D(2025, 7, 1), D(2025, 7, 15)), ("ไตรมาส 4", D(2025, 10, 1), D(2025, 10, 15))],
    "throughout the fiscal year": CONT,
    "ภายในสิ้นเดือนมีนาคม": [("ภายในเดือนมีนาคม", None, D(2025, 3, 31))],
    "ภายใน 29 ก.พ.": [("ภายในวันที่ 29 กุมภาพันธ์", None, D(2025, 2, 28))],
}


@pytest.mark.parametrize("phrase", sorted(VARIANTS))
def test_variants(phrase):
    assert dates(phrase) == VARIANTS[phrase]


@pytest.mark.parametrize(("phrase", "duration"), [
    ("ไม่เกิน 7 วันทำการ", Duration(7, "day", True)),
    ("15 วันปฏิทิน", Duration(15, "day", False)),
    ("ภายใน 15 วัน", Duration(15, "day", True)),
    ("ใช้เวลา 2 ชั่วโมง", Duration(120, "minute")),
    ("5 working days", Duration(5, "day", True)),
    ("10 calendar days", Duration(10, "day", False)),
    ("3 months", Duration(3, "month")),
])
def test_duration_variants(phrase, duration):
    assert parse_duration(phrase) == duration


def test_not_more_than_7_working_days_from_a_date():
    # Received Fri 4 Apr 2025: Mon 7 Apr is the Chakri substitute holiday.
    [o] = occurrences("ไม่เกิน 7 วันทำการ", FY, ref=D(2025, 4, 4))
    assert (o.start, o.due, o.working_days) == (D(2025, 4, 4), D(2025, 4, 21), True)


def test_monthly_and_weekly_variants():
    occ = occurrences("ภายในวันที่ 5 ของเดือนถัดไป", FY)
    assert len(occ) == 12
    assert (occ[0].label_th, occ[0].start, occ[0].due) == ("ตุลาคม", D(2024, 10, 1), D(2024, 11, 5))
    assert (occ[-1].label_th, occ[-1].due) == ("กันยายน", D(2025, 10, 5))
    occ = occurrences("ทุกเดือน", FY)
    assert [o.due for o in occ][:3] == [D(2024, 10, 31), D(2024, 11, 30), D(2024, 12, 31)]
    assert parse_rule("ทุกเดือน").kind == "monthly"
    assert len(occurrences("weekly", FY)) == 53
    assert len(occurrences("สัปดาห์ละ 2 ครั้ง", FY)) == 53
    assert occurrences("สัปดาห์ละ 2 ครั้ง", FY)[0].note_th == "อย่างน้อย 2 ครั้งต่อสัปดาห์ (จันทร์–ศุกร์)"


def test_relative_variants():
    assert dates("ภายใน 7 วันหลังได้รับหนังสือ", ref=D(2025, 3, 3)) == [
        ("ภายใน 7 วันหลังได้รับหนังสือ", D(2025, 3, 3), D(2025, 3, 10))]
    assert dates("3 วันทำการก่อนวันประชุม", ref=D(2025, 3, 10)) == [
        ("ก่อนวันประชุม 3 วันทำการ", None, D(2025, 3, 5))]
    assert dates("at least 3 days before the system closes", ref=D(2025, 3, 31)) == [
        ("ก่อน system closes 3 วัน", None, D(2025, 3, 28))]


def test_parse_is_cached_and_spelling_variants_agree():
    assert parse_rule("ภายในเดือนพฤษภาคม ของทุกปี") is parse_rule("ภายในเดือนพฤษภาคม ของทุกปี")
    a = parse_rule("ภายในเดือนพฤษภาคม ของทุกปี")
    b = parse_rule("ภายใน พ.ค.")
    assert (a.kind, a.parts) == (b.kind, b.parts)


# --- boundaries ----------------------------------------------------------------------------------------------


def test_fiscal_year_boundaries():
    assert deadline("ตลอดปีงบประมาณ", 2568) == D(2025, 9, 30)
    assert occurrences("ตลอดปีงบประมาณ", 2570)[0].start == D(2026, 10, 1)
    # October–December belong to the previous CE year.
    assert deadline("ภายในเดือนธันวาคม ของทุกปี", 2570) == D(2026, 12, 31)
    assert deadline("ภายในเดือนมกราคม ของทุกปี", 2570) == D(2027, 1, 31)
    assert deadline("ตุลาคม", 2570) == D(2026, 10, 31)
    assert deadline("กันยายน", 2570) == D(2027, 9, 30)
    # A leap February (FY 2567 = Oct 2023 – Sep 2024).
    assert deadline("ภายในเดือนกุมภาพันธ์ ของทุกปี", 2567) == D(2024, 2, 29)
    assert dates("ภายใน 29 ก.พ.", 2567) == [("ภายในวันที่ 29 กุมภาพันธ์", None, D(2024, 2, 29))]
    assert occurrences("ภายใน 29 ก.พ.", 2568)[0].note_th == "ปีนี้กุมภาพันธ์มี 28 วัน จึงใช้วันที่ 28"
    # A dated deadline keeps its date in any fiscal year, and says when it is outside the one asked for.
    [o] = occurrences("ภายใน 30 ก.ย. 68", 2569)
    assert (o.due, o.note_th) == (D(2025, 9, 30), "วันที่ระบุอยู่นอกปีงบประมาณ 2569")


def test_round_boundaries():
    q = occurrences("ทุกไตรมาส", 2569)
    assert [(o.start, o.due) for o in q] == [
        (D(2025, 10, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), D(2026, 6, 30)), (D(2026, 7, 1), D(2026, 9, 30))]
    r = occurrences("ทุก 3/6/9 และ 12 เดือน", 2569)
    assert [o.due for o in r] == [o.due for o in q]
    assert r[3].note_th == "ผลสะสม 1 ต.ค. 2568 – 30 ก.ย. 2569"
    assert deadline("ภายใน 15 วันหลังสิ้นไตรมาส", 2569) == D(2026, 10, 15)
    assert deadline("รอบ 12 เดือน", 2569) == D(2026, 9, 30)
    assert deadline("ภายใน 15 วันหลังสิ้นปีงบประมาณ", 2569) == D(2026, 10, 15)


@settings(max_examples=60, deadline=None)
@given(fy=st.integers(2500, 2650), a=st.integers(1, 12), b=st.integers(1, 12), abbr=st.booleans())
def test_any_month_range_ends_inside_the_fiscal_year(fy, a, b, abbr):
    names = THAI_MONTHS_ABBR if abbr else THAI_MONTHS
    [o] = occurrences(f"{names[a - 1]} - {names[b - 1]}", fy)
    lo, hi = fiscal_year_bounds(fy)
    assert lo <= o.due <= hi
    assert o.start <= o.due
    assert (o.start.month, o.due.month) == (a, b)
    assert (o.due - o.start).days < 366


# --- chained steps -------------------------------------------------------------------------------------------

BUDGET_STEPS = ["๑ วัน", "๔ วัน", "๑ วัน", "๒ วัน", "๑ วัน", "๑ วัน", "๑ วัน", "๕ วัน"]  # seed 004, ๕.๑


def test_chain_of_budget_request_steps():
    # Request received Wed 9 Apr 2025; Songkran 14–16 Apr, Labour Day 1 May, Coronation Day 5 May.
    assert chain_steps(BUDGET_STEPS, D(2025, 4, 9)) == [
        D(2025, 4, 10), D(2025, 4, 21), D(2025, 4, 22), D(2025, 4, 24), D(2025, 4, 25), D(2025, 4, 28),
        D(2025, 4, 29), D(2025, 5, 8)]


def test_chain_mixes_units():
    steps = [Duration(2, "month"), "1 เดือน", "15 วัน", "5 นาที", "10 วันปฏิทิน"]
    assert chain_steps(steps, D(2024, 9, 30)) == [
        D(2024, 11, 30), D(2024, 12, 31), D(2025, 1, 22), D(2025, 1, 22), D(2025, 2, 1)]
    # A minute step done on a day off is done on the next working day.
    assert chain_steps(["5 นาที"], D(2025, 4, 13)) == [D(2025, 4, 17)]
    assert chain_steps([], D(2025, 1, 1)) == []


def test_chain_rejects_a_step_that_is_not_a_duration():
    with pytest.raises(TimingError) as e:
        chain_steps(["๑ วัน", "ภายในเดือนพฤษภาคม"], D(2025, 1, 6))
    assert e.value.code == "duration.expected"
    assert str(e.value) == ("'ภายในเดือนพฤษภาคม' ไม่ใช่ระยะเวลา (เช่น 4 วัน, 2 เดือน, 5 นาที) / "
                            "'ภายในเดือนพฤษภาคม' is not a duration (e.g. 4 วัน, 2 เดือน, 5 นาที)")


# --- errors --------------------------------------------------------------------------------------------------

HINT_TH = ("เขียนเป็นเดือน (ตุลาคม - พฤศจิกายน), กำหนดส่ง (ภายใน 15 พฤษภาคม), รอบ (ทุกไตรมาส, รอบ 6 เดือน/12 เดือน), "
           "ระยะเวลา (15 วัน) หรือ ตลอดปีงบประมาณ")
HINT_EN = ("write months (ตุลาคม - พฤศจิกายน), a deadline (ภายใน 15 พฤษภาคม / by 15 May), rounds (ทุกไตรมาส, "
           "รอบ 6 เดือน/12 เดือน), a duration (15 วัน) or ตลอดปีงบประมาณ")

ERRORS = {
    "": ("phrase.empty", "ไม่ได้ระบุกำหนดเวลา (ช่องว่าง)", "no timing given (the cell is empty)"),
    "เร็ว ๆ นี้": ("phrase.unreadable", f"อ่านกำหนดเวลา 'เร็ว ๆ นี้' ไม่ได้ — {HINT_TH}",
                   f"cannot read the timing 'เร็ว ๆ นี้' — {HINT_EN}"),
    "ภายในเดือนสิบสาม": ("phrase.unreadable", f"อ่านกำหนดเวลา 'ภายในเดือนสิบสาม' ไม่ได้ — {HINT_TH}",
                          f"cannot read the timing 'ภายในเดือนสิบสาม' — {HINT_EN}"),
    "ตุลาคม หรือ พฤศจิกายน แล้วแต่": ("phrase.unreadable",
                                       f"อ่านกำหนดเวลา 'ตุลาคม หรือ พฤศจิกายน แล้วแต่' ไม่ได้ — {HINT_TH}",
                                       f"cannot read the timing 'ตุลาคม หรือ พฤศจิกายน แล้วแต่' — {HINT_EN}"),
    "ภายใน 31 ก.พ.": ("date.impossible", "ไม่มีวันที่ 31 ในกุมภาพันธ์", "there is no day 31 in February"),
    "ภายใน 32 พฤษภาคม": ("date.impossible", "ไม่มีวันที่ 32 ในพฤษภาคม", "there is no day 32 in May"),
    "ภายใน 29 ก.พ. 68": ("date.impossible", "ไม่มีวันที่ 29 ในกุมภาพันธ์ ปี 2568",
                         "there is no day 29 in February 2025"),
    "ภายใน 31/13/2568": ("date.impossible", "ไม่มีเดือนที่ 13", "there is no month 13"),
    "ทุก 5 เดือน": ("interval.invalid", "ทุก 5 เดือน ไม่ลงตัวกับ 12 เดือนของปีงบประมาณ (ใช้ 1, 2, 3, 4, 6 หรือ 12)",
                    "every 5 months does not divide the 12-month fiscal year (use 1, 2, 3, 4, 6 or 12)"),
    "รอบ 7 เดือน": ("round.invalid", "รอบรายงานต้องเป็น 3, 6, 9 หรือ 12 เดือนของปีงบประมาณ ได้ [7]",
                    "a reporting round must be 3, 6, 9 or 12 months into the fiscal year, got [7]"),
    "ภายใน 15 วันหลังสิ้นไตรมาส 5": ("quarter.invalid", "ไตรมาสต้องเป็น 1–4 ได้ 5", "quarter must be 1–4, got 5"),
    "0 วัน": ("duration.zero", "ระยะเวลาต้องมากกว่า 0 ('0 วัน')", "a duration must be more than 0 ('0 วัน')"),
    "ตามกรอบระยะเวลาที่ สพฐ. กำหนด": (
        "external.schedule",
        "วลีนี้อ้างกำหนดการของหน่วยงานอื่นโดยไม่ระบุรอบหรือวันที่ ใส่รอบ (เช่น รอบ 6 เดือน) หรือวันที่แทน",
        "this phrase defers to another body's schedule without a round or date; write the round "
        "(e.g. รอบ 6 เดือน) or the date instead"),
}


@pytest.mark.parametrize("phrase", sorted(ERRORS))
def test_unreadable_phrases_give_exact_errors(phrase):
    code, th, en = ERRORS[phrase]
    with pytest.raises(TimingError) as e:
        parse_rule(phrase)
    err = e.value
    assert (err.phrase, err.code, err.message_th, err.message_en) == (phrase, code, th, en)
    assert str(err) == f"{th} / {en}"
    assert isinstance(err, ValueError)


def test_the_manuals_garbled_timing_cell_is_an_error_not_a_date():
    # Seed 002 (provincial strategy, last row) has the expected result in the timing column.
    phrase = "หน่วยงานมีแผนพัฒนา ที่สอดคล้องกับ หน่วยงานระดับสูงและ เป็นไปตามความ ต้องการที่มี ประสิทธิภาพ"
    with pytest.raises(TimingError) as e:
        occurrences(phrase, FY)
    assert e.value.code == "phrase.unreadable"


def test_occurrence_is_a_plain_value():
    o = Occurrence("x", None, D(2025, 1, 1))
    assert (o.note_th, o.working_days) == ("", False)
    with pytest.raises(ValueError):
        Duration(1, "week")
    with pytest.raises(ValueError):
        Duration(1, "month", working_days=True)


# --- many rows at once ---------------------------------------------------------------------------------------


def test_deadlines_and_status_for_many_rows_equal_the_scalar_api():
    import numpy as np
    import pandas as pd

    from addin.status import status
    from addin.timing import deadline_status, deadlines

    phrases = ["ภายในเดือนพฤษภาคม ของทุกปี", "ภายใน 15 วันหลังสิ้นไตรมาส", "ตุลาคม - พฤศจิกายน", "ทุกไตรมาส",
               "ตามกรอบระยะเวลาการรายงานที่ สพฐ.กำหนด (รอบ ๖ เดือน/๑๒ เดือน)"]
    rng = np.random.default_rng(3)
    n = 400
    p = pd.Categorical([phrases[i] for i in rng.integers(0, len(phrases), n)])
    fy = rng.integers(2566, 2571, n)
    sent = np.datetime64("2023-06-01") + rng.integers(0, 1200, n).astype("timedelta64[D]")
    sent = np.where(rng.random(n) < 0.3, np.datetime64("NaT"), sent)
    today = date(2025, 3, 27)
    due = deadlines(p, fy)
    assert [d.astype(date) for d in due] == [deadline(str(a), int(b)) for a, b in zip(p, fy, strict=True)]
    got = deadline_status(p, fy, sent, today).astype(str).tolist()
    want = [status(d.astype(date), None if np.isnat(s) else s.astype(date), today).value
            for d, s in zip(due, sent, strict=True)]
    assert got == want
    assert deadlines(["ตุลาคม", None, "xx", "15 วัน"], [2568, 2568, 2569, 2570], errors="coerce").astype(str).tolist() \
        == ["2024-10-31", "NaT", "NaT", "NaT"]
    with pytest.raises(TimingError) as e:
        deadlines(["ตุลาคม", "xx"], [2568, 2568])
    assert e.value.code == "phrase.unreadable"


def test_month_with_a_year_is_that_months_end():
    assert dates("ภายในเดือนพฤษภาคม 2568") == [("ภายใน 31 พ.ค. 2568", None, D(2025, 5, 31))]
    assert dates("ภายใน พ.ค. 68") == [("ภายใน 31 พ.ค. 2568", None, D(2025, 5, 31))]
    assert dates("by May 2025") == [("ภายใน 31 พ.ค. 2568", None, D(2025, 5, 31))]
    assert dates("by May 15") == [("ภายในวันที่ 15 พฤษภาคม", None, D(2025, 5, 15))]


def test_timing_error_pickles():
    import pickle

    with pytest.raises(TimingError) as e:
        parse_rule("ทุก 5 เดือน")
    back = pickle.loads(pickle.dumps(e.value))
    assert (back.phrase, back.code, str(back)) == ("ทุก 5 เดือน", "interval.invalid", str(e.value))
    assert back.as_dict() == e.value.as_dict()


PIECES = ["ภายใน", "เดือน", "ตุลาคม", "ก.พ.", "พ.ค.", "15", "๓", "31", "68", "2568", "วัน", "วันทำการ", "นาที",
          "ทุก", "รอบ", "ไตรมาส", "หลังสิ้น", "ก่อน", "ระบบปิด", "อย่างน้อย", "และ", "-", "/", "(", ")", " ", "ของทุกปี",
          "ตลอดปีงบประมาณ", "สัปดาห์ละ", "ครั้ง", "by", "may", "every", "months", "ที่", "<p>", "xx"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=0, max_size=7), st.integers(2500, 2650))
def test_any_phrase_reads_or_fails_with_a_timing_error(pieces, fy):
    phrase = " ".join(pieces)
    try:
        occ = occurrences(phrase, fy, ref=D(2025, 3, 31))
    except TimingError as e:
        assert e.code and e.message_th and e.message_en
        return
    for o in occ:
        assert o.start is None or o.due is None or o.start <= o.due
        assert o.label_th


@pytest.mark.parametrize(("phrase", "start", "due"), [
    ("ระหว่างวันที่ 1-15 พฤษภาคม", D(2025, 5, 1), D(2025, 5, 15)),
    ("ระหว่างวันที่ ๑ - ๑๕ พ.ค. ๒๕๖๘", D(2025, 5, 1), D(2025, 5, 15)),
    ("1 ต.ค. 67 - 30 พ.ย. 67", D(2024, 10, 1), D(2024, 11, 30)),
    ("1 ต.ค. - 30 พ.ย.", D(2024, 10, 1), D(2024, 11, 30)),
    ("1 October - 30 November", D(2024, 10, 1), D(2024, 11, 30)),
    ("15 ก.ย. ถึง 15 ต.ค.", D(2024, 9, 15), D(2024, 10, 15)),  # across 1 October, like month ranges
])
def test_day_ranges(phrase, start, due):
    [o] = occurrences(phrase, FY)
    assert (o.start, o.due) == (start, due)
    assert parse_rule(phrase).kind == "window"


def test_day_range_errors():
    with pytest.raises(TimingError) as e:
        parse_rule("30 พ.ย. 67 - 1 ต.ค. 67")
    assert (e.value.code, str(e.value)) == (
        "range.reversed", "วันเริ่มอยู่หลังวันสิ้นสุดใน '30 พ.ย. 67 - 1 ต.ค. 67' / "
                          "the start is after the end in '30 พ.ย. 67 - 1 ต.ค. 67'")
    with pytest.raises(TimingError) as e:
        parse_rule("1-31 ก.พ.")
    assert e.value.code == "date.impossible"
