"""Staff sign-in: each staff PC reaches the district sheet as its staff member's own Google account.

google-auth-oauthlib's installed-app flow (``InstalledAppFlow.run_local_server``): the browser opens Google's
sign-in for ``[office] account`` (``login_hint``), Google redirects to a loopback port on this PC with a code,
the code is exchanged (PKCE) for an access token and a refresh token. Scope: ``spreadsheets`` only — the
narrowest that can append a row to the district sheet; no Drive scope, so a staff token cannot list, copy,
share or delete files. The refresh token is cached per user of the PC (``%APPDATA%\\Khet\\signin`` on Windows,
``~/.config/khet/signin`` elsewhere, or ``[office] token_dir``), readable by that user only; the buttons use it
without a browser until it is revoked.

With Sheets-only scope Google does not say who signed in, so the sign-in proves it instead: it rewrites one
cell of the account's own requests tab (protected: only that account and the job host may edit it). Signing in
with another account than the one named fails there, with a clear message, before anything is cached.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from sync.gclient import AUTH
from workbook.errors import KhetError

SCOPES_STAFF = (AUTH + "spreadsheets",)
TOKEN_FILE = "staff-signin.json"


def token_dir(cfg) -> Path:
    if cfg.token_dir:
        return Path(cfg.token_dir)
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "Khet" / "signin"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "khet" / "signin"


def token_path(cfg) -> Path:
    return token_dir(cfg) / TOKEN_FILE


def _client_config(cfg) -> dict:
    path = cfg.oauth_client
    if not path or not Path(path).is_file():
        raise KhetError("office.no_oauth_client",
                        f"ไม่พบไฟล์ OAuth client สำหรับลงชื่อเข้าใช้ ([office] oauth_client = {path or 'ยังไม่ได้ตั้ง'}) "
                        "ขอไฟล์จากผู้ดูแลระบบ",
                        f"no OAuth client file for sign-in ([office] oauth_client = {path or 'not set'}); ask IT",
                        path=str(path or ""))
    return json.loads(Path(path).read_text(encoding="utf-8-sig"))


def _allow_loopback_http(client_config: dict) -> None:
    # oauthlib insists on https; the emulator's token endpoint is plain http on loopback (never Google's).
    section = client_config.get("installed") or client_config.get("web") or {}
    host = urlsplit(section.get("token_uri", "")).hostname
    if host in ("127.0.0.1", "localhost", "::1"):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def sign_in(cfg, account: str | None = None, *, open_browser: bool = True, browser: str | None = None,
            timeout: float = 300, client=None):
    """Run the browser sign-in for `account`, prove it on the account's requests tab, cache the token."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    account = (account or cfg.staff_account or "").strip().lower()
    if "@" not in account:
        raise KhetError("office.no_account", "ระบุบัญชี Google ของเจ้าหน้าที่ ([office] account หรือ --account)",
                        "name the staff member's Google account ([office] account or --account)")
    config = _client_config(cfg)
    _allow_loopback_http(config)
    flow = InstalledAppFlow.from_client_config(config, scopes=list(SCOPES_STAFF))
    creds = flow.run_local_server(
        host="localhost", port=0, open_browser=open_browser, browser=browser, login_hint=account,
        timeout_seconds=timeout,
        authorization_prompt_message=f"เปิดเบราว์เซอร์เพื่อลงชื่อเข้าใช้ {account} / sign in as {account}: {{url}}",
        success_message="ลงชื่อเข้าใช้ Khet เรียบร้อย ปิดหน้านี้ได้ / Signed in to Khet: you may close this window.")
    prove(cfg, client or _gspread(cfg, creds), account)
    save(cfg, account, creds)
    return creds


def prove(cfg, client, account: str) -> None:
    """Rewrite the key cell of the account's own requests tab: only that account (and the host) may."""
    from gspread.exceptions import APIError
    from openpyxl.utils import quote_sheetname

    from workbook.control import REQUESTS, requests_title

    if not cfg.district_spreadsheet_id:
        return
    title = requests_title(account)
    try:
        client.http_client.values_update(cfg.district_spreadsheet_id, f"{quote_sheetname(title)}!A{REQUESTS.key_row}",
                                         params={"valueInputOption": "RAW"}, body={"values": [[REQUESTS.keys()[0]]]})
    except APIError as exc:
        message = str(exc.error.get("message", ""))
        if "protected" in message:
            raise KhetError("office.wrong_account",
                            f"บัญชีที่ลงชื่อเข้าใช้ในเบราว์เซอร์ไม่ใช่ {account} ลงชื่อเข้าใช้ใหม่ด้วยบัญชีนั้น",
                            f"the account signed in at the browser is not {account}; sign in again with it") from None
        if "Unable to parse range" in message:
            raise KhetError("office.no_tab",
                            f"ยังไม่มีแท็บคำขอของ {account}: ให้ผู้ดูแลแชร์สเปรดชีตของเขตให้บัญชีนี้เป็นผู้แก้ไข แล้วสั่ง "
                            "khet office setup บนเครื่องประมวลผล",
                            f"no requests tab for {account} yet: share the district sheet with it as an editor, then "
                            "run khet office setup on the job host") from None
        if exc.code in (403, 404):
            raise KhetError("office.no_rights", f"บัญชี {account} ยังไม่ได้รับแชร์สเปรดชีตของเขตเป็นผู้แก้ไข",
                            f"{account} has not been given edit access to the district sheet") from None
        raise


def save(cfg, account: str, creds) -> Path:
    path = token_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"account": account, "credentials": json.loads(creds.to_json())}, indent=2)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the refresh token is this user's alone
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return path


def load(cfg):
    """(credentials, account) from this user's cache, or KhetError saying to sign in."""
    from google.oauth2.credentials import Credentials

    path = token_path(cfg)
    if not path.is_file():
        raise KhetError("office.not_signed_in",
                        "เครื่องนี้ยังไม่ได้ลงชื่อเข้าใช้ Google ของเจ้าหน้าที่: สั่ง khet office signin (ครั้งเดียว)",
                        "this PC has no staff sign-in yet: run khet office signin (once)", path=str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    info = data["credentials"]
    _allow_loopback_http({"installed": {"token_uri": info.get("token_uri", "")}})
    return Credentials.from_authorized_user_info(info, scopes=list(SCOPES_STAFF)), data["account"]


def _gspread(cfg, creds):
    from sync.gclient import connect_credentials
    from sync.http import paced_client_from_config

    endpoint = cfg.endpoint if cfg.endpoint and cfg.endpoint != "emulator" else None
    return connect_credentials(creds, endpoint=endpoint, http_client=paced_client_from_config(cfg),
                               timeout=cfg.timeout)


def staff_client(cfg, stack: ExitStack):
    """(gspread client signed in as the staff member, account) — for a staff PC's requests and pulls."""
    from google.auth.exceptions import RefreshError

    creds, account = load(cfg)
    client = _gspread(cfg, creds)

    def keep_fresh(exc_type, exc, tb) -> bool:
        if exc_type is None and creds.token:
            save(cfg, account, creds)  # a refreshed access token saves the next click a token request
        if isinstance(exc, RefreshError):  # revoked, or the password changed: say what to do
            raise KhetError("office.signin_expired",
                            "การลงชื่อเข้าใช้ Google ของเครื่องนี้หมดอายุหรือถูกยกเลิก: สั่ง khet office signin ใหม่",
                            "this PC's Google sign-in expired or was revoked: run khet office signin again") from exc
        return False
    stack.push(keep_fresh)
    return client, account
