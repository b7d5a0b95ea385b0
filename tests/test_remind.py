"""Reminders: the policy rules on the Thai calendar; e-mail through a real SMTP server on loopback (aiosmtpd:
STARTTLS, SSL, login); LINE through the official line-bot-sdk against the project's LINE emulator (push, the
retry key, quotas, faults, a group the account left, the signed join-event webhook); the whole `khet remind`
flow from the history: never twice a day, a failed send retried next run and never duplicated, dry run."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import ssl
import subprocess
import sys
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from addin import reminders as rules
from addin.status import TIMEZONE
from sync.emulator.line import LineEmulator
from sync.history import History
from sync.outbox import Outbox
from sync.registry import School, load_registry, write_csv_registry
from sync.remind import deliver, describe, last_statuses, line_groups, plan
from sync.senders import LineSender, Mailer, SmtpSettings, split_texts
from sync.staff_rows import append_rows
from workbook.templates import save_staff_workbook

D = dt.date
POLICY = rules.Policy()
TITLES = {"action_plan": "แผนปฏิบัติการประจำปี", "progress_q3": "ความก้าวหน้าไตรมาส 3"}


def statuses(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(("school_code", "report_key", "due", "status", "needs_correction"), r,
                                  strict=False)) for r in rows])


# --- the policy ---------------------------------------------------------------------------------------------------

def test_three_working_days_before_on_the_day_and_weekly_while_overdue():
    # Due Wed 15 Jul 2026 (Asarnha Bucha is Wed 29 Jul, far away): Fri 10 Jul is 3 working days before.
    s = statuses(("A", "action_plan", D(2026, 7, 15), "due_soon"))
    fires = {d: bool(rules.digests(s, d, POLICY, TITLES)) for d in (D(2026, 7, 9), D(2026, 7, 10), D(2026, 7, 13),
                                                                    D(2026, 7, 15))}
    assert fires == {D(2026, 7, 9): False, D(2026, 7, 10): True, D(2026, 7, 13): False, D(2026, 7, 15): True}
    assert rules.digests(s, D(2026, 7, 15), POLICY, TITLES)["A"][0].kind == rules.DUE_TODAY
    over = statuses(("A", "action_plan", D(2026, 5, 31), "overdue"))
    # Weekly on the first working day of the week: Mon 20 Jul, not Tue 21 Jul; in the week of Mon 28 Jul
    # 2025 (King's birthday, a holiday) on Tuesday the 29th.
    assert [bool(rules.digests(over, d, POLICY, TITLES)) for d in (D(2026, 7, 20), D(2026, 7, 21))] == [True, False]
    # A report whose window has closed unsent ("missing") is chased the same way (เร่งรัด), never dropped.
    gone = statuses(("A", "action_plan", D(2026, 5, 31), "missing"))
    assert [bool(rules.digests(gone, d, POLICY, TITLES)) for d in (D(2026, 7, 20), D(2026, 7, 21))] == [True, False]
    assert rules.digests(gone, D(2026, 7, 20), POLICY, TITLES)["A"][0].kind == rules.OVERDUE
    over25 = statuses(("A", "action_plan", D(2025, 5, 31), "overdue"))
    assert [bool(rules.digests(over25, d, POLICY, TITLES)) for d in (D(2025, 7, 28), D(2025, 7, 29))] == [False, True]


def test_no_reminder_on_a_day_off_and_the_digest_lists_everything_open():
    s = statuses(("A", "action_plan", D(2026, 5, 31), "overdue"), ("A", "progress_q3", D(2026, 7, 15), "due_soon"),
                 ("A", "kpi_6m", D(2026, 3, 31), "on_time"), ("B", "action_plan", D(2026, 5, 31), "late", True))
    assert rules.digests(s, D(2026, 7, 11), POLICY, TITLES) == {}  # Saturday
    got = rules.digests(s, D(2026, 7, 13), POLICY, TITLES)  # Monday: A's overdue plan fires the weekly digest
    assert [(i.report_key, i.kind, i.triggers) for i in got["A"]] == [("action_plan", rules.OVERDUE, True),
                                                                     ("progress_q3", rules.DUE_SOON, False)]
    # B: submitted late but its data has errors — "needs correction" weekly.
    assert [(i.kind, i.triggers) for i in got["B"]] == [(rules.CORRECTION, True)]
    # A status code the rules do not know yet (a later issue's) is still listed, never dropped.
    odd = rules.digests(statuses(("C", "action_plan", D(2026, 5, 31), "held_for_review")), D(2026, 7, 13), POLICY,
                        TITLES)
    assert odd["C"][0].kind == rules.OTHER


def test_quiet_hours():
    at = lambda h, m=0: dt.datetime(2026, 7, 13, h, m, tzinfo=TIMEZONE)  # noqa: E731
    assert [rules.is_quiet(at(h), POLICY) for h in (2, 6, 7, 12, 19, 20, 23)] == [True, True, False, False, False,
                                                                                True, True]
    assert rules.quiet_until(at(2), POLICY) == at(7)
    assert rules.quiet_until(at(21), POLICY) == at(7) + dt.timedelta(days=1)


def test_long_digests_are_split_into_line_messages():
    sections = [f"โรงเรียน {i}\n" + "x" * 1500 for i in range(20)]
    pushes = split_texts(sections)
    assert all(len(p) <= 5 for p in pushes) and all(len(t) <= 5000 for p in pushes for t in p)
    assert "".join(t for p in pushes for t in p).count("โรงเรียน") == 20
    assert split_texts(["ก" * 12000]) == [["ก" * 5000, "ก" * 5000, "ก" * 2000]]


# --- e-mail through a real SMTP server on loopback ---------------------------------------------------------------

@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (the client trusts it as its CA file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    d = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    return d / "cert.pem", ctx


class Inbox:
    def __init__(self, refuse: set[str] = frozenset()):
        self.messages: list = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.rcpt_tos[:], message_from_bytes(envelope.content, policy=email_policy.default)))
        return "250 Message accepted for delivery"


def _auth(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"khet@district.go.th" and auth_data.password == b"s3cret-app-password"
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    """An ephemeral loopback port (aiosmtpd's Controller checks its server by connecting to the port it was
    given, so it cannot take port 0 itself)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(tls):
    cert, ctx = tls
    inbox = Inbox(refuse={"gone@school.ac.th"})
    port = free_port()
    c = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
                   authenticator=_auth, auth_required=True)
    c.start()
    yield inbox, SmtpSettings("127.0.0.1", port, "starttls", "khet@district.go.th", "khet@district.go.th",
                              str(cert), timeout=10)
    c.stop()


