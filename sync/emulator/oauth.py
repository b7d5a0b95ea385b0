"""People signing in, like Google's installed-app OAuth: user accounts, OAuth clients, the authorization
endpoint (``/o/oauth2/auth``: authorization code for a loopback redirect, PKCE) and the ``authorization_code``
and ``refresh_token`` grants of the token endpoint — what google-auth-oauthlib's ``InstalledAppFlow`` and
google-auth's user ``Credentials`` call, so the staff sign-in is tested through the real libraries.

The person at the browser is whoever ``login_hint`` names (Google's own parameter for the account to sign in
with); the consent is given at once. Without a known ``login_hint`` the page lists the emulator's users as
links, so a trial in a real browser works too. Codes live 10 minutes and are used once; refresh tokens live
until the emulator stops (in memory, like access tokens).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from .errors import oauth_error

AUTH_PATH = "/o/oauth2/auth"
USER_GRANTS = ("authorization_code", "refresh_token")
AUTH = "https://www.googleapis.com/auth/"


@dataclass
class _Code:
    email: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    challenge: str | None
    method: str | None
    expires_at: float


class OAuthUsers:
    """User accounts, OAuth clients, codes and refresh tokens of one emulator."""

    def __init__(self, store, issue):
        self.store = store
        self.issue = issue  # (email, scopes) -> access-token response, shared with the service-account path
        self.users: set[str] = set()
        self.clients: dict[str, str] = {}  # client_id -> client_secret
        self.codes: dict[str, _Code] = {}
        self.refresh: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # token -> (email, client_id, scopes)
        self._lock = threading.Lock()

    # -- set-up (the emulator's admin side) ---------------------------------------------------------------
    def add_user(self, email: str) -> str:
        email = email.strip().lower()
        with self._lock:
            self.users.add(email)
        return email

    def new_client(self, base_url: str, path: Path | None = None) -> dict:
        """A Desktop-app OAuth client (the JSON Google Cloud Console offers), written to `path` if given."""
        client_id = f"{secrets.token_hex(6)}-khet.apps.googleusercontent.com"
        secret = "GOCSPX-" + secrets.token_urlsafe(18)
        with self._lock:
            self.clients[client_id] = secret
        config = {"installed": {"client_id": client_id, "client_secret": secret, "project_id": "khet-district",
                                "auth_uri": base_url + AUTH_PATH, "token_uri": base_url + "/token",
                                "redirect_uris": ["http://localhost"]}}
        if path is not None:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        return config

    # -- the browser side -----------------------------------------------------------------------------------
    def authorize(self, query: str) -> tuple[int, dict[str, str], str]:
        """GET /o/oauth2/auth: (status, headers, HTML body) — a redirect with the code when the user is known."""
        q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        client_id, redirect = q.get("client_id", ""), q.get("redirect_uri", "")
        if client_id not in self.clients:
            return 400, {}, _page("Error 401: invalid_client", "The OAuth client was not found.")
        target = urlsplit(redirect)
        if target.scheme != "http" or target.hostname not in ("localhost", "127.0.0.1", "::1"):
            return 400, {}, _page("Error 400: redirect_uri_mismatch", "Desktop clients redirect to a loopback address.")
        if q.get("response_type") != "code":
            return 400, {}, _page("Error 400: unsupported_response_type", "Only response_type=code is supported.")
        scopes = tuple(s.removeprefix(AUTH) for s in q.get("scope", "").split())
        if not scopes:
            return 400, {}, _page("Error 400: invalid_request", "Missing required parameter: scope")
        email = q.get("login_hint", "").strip().lower()
        if email not in self.users:
            links = "".join(f'<li><a href="{AUTH_PATH}?{html.escape(urlencode({**q, "login_hint": u}))}">'
                            f"{html.escape(u)}</a></li>" for u in sorted(self.users))
            return 200, {}, _page("Choose an account / เลือกบัญชี", f"<ul>{links}</ul>")
        code = "4/emu-" + secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = _Code(email, client_id, redirect, scopes, q.get("code_challenge"),
                                     q.get("code_challenge_method"), self.store.now() + 600)
        back = {"code": code, "scope": " ".join(AUTH + s for s in scopes)}
        if "state" in q:
            back["state"] = q["state"]
        sep = "&" if target.query else "?"
        return 302, {"Location": f"{redirect}{sep}{urlencode(back)}"}, ""

    # -- the token endpoint ---------------------------------------------------------------------------------
    def exchange(self, form: dict[str, str], authorization: str | None = None) -> dict:
        client_id, secret = form.get("client_id", ""), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):  # requests-oauthlib sends the client so
            try:
                client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            except ValueError:
                raise oauth_error("invalid_client", "Unauthorized", code=401) from None
        if self.clients.get(client_id) is None or self.clients[client_id] != secret:
            raise oauth_error("invalid_client", "The OAuth client was not found.", code=401)
        if form["grant_type"] == "authorization_code":
            return self._code_grant(form, client_id)
        with self._lock:
            held = self.refresh.get(form.get("refresh_token", ""))
        if held is None or held[1] != client_id:
            raise oauth_error("invalid_grant", "Token has been expired or revoked.")
        email, _, scopes = held
        return self.issue(email, scopes)

    def _code_grant(self, form: dict[str, str], client_id: str) -> dict:
        with self._lock:
            code = self.codes.pop(form.get("code", ""), None)  # a code is used once
        if code is None or code.client_id != client_id or code.expires_at < self.store.now():
            raise oauth_error("invalid_grant", "Malformed auth code.")
        if form.get("redirect_uri") != code.redirect_uri:
            raise oauth_error("redirect_uri_mismatch", "Bad Request")
        if code.challenge:
            verifier = form.get("code_verifier", "")
            if code.method == "S256":
                verifier = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if verifier != code.challenge:
                raise oauth_error("invalid_grant", "Missing code verifier." if not form.get("code_verifier")
                                  else "Invalid code verifier.")
        refresh = "1//emu-" + secrets.token_urlsafe(32)
        with self._lock:
            self.refresh[refresh] = (code.email, client_id, code.scopes)
        return {**self.issue(code.email, code.scopes), "refresh_token": refresh}


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>")
