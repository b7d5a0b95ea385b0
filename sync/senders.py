"""The two ways a reminder leaves the office — thin adapters, each returning an outcome and never raising for
one message's failure:

- **E-mail** through SMTP (stdlib ``smtplib``): STARTTLS (port 587) or SSL (465), or plain for a relay on the
  same network; the user from the configuration and the password ONLY from ``KHET_SMTP_PASSWORD`` — neither
  is ever logged or printed. Plain-text UTF-8 body (never HTML: no school text is ever markup), the outbox id
  as ``Message-ID``. A bounce arrives later as an e-mail to the sender; what is recorded here is whether the
  server accepted the message.
- **LINE** through the official ``line-bot-sdk`` v3 (``MessagingApi.push_message``) to group IDs, the
  channel access token ONLY from ``KHET_LINE_TOKEN``; ``[line] line_endpoint`` points it elsewhere (the LINE
  emulator in tests and the demo). The outbox id is the ``X-Line-Retry-Key``: a retried push LINE already
  accepted comes back 409 and is recorded as ``already_sent``, never delivered twice.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from workbook.errors import KhetError

log = logging.getLogger("khet.remind")
LINE_API = "https://api.line.me"
MAX_TEXT = 5000   # LINE: characters per text message
MAX_MESSAGES = 5  # LINE: messages per push


@dataclass(frozen=True)
class Outcome:
    outcome: str               # sent | already_sent | failed
    reason: str | None = None  # auth | quota | group_left | refused | connection | server
    detail: str | None = None

    @property
    def done(self) -> bool:
        return self.outcome in ("sent", "already_sent")


class SendSetupError(KhetError):
    code = "remind.setup"


# --- e-mail ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"   # starttls | ssl | none
    sender: str = ""
    user: str = ""
    cafile: str | None = None    # a private CA (a district relay, the tests' server)
    timeout: float = 30.0

    def __repr__(self) -> str:  # no password here at all; the user is shown, the password never
        return f"SmtpSettings(host={self.host!r}, port={self.port}, security={self.security!r}, user={self.user!r})"


def _password() -> str:
    return os.environ.get("KHET_SMTP_PASSWORD", "")


class Mailer:
    """One SMTP connection for a run's e-mails (``with Mailer(settings) as m: m.send(...)``)."""

    def __init__(self, settings: SmtpSettings):
        if settings.security not in ("starttls", "ssl", "none"):
            raise SendSetupError(message_th=f"smtp_security ต้องเป็น starttls, ssl หรือ none (ไม่ใช่ {settings.security})",
                                 message_en=f"smtp_security must be starttls, ssl or none (not {settings.security})")
        if not settings.sender:
            raise SendSetupError(message_th="ยังไม่ได้ตั้งอีเมลผู้ส่ง (smtp_sender)", message_en="no sender set (smtp_sender)")
        if settings.user and not _password():
            raise SendSetupError(message_th="ตั้งผู้ใช้ SMTP แล้วแต่ไม่มีรหัสผ่านในตัวแปร KHET_SMTP_PASSWORD",
                                 message_en="an SMTP user is set but KHET_SMTP_PASSWORD is empty")
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=self._context())
        if s.user:
            smtp.login(s.user, _password())
        return smtp

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None

    def send(self, *, to: str, subject: str, body: str, message_id: str) -> Outcome:
        msg = EmailMessage()
        msg["Subject"] = " ".join(subject.split())  # one line: a school name can never add a header
        msg["From"] = self.settings.sender
        msg["To"] = to
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(idstring=message_id, domain="khet.local")
        msg.set_content(body)  # text/plain; charset="utf-8"
        for attempt in (1, 2):  # a connection the server closed since the last message is opened again once
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                refused = self._smtp.send_message(msg)
                if refused:
                    return Outcome("failed", "refused", "; ".join(f"{k}: {v}" for k, v in refused.items()))
                return Outcome("sent")
            except smtplib.SMTPServerDisconnected as exc:
                self._smtp = None
                if attempt == 2:
                    return Outcome("failed", "connection", str(exc))
            except smtplib.SMTPAuthenticationError as exc:
                self._smtp = None
                return Outcome("failed", "auth", f"{exc.smtp_code} {exc.smtp_error!r}")
            except smtplib.SMTPRecipientsRefused as exc:
                return Outcome("failed", "refused", "; ".join(f"{k}: {v}" for k, v in exc.recipients.items()))
            except smtplib.SMTPResponseException as exc:
                return Outcome("failed", "refused" if 500 <= exc.smtp_code < 600 else "server",
                               f"{exc.smtp_code} {exc.smtp_error!r}")
            except (smtplib.SMTPException, OSError) as exc:
                self._smtp = None
                return Outcome("failed", "connection", f"{type(exc).__name__}: {exc}")
        return Outcome("failed", "connection")