def test_email_over_starttls_with_login_and_thai_text(smtp, monkeypatch, caplog):
    inbox, settings = smtp
    monkeypatch.setenv("KHET_SMTP_PASSWORD", "s3cret-app-password")
    caplog.set_level(logging.DEBUG)
    with Mailer(settings) as m:
        a = m.send(to="school1@school.ac.th", subject="[Khet] โรงเรียนบ้าน\nหนองบัว: เกินกำหนดส่ง 1",
                   body="เรียน ผู้อำนวยการโรงเรียนบ้านหนองบัว\n- แผนปฏิบัติการประจำปี: เกินกำหนดส่ง", message_id="m1")
        b = m.send(to="gone@school.ac.th", subject="s", body="b", message_id="m2")
        c = m.send(to="school2@school.ac.th", subject="s2", body="b2", message_id="m3")
    assert (a.outcome, b.outcome, b.reason, c.outcome) == ("sent", "failed", "refused", "sent")
    assert [r for r, _ in inbox.messages] == [["school1@school.ac.th"], ["school2@school.ac.th"]]
    msg = inbox.messages[0][1]
    # The school's name could not add a header: the subject is one line (a space between two Thai encoded
    # words is dropped by every RFC 2047 decoder, this one included).
    assert msg["Subject"].replace(" ", "") == "[Khet]โรงเรียนบ้านหนองบัว:เกินกำหนดส่ง1" and len(msg.keys()) == 8
    assert msg.get_content_type() == "text/plain" and "แผนปฏิบัติการประจำปี" in msg.get_content()
    assert "m1" in msg["Message-ID"]
    assert "s3cret" not in caplog.text and "s3cret" not in repr(settings)


