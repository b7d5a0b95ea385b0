"""Timing phrases a district writes in its own settings: frequencies (ไตรมาสละครั้ง, ปีละ 2 ครั้ง,
ภาคเรียนละ 1 ครั้ง, สัปดาห์ละครั้ง, ทุกวันศุกร์, ทุกสิ้นเดือน…), offsets before/after the end of a fiscal year,
quarter, semester or month, their obvious variants, and the errors for frequencies that cannot be used."""

from datetime import date

import pytest

from addin.timing import TimingError, deadline, occurrences, parse_rule

D = date
FY = 2569  # 1 Oct 2025 – 30 Sep 2026


def dues(phrase, fy=FY):
    return [o.due for o in occurrences(phrase, fy)]


QUARTER_ENDS = [D(2025, 12, 31), D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30)]
MONTH_ENDS = [D(2025, 10, 31), D(2025, 11, 30), D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31),
              D(2026, 4, 30), D(2026, 5, 31), D(2026, 6, 30), D(2026, 7, 31), D(2026, 8, 31), D(2026, 9, 30)]
ROUNDS = [D(2026, 3, 31), D(2026, 9, 30)]
# Academic year 2568: semester 1 16 May – 11 Oct 2025, semester 2 1 Nov 2025 – 1 Apr 2026: both end in FY 2569.
SEMESTER_ENDS = [D(2025, 10, 11), D(2026, 4, 1)]

SAME = {
    "quarters": (QUARTER_ENDS, ["ไตรมาสละครั้ง", "ไตรมาสละ 1 ครั้ง", "ไตรมาสละ ๑ ครั้ง", "ไตรมาสละหนึ่งครั้ง",
                                "1 ครั้ง/ไตรมาส", "ทุกสิ้นไตรมาส", "ทุกวันสิ้นไตรมาส", "สิ้นไตรมาสทุกไตรมาส",
                                "ทุกไตรมาส", "รายไตรมาส", "quarterly", "every quarter", "once a quarter",
                                "at the end of each quarter"]),
    "rounds": (ROUNDS, ["ปีละ 2 ครั้ง", "ปีละ ๒ ครั้ง", "ปีละสองครั้ง", "2 ครั้ง/ปี", "2 ครั้งต่อปี",
                        "ปีงบประมาณละ 2 ครั้ง", "twice a year", "ทุก 6 เดือน"]),
    "year": ([D(2026, 9, 30)], ["ปีละครั้ง", "ปีละ 1 ครั้ง", "once a year", "ทุกสิ้นปีงบประมาณ",
                                "ภายในสิ้นปีงบประมาณ"]),
    "months": (MONTH_ENDS, ["เดือนละครั้ง", "เดือนละ 1 ครั้ง", "ทุกสิ้นเดือน", "ภายในวันสิ้นเดือน", "ภายในสิ้นเดือน",
                            "ทุกเดือน", "รายเดือน", "monthly", "once a month", "at the end of each month"]),
    "semesters": (SEMESTER_ENDS, ["ภาคเรียนละ 1 ครั้ง", "ภาคเรียนละครั้ง", "ภาคเรียนละ ๑ ครั้ง", "ทุกภาคเรียน",
                                  "ทุกสิ้นภาคเรียน", "รายภาคเรียน", "ภาคการศึกษาละ 1 ครั้ง", "เทอมละครั้ง",
                                  "once a semester", "every semester"]),
    "year_minus_30": ([D(2026, 8, 31)], ["ก่อนสิ้นปีงบประมาณ 30 วัน", "ก่อนสิ้นปีงบประมาณ ๓๐ วัน",
                                         "ก่อนสิ้นปีงบประมาณอย่างน้อย 30 วัน", "30 วันก่อนสิ้นปีงบประมาณ",
                                         "ก่อนวันสิ้นปีงบประมาณ 30 วัน", "30 days before the end of the fiscal year"]),
    "semester_plus_15": ([D(2025, 10, 26), D(2026, 4, 16)],
                         ["ภายใน 15 วันหลังสิ้นภาคเรียน", "ภายใน ๑๕ วัน หลังสิ้นภาคเรียน",
                          "ภายใน 15 วันนับจากสิ้นภาคเรียน", "ไม่เกิน 15 วันหลังจากสิ้นสุดภาคเรียน",
                          "15 วันหลังสิ้นภาคเรียน", "within 15 days after the end of each semester"]),
    "quarter_plus_15": ([D(2026, 1, 15), D(2026, 4, 15), D(2026, 7, 15), D(2026, 10, 15)],
                        ["ภายใน 15 วันหลังสิ้นไตรมาส", "ภายใน 15 วันหลังสิ้นแต่ละไตรมาส",
                         "within 15 days after quarter end"]),
}


@pytest.mark.parametrize(("group", "phrase"), [(g, p) for g, (_, ps) in SAME.items() for p in ps])
def test_variants_mean_the_same_dates(group, phrase):
    assert dues(phrase) == SAME[group][0]


def test_the_fiscal_year_offset_needs_no_reference_date():
    # It was read as "relative to an event", then demanded --ref and used that date as the year's end.
    rule = parse_rule("ก่อนสิ้นปีงบประมาณ 30 วัน")
    assert rule.kind == "deadline"
    assert deadline(rule, 2568) == D(2025, 8, 29)  # 31 Aug 2025 is a Sunday: a day off moves earlier
    assert deadline(rule, 2569) == D(2026, 8, 31)


