"""The HTTP front: routes Google's URLs to the Sheets/Drive/token handlers, enforcing sign-in, scopes, quotas
and injected faults, counting every request; plus the `/_emulator/...` admin endpoints."""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import batch_update, drive, sheets
from .errors import ApiError, bad_request, sheets_error, unimplemented
from .fields import select
from .oauth import AUTH_PATH

_ID = r"([^/:]+)"
# (method, path regex, endpoint name, api, kind, handler(emu, email, match, params, body))
ROUTES: list[tuple[str, re.Pattern, str, str, str, object]] = []


def route(method: str, pattern: str, name: str, kind: str):
    api = "sheets" if name.startswith("sheets") else "drive"

    def register(fn):
        ROUTES.append((method, re.compile(f"^{pattern}$"), name, api, kind, fn))
        return fn

    return register


@route("POST", r"/v4/spreadsheets", "sheets.spreadsheets.create", "write")
def _ss_create(emu, email, m, params, body):
    return sheets.spreadsheets_create(emu.store, email, body, drive.root_id(email))


@route("GET", rf"/v4/spreadsheets/{_ID}", "sheets.spreadsheets.get", "read")
def _ss_get(emu, email, m, params, body):
    return select(sheets.spreadsheets_get(emu.store, email, m[1], params), sheets.one(params, "fields"))


@route("POST", rf"/v4/spreadsheets/{_ID}:batchUpdate", "sheets.spreadsheets.batchUpdate", "write")
def _ss_batch_update(emu, email, m, params, body):
    return batch_update.batch_update(emu.store, email, m[1], body)


@route("GET", rf"/v4/spreadsheets/{_ID}/values:batchGet", "sheets.values.batchGet", "read")
def _values_batch_get(emu, email, m, params, body):
    return sheets.values_batch_get(emu.store, email, m[1], params)


@route("POST", rf"/v4/spreadsheets/{_ID}/values:batchUpdate", "sheets.values.batchUpdate", "write")
def _values_batch_update(emu, email, m, params, body):
    return sheets.values_batch_update(emu.store, email, m[1], body)


@route("POST", rf"/v4/spreadsheets/{_ID}/values:batchClear", "sheets.values.batchClear", "write")
def _values_batch_clear(emu, email, m, params, body):
    return sheets.values_batch_clear(emu.store, email, m[1], body)


@route("POST", rf"/v4/spreadsheets/{_ID}/values/([^/]+?):append", "sheets.values.append", "write")
def _values_append(emu, email, m, params, body):
    return sheets.values_append(emu.store, email, m[1], unquote(m[2]), params, body)


@route("POST", rf"/v4/spreadsheets/{_ID}/values/([^/]+?):clear", "sheets.values.clear", "write")
def _values_clear(emu, email, m, params, body):
    return sheets.values_clear(emu.store, email, m[1], unquote(m[2]))


@route("GET", rf"/v4/spreadsheets/{_ID}/values/([^/]+)", "sheets.values.get", "read")
def _values_get(emu, email, m, params, body):
    return sheets.values_get(emu.store, email, m[1], unquote(m[2]), params)


@route("PUT", rf"/v4/spreadsheets/{_ID}/values/([^/]+)", "sheets.values.update", "write")
def _values_update(emu, email, m, params, body):
    return sheets.values_update(emu.store, email, m[1], unquote(m[2]), params, body)


@route("POST", rf"/v4/spreadsheets/{_ID}/sheets/([^/:]+):copyTo", "sheets.sheets.copyTo", "write")
def _sheets_copy_to(emu, email, m, params, body):
    return sheets.sheets_copy_to(emu.store, email, m[1], m[2], body)


@route("GET", r"/drive/v3/files", "drive.files.list", "read")
def _files_list(emu, email, m, params, body):
    return drive.files_list(emu.store, email, params)


@route("POST", r"/drive/v3/files", "drive.files.create", "write")
def _files_create(emu, email, m, params, body):
    return drive.files_create(emu.store, email, params, body)


@route("GET", rf"/drive/v3/files/{_ID}", "drive.files.get", "read")
def _files_get(emu, email, m, params, body):
    return drive.files_get(emu.store, email, m[1], params)


@route("PATCH", rf"/drive/v3/files/{_ID}", "drive.files.update", "write")
def _files_update(emu, email, m, params, body):
    return drive.files_update(emu.store, email, m[1], params, body)


@route("DELETE", rf"/drive/v3/files/{_ID}", "drive.files.delete", "write")
def _files_delete(emu, email, m, params, body):
    return drive.files_delete(emu.store, email, m[1])


@route("POST", rf"/drive/v3/files/{_ID}/copy", "drive.files.copy", "write")
def _files_copy(emu, email, m, params, body):
    return drive.files_copy(emu.store, email, m[1], params, body)