def test_wrong_password_is_an_auth_failure(smtp, monkeypatch):
    _, settings = smtp
    monkeypatch.setenv("KHET_SMTP_PASSWORD", "wrong")
    with Mailer(settings) as m:
        out = m.send(to="school1@school.ac.th", subject="s", body="b", message_id="m1")
    assert (out.outcome, out.reason) == ("failed", "auth")


def test_email_over_ssl(tls):
    cert, ctx = tls
    inbox = Inbox()
    port = free_port()
    c = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=ctx)
    c.start()
    try:
        with Mailer(SmtpSettings("127.0.0.1", port, "ssl", "khet@district.go.th", cafile=str(cert), timeout=10)) as m:
            assert m.send(to="a@school.ac.th", subject="ทดสอบ", body="สวัสดี", message_id="x").outcome == "sent"
    finally:
        c.stop()
    assert inbox.messages[0][1]["Subject"] == "ทดสอบ"


# --- LINE through the official SDK against the emulator ---------------------------------------------------------

@pytest.fixture
def line():
    with LineEmulator(quota=6) as emu:
        yield emu


def test_push_retry_key_quota_and_a_group_the_account_left(line):
    g1, g2 = line.add_group("เครือข่ายที่ 1"), line.add_group("เครือข่ายที่ 2")
    with LineSender(line.access_token, line.url) as s:
        key = "0b9a7a4e-3f43-4f5a-9b1e-2f6e1c1d2a11"
        assert s.push(g1, ["แจ้งเตือน <b>ไม่ใช่ markup</b>"], key).outcome == "sent"
        again = s.push(g1, ["แจ้งเตือน <b>ไม่ใช่ markup</b>"], key)
        assert again.outcome == "already_sent"          # LINE refuses the same retry key: delivered once
        assert s.group_name(g1) == "เครือข่ายที่ 1"
        line.leave(g2)
        left = s.push(g2, ["x"], "1b9a7a4e-3f43-4f5a-9b1e-2f6e1c1d2a11")
        assert (left.outcome, left.reason) == ("failed", "group_left")
        assert s.push(g1, ["1", "2", "3", "4", "5"], "2b9a7a4e-3f43-4f5a-9b1e-2f6e1c1d2a11").outcome == "sent"
        over = s.push(g1, ["7"], "3b9a7a4e-3f43-4f5a-9b1e-2f6e1c1d2a11")
        assert (over.outcome, over.reason) == ("failed", "quota")
        line.configure(quota=100, error_500=1.0)
        assert s.push(g1, ["x"], "4b9a7a4e-3f43-4f5a-9b1e-2f6e1c1d2a11").reason == "server"
    with LineSender("not-the-token", line.url) as bad:
        assert bad.push(g1, ["x"], "5b9a7a4e-3f43-4f5a-9b1e-2f6e1c1d2a11").reason == "auth"
    assert [p.texts for p in line.pushes(g1)] == [["แจ้งเตือน <b>ไม่ใช่ markup</b>"], ["1", "2", "3", "4", "5"]]
    assert line.counters()["usage"] == 6


