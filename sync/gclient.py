"""The one way Khet talks to Google: gspread over a google-auth service-account session.

Pointing Khet at the local emulator is configuration only: `endpoint="http://127.0.0.1:PORT"` mounts a
requests
transport adapter that rewrites Google's API hosts to that URL; the key file's `token_uri` sends sign-in
there.
Every other line of code is identical to production. Drive calls gspread lacks (changes feed, files.get,
files.list with our own query) go through the same `client.http_client.request`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import gspread
import requests
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account
from requests.adapters import HTTPAdapter

AUTH = "https://www.googleapis.com/auth/"
# Reading school sheets and discovering which changed (Drive metadata only — no file contents via Drive).
SCOPES_READ = (AUTH + "spreadsheets.readonly", AUTH + "drive.metadata.readonly")
# The nightly job: reads schools and writes the district summary and feedback sheets (needs `spreadsheets`);
# Drive stays read-only metadata, so a leaked nightly key cannot copy, share or delete files.
SCOPES_WRITE = (AUTH + "spreadsheets", AUTH + "drive.metadata.readonly")
# Provisioning: copy the template, share with each school, organise folders.
SCOPES_PROVISION = (AUTH + "spreadsheets", AUTH + "drive")

# google-auth also asks iamcredentials for the account's "regional access boundary" after each sign-in; a
# staff member's refresh goes to oauth2.googleapis.com (google-auth ignores a cached token_uri on purpose).
GOOGLE_HOSTS = (
    "https://sheets.googleapis.com",
    "https://www.googleapis.com",
    "https://iamcredentials.googleapis.com",
    "https://oauth2.googleapis.com",
)
DRIVE_BASE = "https://www.googleapis.com/drive/v3/"
SHEETS_BASE = "https://sheets.googleapis.com/v4/spreadsheets/"


def drive_url(path: str) -> str:
    """`drive_url("changes/startPageToken")` → the Drive v3 URL (rewritten to the emulator when
    configured).
    """
    return DRIVE_BASE + path.lstrip("/")


def sheets_url(path: str) -> str:
    return SHEETS_BASE + path.lstrip("/")


class EndpointAdapter(HTTPAdapter):
    """Sends requests for Google's API hosts to another base URL (the emulator), keeping path and query."""

    def __init__(self, endpoint: str, **kw):
        super().__init__(**kw)
        self.target = urlsplit(endpoint.rstrip("/"))

    def send(self, request, **kw):
        parts = urlsplit(request.url)
        request.url = urlunsplit(
            (
                self.target.scheme,
                self.target.netloc,
                self.target.path + parts.path,
                parts.query,
                parts.fragment,
            )
        )
        return super().send(request, **kw)


def connect(
    key_file: str | Path,
    scopes: Sequence[str],
    *,
    endpoint: str | None = None,
    http_client: type[gspread.HTTPClient] = gspread.HTTPClient,
    timeout: float | None = 60,
) -> gspread.Client:
    """A gspread client for the service account in `key_file`, with exactly `scopes`."""
    creds = service_account.Credentials.from_service_account_file(str(key_file), scopes=list(scopes))
    return connect_credentials(creds, endpoint=endpoint, http_client=http_client, timeout=timeout)


def connect_credentials(
    creds,
    *,
    endpoint: str | None = None,
    http_client: type[gspread.HTTPClient] = gspread.HTTPClient,
    timeout: float | None = 60,
) -> gspread.Client:
    """A gspread client for any google-auth credentials: a service account, or a staff member's own sign-in
    (`sync.control.signin`)."""
    if endpoint:
        adapter = EndpointAdapter(endpoint, pool_connections=4, pool_maxsize=32)
        auth_session = requests.Session()  # google-auth's own calls (token, boundary lookup) go there too
        session = AuthorizedSession(creds, auth_request=Request(auth_session))
        for target in (session, auth_session):
            for host in GOOGLE_HOSTS:
                target.mount(host, adapter)
    else:
        session = AuthorizedSession(creds)
    client = gspread.Client(auth=creds, session=session, http_client=http_client)
    client.http_client.auth = creds  # gspread sets this only when it builds the session itself
    client.set_timeout(timeout)
    return client


def get_file(client: gspread.Client, file_id: str, fields: str = "id,name,mimeType,modifiedTime") -> dict:
    return client.http_client.request(
        "get", drive_url(f"files/{file_id}"), params={"fields": fields, "supportsAllDrives": True}
    ).json()


def list_files(
    client: gspread.Client, q: str, fields: str = "id,name,modifiedTime", order_by: str | None = None
) -> Iterator[dict]:
    """Every file matching Drive query `q`, 1000 per request, following nextPageToken."""
    params: dict = {
        "q": q,
        "pageSize": 1000,
        "fields": f"nextPageToken,files({fields})",
        "supportsAllDrives": True,
        "includeItemsFromAllDrives": True,
    }
    if order_by:
        params["orderBy"] = order_by
    while True:
        page = client.http_client.request("get", drive_url("files"), params=params).json()
        yield from page.get("files", [])
        if not page.get("nextPageToken"):
            return
        params["pageToken"] = page["nextPageToken"]


def start_page_token(client: gspread.Client) -> str:
    return client.http_client.request(
        "get", drive_url("changes/startPageToken"), params={"supportsAllDrives": True}
    ).json()["startPageToken"]


def list_changes(
    client: gspread.Client,
    page_token: str,
    fields: str = "nextPageToken,newStartPageToken,changes(fileId,removed,time,file(id,name,"
    "mimeType,parents,modifiedTime,trashed))",
) -> tuple[list[dict], str]:
    """All changes since `page_token`: (changes, the token to start from next time)."""
    changes: list[dict] = []
    params: dict = {
        "pageToken": page_token,
        "pageSize": 1000,
        "fields": fields,
        "supportsAllDrives": True,
        "includeItemsFromAllDrives": True,
    }
    while True:
        page = client.http_client.request("get", drive_url("changes"), params=params).json()
        changes += page.get("changes", [])
        if "newStartPageToken" in page:
            return changes, page["newStartPageToken"]
        params["pageToken"] = page["nextPageToken"]