# --- LINE -----------------------------------------------------------------------------------------------------

def line_token() -> str:
    return os.environ.get("KHET_LINE_TOKEN", "")


class LineSender:
    """Pushes to LINE groups through the official SDK."""

    def __init__(self, token: str | None = None, endpoint: str | None = None):
        from linebot.v3.messaging import ApiClient, Configuration, MessagingApi

        token = token if token is not None else line_token()
        if not token:
            raise SendSetupError(message_th="ไม่มี channel access token ของ LINE ในตัวแปร KHET_LINE_TOKEN",
                                 message_en="no LINE channel access token in KHET_LINE_TOKEN")
        self._client = ApiClient(Configuration(host=endpoint or LINE_API, access_token=token))
        self.api = MessagingApi(self._client)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> LineSender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def push(self, to: str, texts: list[str], retry_key: str) -> Outcome:
        from linebot.v3.messaging import ApiException, PushMessageRequest, TextMessage

        try:
            self.api.push_message(PushMessageRequest(to=to, messages=[TextMessage(text=t) for t in texts]),
                                  x_line_retry_key=retry_key)
            return Outcome("sent")
        except ApiException as exc:
            detail = f"{exc.status} {(exc.body or '')[:300]}"
            if exc.status == 409:
                return Outcome("already_sent", None, detail)
            if exc.status in (401, 403):
                return Outcome("failed", "auth", detail)
            if exc.status == 429:
                return Outcome("failed", "quota", detail)
            if exc.status == 400 and "Failed to send messages" in (exc.body or ""):
                return Outcome("failed", "group_left", detail)
            if exc.status >= 500:
                return Outcome("failed", "server", detail)
            return Outcome("failed", "refused", detail)
        except Exception as exc:  # noqa: BLE001 - urllib3 connection errors of every kind: retried next run
            return Outcome("failed", "connection", f"{type(exc).__name__}: {exc}")

    def group_name(self, group_id: str) -> str | None:
        from linebot.v3.messaging import ApiException

        try:
            return self.api.get_group_summary(group_id).group_name
        except ApiException:
            return None


def split_texts(sections: list[str], limit: int = MAX_TEXT) -> list[list[str]]:
    """Sections (one per school) packed into text messages of at most ``limit`` characters, five per push; a
    single section longer than the limit is cut at line breaks (a longer line at the limit)."""
    parts = [p for sec in sections for p in ([sec] if len(sec) <= limit else _cut_lines(sec, limit))]
    texts = _pack(parts, "\n\n", limit)
    return [texts[i:i + MAX_MESSAGES] for i in range(0, len(texts), MAX_MESSAGES)]


def _cut_lines(text: str, limit: int) -> list[str]:
    lines = [line[i:i + limit] for line in text.split("\n") for i in range(0, max(len(line), 1), limit)]
    return _pack(lines, "\n", limit)


def _pack(pieces: list[str], sep: str, limit: int) -> list[str]:
    """Join consecutive pieces with ``sep`` while the text stays within ``limit``."""
    out, current = [], ""
    for piece in pieces:
        if current and len(current) + len(sep) + len(piece) > limit:
            out.append(current)
            current = piece
        else:
            current = f"{current}{sep}{piece}" if current else piece
    if current:
        out.append(current)
    return out


REASON_TH = {
    "auth": "บัญชี/รหัสผ่านหรือ token ไม่ถูกต้อง ตรวจ KHET_SMTP_PASSWORD / KHET_LINE_TOKEN",
    "quota": "เกินโควตาข้อความของ LINE Official Account เดือนนี้ (จะลองใหม่รอบถัดไป) หรือใช้ข้อความประกาศแทน",
    "group_left": "บัญชี Official Account ไม่อยู่ในกลุ่ม LINE นี้แล้ว เชิญเข้ากลุ่มใหม่และบันทึกรหัสกลุ่มด้วย khet line capture",
    "refused": "ผู้รับถูกปฏิเสธ (อีเมลผิดหรือไม่มีอยู่) แก้อีเมลในทะเบียนโรงเรียน",
    "connection": "เชื่อมต่อเซิร์ฟเวอร์ไม่ได้ จะลองใหม่รอบถัดไป",
    "server": "เซิร์ฟเวอร์ขัดข้อง จะลองใหม่รอบถัดไป",
}