def test_the_group_id_is_captured_from_the_signed_join_event(line):
    import threading
    import urllib.error
    import urllib.request

    from sync.commands.line import capture

    urls: list[str] = []
    got: list[str] = []
    t = threading.Thread(target=lambda: got.extend(capture(line.channel_secret, count=1, timeout=20,
                                                           ready=urls.append)))
    t.start()
    while not urls:
        pass
    forged = urllib.request.Request(urls[0], data=b'{"destination":"x","events":[]}', method="POST",
                                    headers={"X-Line-Signature": "bm90IHRoZSBzaWduYXR1cmU=",
                                             "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=5)
    assert refused.value.code == 400
    gid = line.invite("กลุ่มโรงเรียน เครือข่ายที่ 1", webhook=urls[0])
    t.join(10)
    assert got == [gid] and gid.startswith("C") and len(gid) == 33


# --- the whole flow from the history -----------------------------------------------------------------------------

SCHOOLS = [School("1048000001", "โรงเรียนบ้านหนองบัว", "s1@school.ac.th", "เครือข่ายที่ 1", "sheet-1"),
           School("1048000002", "โรงเรียนบ้านโนนสูง", "gone@school.ac.th", "เครือข่ายที่ 1", "sheet-2"),
           School("1048000003", "โรงเรียนบ้านดอนตาล", "s3@school.ac.th", "เครือข่ายที่ 2", "sheet-3"),
           School("1048000004", "โรงเรียนบ้านนาแก", "s4@school.ac.th", "เครือข่ายที่ 2", "sheet-4")]


@pytest.fixture
def office(tmp_path, line):
    """A history with one finished run (every school overdue on the action plan), a registry in which school 4
    opted out, and a staff workbook naming one LINE group per network."""
    h = History(tmp_path / "history.sqlite")
    run = h.begin_run(trigger="test", fiscal_year=2569)
    h.record_statuses(run, [{"school_code": s.code, "report_key": "action_plan", "fiscal_year": 2569,
                             "due": D(2026, 5, 31), "status": "overdue", "errors": 0} for s in SCHOOLS])
    h.end_run(run, status="success", exit_code=0)
    reg = tmp_path / "registry.csv"
    write_csv_registry(reg, SCHOOLS)
    text = reg.read_text(encoding="utf-8-sig").splitlines()
    head = text[1].split(",")
    rows = [r.split(",") for r in text[2:]]
    rows[3][head.index("reminders")] = "ไม่ใช่"
    reg.write_text("\n".join([text[0], text[1], *(",".join(r) for r in rows)]) + "\n", encoding="utf-8-sig")
    staff = save_staff_workbook(tmp_path / "khet-staff.xlsx")
    g1, g2 = line.add_group("ประสานงานเครือข่ายที่ 1"), line.add_group("ประสานงานเครือข่ายที่ 2")
    append_rows(staff, "line_groups", [{"group_id": g1, "group_name": "ประสานงานเครือข่ายที่ 1", "network": "เครือข่ายที่ 1"},
                                       {"group_id": g2, "group_name": "ประสานงานเครือข่ายที่ 2", "network": "เครือข่ายที่ 2"}])
    yield h, load_registry(reg), staff, (g1, g2)
    h.close()


MONDAY_9 = dt.datetime(2026, 7, 20, 9, 0, tzinfo=TIMEZONE)


def test_remind_sends_each_digest_once_and_retries_a_failure_next_run(office, smtp, line, monkeypatch):
    h, registry, staff, (g1, g2) = office
    inbox, settings = smtp
    monkeypatch.setenv("KHET_SMTP_PASSWORD", "s3cret-app-password")
    groups = line_groups(staff)
    p = plan(last_statuses(h), registry, groups, now=MONDAY_9, policy=POLICY, email=True, line=True,
             district="สพป.ตัวอย่าง")
    assert [(m.channel, m.target) for m in p.messages] == [
        ("email", "s1@school.ac.th"), ("email", "gone@school.ac.th"), ("email", "s3@school.ac.th"),
        ("line", g1), ("line", g2)]
    assert p.skipped == [("1048000004", "โรงเรียนขอไม่รับการแจ้งเตือน", "the school opted out of reminders")]
    outbox = Outbox(h)
    line.configure(error_500=1.0)  # LINE is down this morning
    with Mailer(settings) as m, LineSender(line.access_token, line.url) as ls:
        first = deliver(p, outbox, mailer=m, line=ls, now=MONDAY_9)
    assert (first.sent, len(first.failed), first.new) == (2, 3, 5)
    assert sorted(out.reason for _, out in first.failed) == ["refused", "server", "server"]
    # Run again at 11:00, LINE back: today's digests are not made again, the failures are retried once.
    line.configure(error_500=0.0)
    again = plan(last_statuses(h), registry, groups, now=MONDAY_9.replace(hour=11), policy=POLICY, email=True,
                 line=True)
    with Mailer(settings) as m, LineSender(line.access_token, line.url) as ls:
        second = deliver(again, outbox, mailer=m, line=ls, now=MONDAY_9.replace(hour=11))
    assert (second.new, second.repeats, second.sent, len(second.failed)) == (0, 5, 2, 1)
    assert len(inbox.messages) == 2 and [len(line.pushes(g)) for g in (g1, g2)] == [1, 1]
    text = line.pushes(g1)[0].texts[0]
    assert "โรงเรียนบ้านหนองบัว (1048000001)" in text and "https://docs.google.com/spreadsheets/d/sheet-1/edit" in text
    assert "โรงเรียนบ้านนาแก" not in line.pushes(g2)[0].texts[0]  # opted out
    log = {(r["channel"], r["target"]): (r["state"], r["attempts"]) for r in outbox.messages()}
    assert log[("email", "gone@school.ac.th")] == ("failed", 2) and log[("line", g1)] == ("sent", 2)
    # The next day the bouncing address is not retried on top of a new digest: yesterday's is superseded.
    tuesday = plan(last_statuses(h), registry, groups, now=MONDAY_9 + dt.timedelta(days=1), policy=POLICY,
                   email=True, line=True)
    assert tuesday.messages == []  # overdue: weekly, so nothing new on Tuesday
    with Mailer(settings) as m, LineSender(line.access_token, line.url) as ls:
        third = deliver(tuesday, outbox, mailer=m, line=ls, now=MONDAY_9 + dt.timedelta(days=1))
    assert (third.sent, len(third.failed)) == (0, 1)  # still the one bouncing address, retried


def test_quiet_hours_and_days_off_send_nothing_and_dry_run_prints_exactly(office):
    h, registry, staff, _ = office
    night = plan(last_statuses(h), registry, line_groups(staff), now=MONDAY_9.replace(hour=2), policy=POLICY,
                 email=True, line=True)
    assert night.messages == [] and "07:00" in night.blocked_th
    sunday = plan(last_statuses(h), registry, [], now=MONDAY_9 - dt.timedelta(days=1), policy=POLICY, email=True,
                  line=False)
    assert sunday.messages == [] and "วันหยุด" in sunday.blocked_th
    p = plan(last_statuses(h), registry, line_groups(staff), now=MONDAY_9, policy=POLICY, email=True, line=True)
    text = "\n".join(describe(p))
    assert "== email → s1@school.ac.th (โรงเรียนบ้านหนองบัว)" in text and "Subject: [Khet] โรงเรียนบ้านหนองบัว" in text
    assert "ข้าม 1048000004" in text


def test_khet_remind_dry_run_cli(office, tmp_path):
    h, registry, staff, _ = office
    cfg = tmp_path / "khet.toml"
    cfg.write_text(f'[paths]\nhistory_db = "{tmp_path / "history.sqlite"}"\nregistry = "{registry.path}"\n'
                   f'staff_workbook = "{staff}"\n[smtp]\nsmtp_host = "127.0.0.1"\nsmtp_sender = "khet@x.go.th"\n',
                   encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "sync.cli", "remind", "--dry-run", "--config", str(cfg), "--at",
                          "2026-07-20T09:00"], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).parent.parent)
    assert out.returncode == 0, out.stderr
    assert "== email → s3@school.ac.th" in out.stdout and "dry run: nothing sent or recorded" in out.stdout
    assert Outbox(h).messages() == []


