"""A local Google Sheets v4 / Drive v3 / OAuth2 emulator on loopback, so Khet's real gspread + google-auth
code
runs in tests, benchmarks and `khet demo` without Google. See README section "Google emulator".

    with Emulator() as emu:
        key = emu.service_account()
        gc = sync.gclient.connect(key, SCOPES_PROVISION, endpoint=emu.url)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .a1 import col_letters
from .auth import TokenIssuer, new_service_account
from .limits import FAULT_KEYS, Counters, Limits
from .oauth import OAuthUsers
from .server import serve
from .state import Store, rfc3339

__all__ = ["Emulator", "DEFAULT_ACCOUNT"]

DEFAULT_ACCOUNT = "khet-sync@khet-district.iam.gserviceaccount.com"


class Emulator:
    DEFAULT_ACCOUNT = DEFAULT_ACCOUNT

    def __init__(
        self,
        port: int = 0,
        db: str | Path | None = None,
        seed: int = 0,
        user_quota: int = 60,
        project_quota: int = 300,
        minute_seconds: float = 60.0,
        latency: float = 0.0,
        token_ttl: int = 3600,
        host: str = "127.0.0.1",
        key_dir: str | Path | None = None,
        **faults,
    ):
        unknown = set(faults) - set(FAULT_KEYS) - {"drive_user_quota", "drive_project_quota"}
        if unknown:
            raise TypeError(f"unknown emulator options: {sorted(unknown)}")
        self.host, self.port = host, port
        self.store = Store(db, seed)
        self.issuer = TokenIssuer(self.store, token_ttl)
        self.issuer.users = self.oauth = OAuthUsers(self.store, self.issuer.issue)
        self.limits = Limits(
            seed=seed, user_quota=user_quota, project_quota=project_quota, minute_seconds=minute_seconds
        )
        self.limits.configure(latency=latency, **faults)
        self.counting = Counters()
        self._own_key_dir = key_dir is None
        self.key_dir = Path(key_dir) if key_dir else Path(tempfile.mkdtemp(prefix="khet-emulator-keys-"))
        self._server = None
        self._thread = None

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is None:
            self._server, self._thread = serve(self, self.host, self.port)
            self.port = self._server.server_address[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            self._server = None
        self.store.close()
        if self._own_key_dir:
            shutil.rmtree(self.key_dir, ignore_errors=True)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    # -- accounts ------------------------------------------------------------------------------------------
    def service_account(self, email: str = DEFAULT_ACCOUNT, path: str | Path | None = None) -> Path:
        """A fresh key for `email` (registered with the emulator), written as a Google key JSON file."""
        target = Path(path) if path else self.key_dir / f"{email.split('@')[0]}.json"
        return new_service_account(self.store, email, self.token_uri, target)

    def user(self, email: str) -> str:
        """A person's Google account (a staff member, a school clerk) who can sign in at the browser."""
        return self.oauth.add_user(email)

    def oauth_client(self, path: str | Path | None = None) -> dict:
        """A Desktop-app OAuth client for the installed-app flow (written to `path` if given)."""
        return self.oauth.new_client(self.url, Path(path) if path else None)

    # -- quotas, faults, counters, clock ---
    def configure(self, **settings) -> dict:
        if "token_ttl" in settings:
            self.issuer.token_ttl = int(settings.pop("token_ttl"))
        out = self.limits.configure(**settings)
        return dict(out, token_ttl=self.issuer.token_ttl)

    def settings(self) -> dict:
        return dict(self.limits.settings(), token_ttl=self.issuer.token_ttl)

    def counters(self) -> dict:
        return self.counting.snapshot()

    def reset_counters(self) -> None:
        self.counting.reset()

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward (tokens expire, quota windows turn, modifiedTime moves)."""
        with self.store.lock:
            self.store.offset += seconds

    def set_file_clock(self, when=None) -> None:
        """Stamp file changes as made at ``when`` (an aware datetime; None = the real clock again), the same
        moment until the next call: a simulated year (the demo, tests, benchmarks) gets Drive modifiedTimes of its
        own calendar, reproducibly, while tokens and quotas keep the real clock. A file's modifiedTime still moves
        forward on every change (by a millisecond at least), as Google's does."""
        with self.store.lock:
            self.store.file_clock_ms = None if when is None else int(when.timestamp() * 1000)

    def formula_cells(self, file_id: str) -> list[tuple[str, str, str]]:
        """(sheet title, A1 cell, formula) of every formula in a spreadsheet — to prove school text never
        became a formula downstream."""
        with self.store.lock:
            f = self.store.files[file_id]
            return [
                (s.title, f"{col_letters(c)}{r + 1}", cell.value)
                for s in f.spreadsheet.sheets
                for r in sorted(s.rows)
                for c, cell in sorted(s.rows[r].items())
                if cell.kind == "f"
            ]

    def files(self) -> list[dict]:
        """Every Drive file (for inspection and the demo), without access checks."""
        with self.store.lock:
            return [
                {
                    "id": f.id,
                    "name": f.name,
                    "mimeType": f.mime,
                    "owner": f.owner,
                    "parents": f.parents,
                    "modifiedTime": rfc3339(f.modified),
                    "trashed": f.trashed,
                    "sheets": [s.title for s in f.spreadsheet.sheets] if f.spreadsheet else None,
                }
                for f in self.store.files.values()
            ]