@route("POST", rf"/drive/v3/files/{_ID}/permissions", "drive.permissions.create", "write")
def _perm_create(emu, email, m, params, body):
    return drive.permissions_create(emu.store, email, m[1], params, body)


@route("GET", rf"/drive/v3/files/{_ID}/permissions", "drive.permissions.list", "read")
def _perm_list(emu, email, m, params, body):
    return drive.permissions_list(emu.store, email, m[1], params)


@route("GET", rf"/drive/v3/files/{_ID}/permissions/{_ID}", "drive.permissions.get", "read")
def _perm_get(emu, email, m, params, body):
    return drive.permissions_get(emu.store, email, m[1], m[2], params)


@route("PATCH", rf"/drive/v3/files/{_ID}/permissions/{_ID}", "drive.permissions.update", "write")
def _perm_update(emu, email, m, params, body):
    return drive.permissions_update(emu.store, email, m[1], m[2], params, body)


@route("DELETE", rf"/drive/v3/files/{_ID}/permissions/{_ID}", "drive.permissions.delete", "write")
def _perm_delete(emu, email, m, params, body):
    return drive.permissions_delete(emu.store, email, m[1], m[2])


@route("GET", rf"/drive/v3/files/{_ID}/comments", "drive.comments.list", "read")
def _comments_list(emu, email, m, params, body):
    drive.visible(emu.store, m[1], email)
    return drive.comments_list(params)


@route("GET", r"/drive/v3/changes/startPageToken", "drive.changes.getStartPageToken", "read")
def _changes_start(emu, email, m, params, body):
    return drive.changes_start(emu.store)


@route("GET", r"/drive/v3/changes", "drive.changes.list", "read")
def _changes_list(emu, email, m, params, body):
    return drive.changes_list(emu.store, email, params)


# Known Google endpoints the emulator does not implement: answered 501 (never a retryable 500/503).
UNIMPLEMENTED = [
    (r"/v4/spreadsheets/[^/]+:getByDataFilter", "sheets.spreadsheets.getByDataFilter", "sheets"),
    (
        r"/v4/spreadsheets/[^/]+/values:(batch(Get|Update|Clear)ByDataFilter)",
        "sheets.values.byDataFilter",
        "sheets",
    ),
    (r"/v4/spreadsheets/[^/]+/developerMetadata.*", "sheets.developerMetadata", "sheets"),
    (r"/drive/v3/.*", "drive.unimplemented", "drive"),
    (r"/upload/drive/.*", "drive.upload", "drive"),
]