def test_announcements_per_network_for_pasting_written_to_the_staff_tab(office, tmp_path):
    import openpyxl

    from sync.remind import announcements
    from sync.staff_rows import replace_rows

    h, registry, staff, _ = office
    texts = announcements(last_statuses(h), registry, line_groups(staff), day=D(2026, 7, 21), policy=POLICY,
                          district="สพป.ตัวอย่าง")
    assert [(t["network"], t["group_name"], t["schools"]) for t in texts] == [
        ("เครือข่ายที่ 1", "ประสานงานเครือข่ายที่ 1", 2), ("เครือข่ายที่ 2", "ประสานงานเครือข่ายที่ 2", 1)]
    assert "โรงเรียนบ้านโนนสูง (1048000002)\n- แผนปฏิบัติการประจำปี (กำหนดส่ง 31 พ.ค. 2569): เกินกำหนดส่ง" in texts[0]["text"]
    replace_rows(staff, "announcements", [{k: t[k] for k in ("network", "group_name", "text", "made_on")}
                                          for t in texts])
    ws = openpyxl.load_workbook(staff)["ข้อความประกาศ"]
    assert [ws.cell(r, 1).value for r in (3, 4, 5)] == ["เครือข่ายที่ 1", "เครือข่ายที่ 2", None]
    assert ws.cell(3, 3).value == texts[0]["text"]