def test_before_a_period_end_keeps_the_period_as_its_window():
    [o] = occurrences("ก่อนสิ้นภาคเรียนที่ 2 7 วัน", FY)
    assert (o.label_th, o.start, o.due) == ("ภาคเรียนที่ 2/2568", D(2025, 11, 1), D(2026, 3, 25))
    assert "ก่อนสิ้นงวด" in o.note_th
    q = occurrences("ก่อนสิ้นไตรมาส 3 วัน", FY)
    assert [o.due for o in q] == [D(2025, 12, 26), D(2026, 3, 27), D(2026, 6, 26), D(2026, 9, 25)]
    assert [o.due for o in occurrences("ก่อนสิ้นเดือน 5 วันทำการ", FY)][:2] == [D(2025, 10, 24), D(2025, 11, 24)]


def test_one_numbered_semester_quarter_or_the_academic_year():
    assert dues("ภายใน 15 วันหลังสิ้นภาคเรียนที่ 1") == [D(2025, 10, 26)]
    assert dues("ภายในสิ้นไตรมาสที่ 2") == [D(2026, 3, 31)]
    assert dues("ภายใน 30 วันหลังสิ้นปีการศึกษา") == [D(2026, 5, 1)]
    assert occurrences("ภาคเรียนละครั้ง", FY)[0].label_th == "ภาคเรียนที่ 1/2568"


@pytest.mark.parametrize("phrase", ["ทุกวันศุกร์", "ทุกศุกร์", "วันศุกร์ของทุกสัปดาห์", "every Friday", "fridays"])
def test_every_friday(phrase):
    days = occurrences(phrase, FY)
    assert days[0].due == D(2025, 10, 3)
    assert all(o.start == o.due for o in days)
    assert {o.label_th.split()[0] for o in days} == {"วันศุกร์"}
    assert len(days) == 52
    # Friday 24 October 2025 (วันปิยมหาราช, 23 Oct, is a Thursday) — a Friday holiday moves earlier:
    # 5 December 2025 (Friday, Father's Day) is due Thursday 4 December.
    by_label = {o.label_th: o for o in days}
    dec5 = by_label["วันศุกร์ 5 ธ.ค. 2568"]
    assert dec5.due == D(2025, 12, 4) and "วันหยุด" in dec5.note_th


def test_weekly_without_a_number():
    assert parse_rule("สัปดาห์ละครั้ง") == parse_rule("สัปดาห์ละ 1 ครั้ง").__class__(
        "สัปดาห์ละครั้ง", "weekly", parse_rule("สัปดาห์ละ 1 ครั้ง").parts)
    assert occurrences("สัปดาห์ละครั้ง", FY)[0].due == D(2025, 10, 3)
    assert parse_rule("ทุกวันพฤหัสบดี").parts == parse_rule("ทุกวันพฤหัส").parts


def test_three_and_six_times_a_year():
    assert dues("ปีละ 3 ครั้ง") == [D(2026, 1, 31), D(2026, 5, 31), D(2026, 9, 30)]
    assert len(dues("ปีละ 6 ครั้ง")) == 6 and len(dues("ปีละ 12 ครั้ง")) == 12
    assert dues("ปีละ 4 ครั้ง") == QUARTER_ENDS


@pytest.mark.parametrize(("phrase", "th", "en"), [
    ("ปีละ 5 ครั้ง", "ปีละ 1, 2, 3, 4, 6 หรือ 12 ครั้ง", "1, 2, 3, 4, 6 or 12 times a year"),
    ("ไตรมาสละ 2 ครั้ง", "ไตรมาสละ 1 ครั้ง", "once a quarter"),
    ("เดือนละ 3 ครั้ง", "เดือนละ 1 ครั้ง", "once a month"),
    ("ภาคเรียนละ 2 ครั้ง", "ภาคเรียนละ 1 ครั้ง", "once a semester"),
])
def test_frequencies_that_cannot_be_used_say_what_can(phrase, th, en):
    with pytest.raises(TimingError) as e:
        parse_rule(phrase)
    assert e.value.code == "frequency.invalid"
    assert e.value.message_th == f"ความถี่ '{phrase}' ใช้ไม่ได้ — ใช้ {th}"
    assert e.value.message_en == f"the frequency '{phrase}' cannot be used — use {en}"


@pytest.mark.parametrize(("phrase", "code"), [
    ("ภายใน 15 วันหลังสิ้นภาคเรียนที่ 3", "semester.invalid"),
    ("ก่อนสิ้นไตรมาส 5 3 วัน", "quarter.invalid"),
    ("ทุกวันศุกร์ที่สาม", "phrase.unreadable"),
    ("ปีละหลายครั้ง", "phrase.unreadable"),
    ("ก่อนสิ้นปีงบประมาณ 0 วัน", "duration.zero"),
])
def test_unreadable_stays_an_error(phrase, code):
    with pytest.raises(TimingError) as e:
        occurrences(phrase, FY)
    assert e.value.code == code


def test_a_system_closing_phrase_is_still_relative_to_the_date_given():
    # The e-MES internal deadline ('ก่อนระบบปิดอย่างน้อย ๓ วัน') counts from the window's close date.
    rule = parse_rule("ก่อนระบบปิดอย่างน้อย ๓ วัน")
    assert rule.kind == "relative"
    assert deadline(rule, FY, ref=D(2026, 4, 10)) == D(2026, 4, 7)
