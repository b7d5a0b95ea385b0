"""A local LINE Messaging API emulator on loopback: the endpoints the official `line-bot-sdk` (v3) calls to push
to groups, plus the join-event webhook a district's Official Account sends when it is invited into a group —
so Khet's real SDK path runs in tests and `khet demo` without LINE.

    with LineEmulator() as line:
        group = line.invite("กลุ่มนโยบายและแผน เครือข่ายที่ 1", webhook="http://127.0.0.1:PORT/callback")
        # Configuration(host=line.url, access_token=line.access_token) → MessagingApi.push_message(...)
        line.pushes()   # every accepted push, as LINE would deliver it

What it does as LINE does (https://developers.line.biz/en/reference/messaging-api/):
- ``POST /v2/bot/message/push``: Bearer channel access token (401 otherwise); body checked (``to``, 1–5
  messages, text 1–5,000 characters); a group the bot is not in → 400 "Failed to send messages";
  ``X-Line-Retry-Key`` (a UUID): a second request with an accepted key → 409 with
  ``x-line-accepted-request-id`` and nothing sent twice; each message to a group counts against the monthly
  quota, and a push over it → 429 "You have reached your monthly limit.".
- ``GET /v2/bot/message/quota`` and ``/v2/bot/message/quota/consumption``; ``GET /v2/bot/group/{id}/summary``.
- The webhook: ``invite`` makes a group, then POSTs a ``join`` event to the given URL, signed with the channel
  secret (``X-Line-Signature`` = base64 HMAC-SHA256 of the body), as LINE's platform does.
- Faults for tests: ``configure(error_500=rate, error_429=rate, latency=seconds)`` on pushes, ``leave(group)``
  (the account removed from a group).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import secrets
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_TEXT = 5000
MAX_MESSAGES = 5


@dataclass
class Push:
    request_id: str
    to: str
    texts: list[str]
    retry_key: str | None
    at: float


@dataclass
class _State:
    groups: dict[str, dict] = field(default_factory=dict)          # group id → {"name", "member"}
    pushes: list[Push] = field(default_factory=list)
    retry_keys: dict[str, str] = field(default_factory=dict)       # retry key → accepted request id
    usage: int = 0
    counters: dict[str, int] = field(default_factory=dict)


class LineEmulator:
    """``LineEmulator(quota=200)``: a channel with one access token and secret, its groups and pushes."""

    def __init__(self, *, quota: int | None = 200, host: str = "127.0.0.1", port: int = 0, seed: int = 0,
                 access_token: str | None = None, channel_secret: str | None = None):
        self.host, self.port = host, port
        self.quota = quota
        self.access_token = access_token or secrets.token_urlsafe(32)
        self.channel_secret = channel_secret or secrets.token_hex(16)
        self.bot_user_id = "U" + uuid.UUID(int=random.Random(seed).getrandbits(128)).hex
        self.faults = {"error_500": 0.0, "error_429": 0.0, "latency": 0.0}
        self._rng = random.Random(seed)
        self._state = _State()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> LineEmulator:
        if self._server is None:
            self._server = ThreadingHTTPServer((self.host, self.port), _handler(self))
            self._server.daemon_threads = True
            self.port = self._server.server_address[1]
            threading.Thread(target=self._server.serve_forever, daemon=True, name="line-emulator").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LineEmulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- groups and the webhook --------------------------------------------------------------------------
    def add_group(self, name: str, group_id: str | None = None) -> str:
        """A group the bot is a member of (without a webhook call)."""
        gid = group_id or "C" + uuid.UUID(int=self._rng.getrandbits(128)).hex
        with self._lock:
            self._state.groups[gid] = {"name": name, "member": True}
        return gid

    def invite(self, name: str, webhook: str, *, timeout: float = 10) -> str:
        """Someone invites the Official Account into a new group: LINE sends the signed join event."""
        gid = self.add_group(name)
        body = json.dumps({"destination": self.bot_user_id, "events": [{
            "type": "join", "mode": "active", "timestamp": int(time.time() * 1000),
            "source": {"type": "group", "groupId": gid}, "webhookEventId": uuid.uuid4().hex.upper()[:26],
            "deliveryContext": {"isRedelivery": False}, "replyToken": secrets.token_hex(16)}]},
            separators=(",", ":")).encode("utf-8")
        req = urllib.request.Request(webhook, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "X-Line-Signature": self.sign(body),
            "User-Agent": "LineBotWebhook/2.0"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - loopback webhook
            resp.read()
        return gid

    def leave(self, group_id: str) -> None:
        with self._lock:
            self._state.groups[group_id]["member"] = False

    def sign(self, body: bytes) -> str:
        mac = hmac.new(self.channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
        return base64.b64encode(mac).decode("ascii")

    # -- inspection --------------------------------------------------------------------------------------
    def pushes(self, to: str | None = None) -> list[Push]:
        with self._lock:
            return [p for p in self._state.pushes if to is None or p.to == to]

    def counters(self) -> dict[str, int]:
        with self._lock:
            return dict(self._state.counters, usage=self._state.usage)

    def configure(self, **settings) -> None:
        unknown = set(settings) - set(self.faults) - {"quota"}
        if unknown:
            raise TypeError(f"unknown LINE emulator settings: {sorted(unknown)}")
        if "quota" in settings:
            self.quota = settings.pop("quota")
        self.faults.update({k: float(v) for k, v in settings.items()})

    # -- requests ----------------------------------------------------------------------------------------
    def _count(self, key: str) -> None:
        self._state.counters[key] = self._state.counters.get(key, 0) + 1

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict, dict]:
        """(status, JSON body, extra headers) for one request."""
        with self._lock:
            self._count(f"{method} {path.split('?')[0]}")
        if headers.get("Authorization", "") != f"Bearer {self.access_token}":
            return 401, {"message": "Authentication failed. Confirm that the access token in the authorization "
                                    "header is valid."}, {}
        path = path.split("?")[0]
        if method == "POST" and path == "/v2/bot/message/push":
            return self._push(headers, body)
        if method == "GET" and path == "/v2/bot/message/quota":
            return 200, ({"type": "none"} if self.quota is None else {"type": "limited", "value": self.quota}), {}
        if method == "GET" and path == "/v2/bot/message/quota/consumption":
            with self._lock:
                return 200, {"totalUsage": self._state.usage}, {}
        if method == "GET" and path.startswith("/v2/bot/group/") and path.endswith("/summary"):
            gid = path[len("/v2/bot/group/"):-len("/summary")]
            with self._lock:
                g = self._state.groups.get(gid)
            if g is None or not g["member"]:
                return 404, {"message": "Not found"}, {}
            return 200, {"groupId": gid, "groupName": g["name"], "pictureUrl": ""}, {}
        return 404, {"message": "Not found"}, {}

    def _push(self, headers, body: bytes) -> tuple[int, dict, dict]:
        if self.faults["latency"]:
            time.sleep(self.faults["latency"])
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return 400, {"message": "The request body has 1 error(s)", "details": [{"message": "invalid JSON"}]}, {}
        to, messages = req.get("to"), req.get("messages") or []
        problems = []
        if not isinstance(to, str) or not to:
            problems.append({"message": "must be specified", "property": "to"})
        if not 1 <= len(messages) <= MAX_MESSAGES:
            problems.append({"message": f"Size must be between 1 and {MAX_MESSAGES}", "property": "messages"})
        for i, m in enumerate(messages):
            text = m.get("text") if isinstance(m, dict) else None
            if not isinstance(m, dict) or m.get("type") != "text" or not isinstance(text, str) or not text:
                problems.append({"message": "must be a text message with text", "property": f"messages[{i}]"})
            elif len(text) > MAX_TEXT:
                problems.append({"message": f"Length must be between 0 and {MAX_TEXT}",
                                 "property": f"messages[{i}].text"})
        if problems:
            return 400, {"message": f"The request body has {len(problems)} error(s)", "details": problems}, {}
        key = headers.get("X-Line-Retry-Key")
        if key is not None:
            try:
                uuid.UUID(key)
            except ValueError:
                return 400, {"message": "The retry key is invalid"}, {}
        with self._lock:
            if key is not None and key in self._state.retry_keys:
                accepted = self._state.retry_keys[key]
                return 409, {"message": "The retry key is already accepted", "sentMessages": []}, {
                    "x-line-accepted-request-id": accepted}
            r = self._rng.random()
            if r < self.faults["error_500"]:
                return 500, {"message": "An error occurred in the internal server"}, {}
            if r < self.faults["error_500"] + self.faults["error_429"]:
                return 429, {"message": "The API rate limit has been exceeded. Try again later."}, {}
            g = self._state.groups.get(to)
            if to.startswith("C") and (g is None or not g["member"]):
                return 400, {"message": "Failed to send messages"}, {}
            if self.quota is not None and self._state.usage + len(messages) > self.quota:
                return 429, {"message": "You have reached your monthly limit."}, {}
            request_id = uuid.UUID(int=self._rng.getrandbits(128)).hex
            self._state.usage += len(messages)
            self._state.pushes.append(Push(request_id, to, [m["text"] for m in messages], key, time.time()))
            if key is not None:
                self._state.retry_keys[key] = request_id
        return 200, {"sentMessages": [{"id": str(self._rng.getrandbits(60)), "quoteToken": secrets.token_hex(8)}
                                      for _ in messages]}, {"x-line-request-id": request_id}


def _handler(emu: LineEmulator):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet: tests and the demo print their own story
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, payload, extra = emu.handle(self.command, self.path, self.headers, body)
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

    return Handler