_BOUNDARY = re.compile(r"^/v1/projects/[^/]+/serviceAccounts/[^/]+/allowedLocations$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "KhetGoogleEmulator/1.0"
    emu = None  # set per server class

    def setup(self):
        super().setup()
        # headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms per call
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.lock:
            self.server.connections.add(self.connection)

    def finish(self):
        with self.server.lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format, *args):  # noqa: A002 - silence the per-request stderr log
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def _send(self, code: int, body: dict | None, headers: dict | None = None) -> None:
        try:
            data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate a client stored (half an emoji): sent back \u-escaped
            data = json.dumps(body).encode("ascii")
        self.send_response(code)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        try:
            self.end_headers()
            if data:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. timed out on a stalled response)

    def _handle(self, method: str) -> None:
        emu = self.emu
        parts = urlsplit(self.path)
        path, params = parts.path, parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path.startswith("/_emulator/"):
            return self._admin(method, path, raw)
        if path == "/token" and method == "POST":
            return self._token(raw)
        if path == AUTH_PATH and method == "GET":
            return self._authorize(parts.query)
        if method == "GET" and _BOUNDARY.match(path):
            # google-auth's background "regional access boundary" lookup: no restriction. Not counted, since
            # it runs on its own thread at unpredictable moments and is not Khet's traffic.
            return self._send(200, {"locations": [], "encodedLocations": "0x0"})
        for m_method, pattern, name, api, kind, fn in ROUTES:
            m = pattern.match(path)
            if m and m_method == method:
                return self._api(method, name, api, kind, fn, m, params, raw)
        for pattern, name, _api in UNIMPLEMENTED:
            if re.match(f"^{pattern}$", path):
                err = unimplemented(f"{method} {path}")
                emu.counting.record(method, name, None, "unsupported", None, err.code)
                return self._send(err.code, err.body)
        err = sheets_error(404, f"Method not found: {method} {path}", "NOT_FOUND")
        emu.counting.record(method, "unknown", None, "unsupported", None, 404)
        self._send(404, err.body)

    def _token(self, raw: bytes) -> None:
        emu = self.emu
        try:
            time.sleep(emu.limits.faults.get("latency", 0.0))
            body = emu.issuer.exchange(raw, self.headers.get("Authorization"))
            code, headers = 200, {}
        except ApiError as e:
            body, code, headers = e.body, e.code, e.headers
        emu.counting.record("POST", "oauth2.token", None, "token", None, code)
        self._send(code, body, headers)

    def _authorize(self, query: str) -> None:
        """The browser's sign-in page: a redirect with the code to the app's loopback server, or HTML."""
        code, headers, page = self.emu.oauth.authorize(query)
        self.emu.counting.record("GET", "oauth2.auth", None, "token", None, code)
        data = page.encode("utf-8")
        self.send_response(code)
        for k, v in {**headers, "Content-Type": "text/html; charset=UTF-8", "Content-Length": str(len(data))}.items():
            self.send_header(k, v)
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _api(self, method, name, api, kind, fn, m, params, raw) -> None:
        emu = self.emu
        email, fault, limited = None, False, False
        file_id = m[1] if m.groups() else None
        try:
            try:
                body = json.loads(raw) if raw.strip() else {}
            except ValueError as exc:
                raise bad_request(f"Invalid JSON payload received. {exc}") from exc
            email = emu.issuer.check(self.headers.get("Authorization"), f"{api}.{kind}")
            decision = emu.limits.decide(email, file_id, api)
            if decision.latency:
                time.sleep(decision.latency)
            if decision.stall:
                time.sleep(decision.stall)
            if decision.drop:
                emu.counting.record(method, name, email, kind, file_id, 0, fault=True, dropped=True)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if decision.error is not None:
                fault = True
                raise decision.error
            try:
                emu.limits.admit(emu.store.now(), email, api, kind)
            except ApiError:
                limited = True
                raise
            with emu.store.lock:
                try:
                    result = fn(emu, email, m, params, body)
                finally:
                    emu.store.flush()
            code, out, headers = (204, None, {}) if result is None else (200, result, {})
        except ApiError as e:
            code, out, headers = e.code, e.body, e.headers
        except Exception as exc:  # an emulator bug: say so loudly rather than pretend Google failed
            traceback.print_exc(file=sys.stderr)
            code, out, headers = (
                500,
                {"error": {"code": 500, "message": f"Khet emulator bug: {exc!r}", "status": "INTERNAL"}},
                {},
            )
        emu.counting.record(method, name, email, kind, file_id, code, fault=fault, limited=limited)
        self._send(code, out, headers)

    def _admin(self, method: str, path: str, raw: bytes) -> None:
        emu = self.emu
        try:
            body = json.loads(raw) if raw.strip() else {}
            action = path.removeprefix("/_emulator/")
            if action == "counters" and method == "GET":
                out = emu.counters()
            elif action == "reset_counters" and method == "POST":
                emu.reset_counters()
                out = emu.counters()
            elif action == "config" and method == "GET":
                out = emu.settings()
            elif action == "config" and method == "POST":
                out = emu.configure(**body)
            elif action == "advance" and method == "POST":
                emu.advance(float(body.get("seconds", 0)))
                out = {"now": emu.store.now()}
            elif action == "service_account" and method == "POST":
                # No authentication here: a key is written only inside the emulator's own key folder, under
                # a plain file name (never a path a caller chooses elsewhere on the machine).
                name = body.get("path")
                if name is not None and (Path(str(name)).name != str(name) or str(name) in ("", ".", "..")):
                    raise ValueError("path must be a plain file name inside the emulator's key folder")
                key = emu.service_account(body.get("email") or emu.DEFAULT_ACCOUNT,
                                          emu.key_dir / str(name) if name else None)
                out = {"path": str(key), "key": json.loads(key.read_text())}
            elif action == "user" and method == "POST":
                out = {"email": emu.user(body["email"])}
            elif action == "oauth_client" and method == "POST":
                out = emu.oauth_client(body.get("path"))
            elif action == "files" and method == "GET":
                out = emu.files()
            elif action == "health":
                out = {"ok": True, "url": emu.url}
            else:
                return self._send(
                    404,
                    {
                        "error": {
                            "code": 404,
                            "message": f"no admin action {method} {path}",
                            "status": "NOT_FOUND",
                        }
                    },
                )
            self._send(200, out)
        except (ValueError, TypeError) as exc:
            self._send(400, {"error": {"code": 400, "message": str(exc), "status": "INVALID_ARGUMENT"}})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, *args, **kw):
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        super().__init__(*args, **kw)

    def close_connections(self) -> None:
        """Hang up on idle keep-alive clients, so nothing is served after `stop()`."""
        with self.lock:
            for conn in list(self.connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def serve(emu, host: str, port: int) -> tuple[Server, threading.Thread]:
    handler = type("BoundHandler", (Handler,), {"emu": emu})
    server = Server((host, port), handler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name=f"khet-emulator-{server.server_address[1]}",
        daemon=True,
    )
    thread.start()
    return server, thread