def test_the_reminder_policy_comes_from_the_settings_sheets_and_the_daemon_sends_at_its_time(tmp_path):
    """แจ้งเตือนล่วงหน้า / เวลาส่งแจ้งเตือน / งดส่งแจ้งเตือน on the settings' district tab: the policy `khet remind`
    uses, and the daemon's daily reminder job at that time (a bad value is a finding at its cell)."""
    import datetime as dt
    from types import SimpleNamespace

    import openpyxl

    from addin.settings import load_settings
    from sync.commands.settings import main as settings_main
    from sync.daemon import Daemon
    from sync.remind import policy_from_config, remind_time
    from workbook.settings import DISTRICT

    path = tmp_path / "settings.xlsx"
    assert settings_main(["example", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    ws = wb[DISTRICT.title_th]
    col = {c.key: i + 1 for i, c in enumerate(DISTRICT.columns)}
    ws.cell(3, col["remind_days_before"], "5, 1")
    ws.cell(3, col["remind_at"], "07:45")
    ws.cell(3, col["remind_quiet_hours"], "19:00-06:30")
    wb.save(path)
    cfg = SimpleNamespace(settings=path, remind_days_before="3", remind_quiet_hours="20:00-07:00")
    policy = policy_from_config(cfg)
    assert policy.days_before == (1, 5) and (policy.quiet_start, policy.quiet_end) == (dt.time(19), dt.time(6, 30))
    assert remind_time(cfg) == "07:45"
    # Without a settings file, khet.toml's [remind] still holds.
    assert policy_from_config(SimpleNamespace(settings=None, remind_days_before="2",
                                              remind_quiet_hours="21:00-07:00")).days_before == (2,)
    sent = []
    d = Daemon(lambda trigger: 0, data_dir=tmp_path, remind=lambda: sent.append(1) or 0, remind_at=remind_time(cfg))
    assert d.remind_job.at_time == dt.time(7, 45)
    d.remind_job.run()
    assert sent == [1] and d.reminded == [0]
    ws.cell(3, col["remind_at"], "7.45 น.")
    wb.save(path)
    settings, findings = load_settings(path)
    assert settings is None and any(f.cell == f"{DISTRICT.letter('remind_at')}3" for f in findings)
