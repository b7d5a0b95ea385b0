"""Sign-in like Google's: service-account keys issued by the emulator, the OAuth2 JWT-bearer token endpoint,
bearer-token checks and OAuth scopes per endpoint kind."""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import drive_insufficient_scopes, insufficient_scopes, oauth_error, unauthenticated
from .oauth import USER_GRANTS
from .state import Store

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PROJECT_ID = "khet-district"
AUTH = "https://www.googleapis.com/auth/"
# Which scopes let a token call which kind of endpoint (Google's documented scope lists per method).
SCOPES_FOR = {
    "sheets.read": {"spreadsheets", "spreadsheets.readonly", "drive", "drive.readonly", "drive.file"},
    "sheets.write": {"spreadsheets", "drive", "drive.file"},
    "drive.read": {"drive", "drive.readonly", "drive.file", "drive.metadata", "drive.metadata.readonly"},
    "drive.write": {"drive", "drive.file"},
}


@dataclass
class Token:
    email: str
    scopes: frozenset[str]
    expires_at: float


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_KEYS: dict[str, rsa.RSAPrivateKey] = {}
_KEYS_LOCK = threading.Lock()


def _private_key(email: str) -> rsa.RSAPrivateKey:
    # One 2048-bit key per account per process: generating one costs 0.1-0.5 s, and test suites start many
    # emulators. Each emulator still registers and verifies it like any other key.
    with _KEYS_LOCK:
        if email not in _KEYS:
            _KEYS[email] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return _KEYS[email]


def new_service_account(store: Store, email: str, token_uri: str, path: Path) -> Path:
    """Register an RSA key for `email` (under a new key id) and write a Google-style key JSON to `path`."""
    key = _private_key(email)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_id = secrets.token_hex(20)
    with store.lock:
        store.add_key(email, key_id, public_pem)
        store.flush()
    info = {
        "type": "service_account",
        "project_id": PROJECT_ID,
        "private_key_id": key_id,
        "private_key": private_pem,
        "client_email": email,
        "client_id": str(int.from_bytes(email.encode()[:8].ljust(8, b"_"), "big")),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email}",
        "universe_domain": "googleapis.com",
    }
    write_secret(path, json.dumps(info, indent=2))
    return path


def write_secret(path: Path, text: str) -> None:
    """A key file readable by its owner only (0600 from the first byte: never briefly 0644)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        if os.name == "posix":
            os.fchmod(fh.fileno(), 0o600)  # an existing file keeps its old mode through O_CREAT
        fh.write(text)


class TokenIssuer:
    def __init__(self, store: Store, token_ttl: int = 3600):
        self.store = store
        self.token_ttl = token_ttl
        self.tokens: dict[str, Token] = {}
        self.users = None  # oauth.OAuthUsers: people signing in (set by the Emulator)
        self._lock = threading.Lock()

    def exchange(self, form_body: bytes, authorization: str | None = None) -> dict:
        """The OAuth2 token endpoint: a signed JWT assertion in (service accounts), or an authorization code /
        refresh token of a person's sign-in (`oauth.OAuthUsers`); an access token out."""
        form = {k: v[0] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") in USER_GRANTS and self.users is not None:
            return self.users.exchange(form, authorization)
        if form.get("grant_type") != JWT_BEARER:
            raise oauth_error("unsupported_grant_type", "Invalid grant_type: " + form.get("grant_type", ""))
        claims = self._verify(form.get("assertion", ""))
        scopes = frozenset(s.removeprefix(AUTH) for s in str(claims.get("scope", "")).split())
        if not scopes:
            raise oauth_error("invalid_scope", "Empty or missing scope not allowed.")
        return {k: v for k, v in self.issue(claims["iss"], scopes).items() if k != "scope"}

    def issue(self, email: str, scopes) -> dict:
        """A fresh access token for `email` with `scopes` (short names, e.g. "spreadsheets")."""
        scopes = frozenset(scopes)
        token = "ya29.emu-" + secrets.token_urlsafe(32)
        now = self.store.now()
        with self._lock:
            # expired tokens are dropped as new ones are issued, so the table never grows without bound
            for old in [k for k, t in self.tokens.items() if t.expires_at < now]:
                del self.tokens[old]
            self.tokens[token] = Token(email, scopes, now + self.token_ttl)
        return {"access_token": token, "expires_in": self.token_ttl, "token_type": "Bearer",
                "scope": " ".join(AUTH + s for s in sorted(scopes))}

    def _verify(self, assertion: str) -> dict:
        try:
            header_b64, claims_b64, sig_b64 = assertion.split(".")
            header = json.loads(b64url_decode(header_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(sig_b64)
        except ValueError as exc:
            raise oauth_error(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
            ) from exc
        if header.get("alg") != "RS256":
            raise oauth_error("invalid_grant", "Invalid JWT Signature.")
        keys = self.store.keys.get(str(claims.get("iss", "")), {})
        if not keys:
            raise oauth_error("invalid_grant", "Invalid grant: account not found")
        candidates = [keys[header["kid"]]] if header.get("kid") in keys else list(keys.values())
        signed = f"{header_b64}.{claims_b64}".encode()
        for pem in candidates:
            public = serialization.load_pem_public_key(pem)
            try:
                public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
                break
            except InvalidSignature:
                continue
        else:
            raise oauth_error("invalid_grant", "Invalid JWT Signature.")
        now = self.store.now()
        iat, exp = claims.get("iat", 0), claims.get("exp", 0)
        # Google allows a few minutes of clock skew and at most one hour of assertion lifetime.
        if not (iat - 300 <= now <= exp + 300) or exp - iat > 3600:
            raise oauth_error(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and "
                "in a reasonable timeframe. Check your iat and exp values in the "
                "JWT claim.",
            )
        if not str(claims.get("aud", "")).rstrip("/").endswith("/token"):
            raise oauth_error("invalid_grant", "Invalid JWT: Failed audience check.")
        return claims

    def check(self, authorization: str | None, need: str) -> str:
        """The account behind a `Bearer` header, if its token is valid and carries a scope for `need`."""
        drive = need.startswith("drive")
        if not authorization or not authorization.startswith("Bearer "):
            raise unauthenticated(missing=True, drive=drive)
        token = self.tokens.get(authorization[7:].strip())
        if token is None or token.expires_at <= self.store.now():
            raise unauthenticated(drive=drive)
        if not token.scopes & SCOPES_FOR[need]:
            raise drive_insufficient_scopes() if need.startswith("drive") else insufficient_scopes()
        return token.email
