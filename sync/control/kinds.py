"""Request kinds: what a staff request may ask of the job host, each with its payload model and its handler.

A kind is registered once, with ``@request_kind(...)`` on its handler; the payload is validated with a pydantic
model on the staff PC before the row is sent and again on the host before the handler runs. A handler returns
an :class:`Outcome`; it raises :class:`Refused` (or returns ``Outcome.refused``) when the request cannot be
applied. Modules that define kinds are listed in ``KIND_MODULES`` and imported by :func:`load_kinds`.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from workbook.errors import KhetError

# Every module that registers request kinds. Add yours here (one line) — see sync/control/__init__.py.
KIND_MODULES: tuple[str, ...] = (
    "sync.control.builtin",
    "sync.control.settings_change",
    "sync.control.approvals",
)

DONE, REFUSED, FAILED, WAITING, ACCEPTED = "done", "refused", "failed", "waiting", "accepted"
FINAL = (DONE, REFUSED, FAILED)
STATUS_TH = {DONE: "เสร็จแล้ว", REFUSED: "ไม่รับคำขอ", FAILED: "ทำไม่สำเร็จ", WAITING: "รอ", ACCEPTED: "รับแล้ว กำลังทำ"}


class Payload(BaseModel):
    """Base of every payload model: unknown fields are an error (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class NoPayload(Payload):
    pass


@dataclass(frozen=True)
class Request:
    request_id: str
    account: str          # the staff account that made it (proven by the tab it came from)
    requested_at: str     # ISO-8601 UTC, as the staff PC wrote it
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    tab: str = ""         # where it came from ("" = made directly on the host)
    row: int | None = None


@dataclass
class Outcome:
    status: str
    message_th: str
    message_en: str
    result: dict[str, Any] | None = None
    # Work to do after this outcome has been written back (e.g. the run "process now" asked for): returns
    # the final outcome. Lets the other requests of a poll get their answers first.
    then: Callable[[], Outcome] | None = None

    @classmethod
    def done(cls, th: str, en: str, result: dict | None = None) -> Outcome:
        return cls(DONE, th, en, result)

    @classmethod
    def refused(cls, th: str, en: str, result: dict | None = None) -> Outcome:
        return cls(REFUSED, th, en, result)

    @classmethod
    def waiting(cls, th: str, en: str) -> Outcome:
        """Not applied yet, asked again at the next poll (another run holds the lock, …)."""
        return cls(WAITING, th, en)

    @property
    def final(self) -> bool:
        return self.status in FINAL


class Refused(KhetError):
    """A request that cannot be applied; the reason goes to its row in Thai and English."""

    def __init__(self, message_th: str, message_en: str, code: str = "request.refused", **details):
        super().__init__(code, message_th, message_en, **details)


@dataclass(frozen=True)
class Kind:
    name: str                     # ASCII, what the kind column holds
    label_th: str
    payload: type[Payload]
    handler: Callable[[Any, Request, Payload], Outcome]  # (HostContext, request, validated payload)
    help_th: str = ""


KINDS: dict[str, Kind] = {}


def request_kind(name: str, label_th: str, payload: type[Payload] = NoPayload, help_th: str = ""):
    """Register the decorated ``handler(ctx, request, payload) -> Outcome`` for request kind `name`."""
    def register(handler):
        if name in KINDS and KINDS[name].handler is not handler:
            raise ValueError(f"request kind {name!r} registered twice")
        KINDS[name] = Kind(name, label_th, payload, handler, help_th)
        return handler
    return register


def load_kinds() -> dict[str, Kind]:
    for module in KIND_MODULES:
        importlib.import_module(module)
    return KINDS


def get_kind(name: str) -> Kind:
    kinds = load_kinds()
    if name not in kinds:
        known = ", ".join(sorted(kinds))
        raise Refused(f"ไม่รู้จักประเภทคำขอ “{name}” (ที่รับได้: {known})",
                      f"unknown request kind '{name}' (known: {known})", code="request.unknown_kind")
    return kinds[name]


def parse_payload(kind: Kind, payload: Any) -> Payload:
    """The payload as the kind's model, or Refused naming each bad field in Thai and English."""
    if isinstance(payload, str):
        text = payload.strip()
        if not text:
            payload = {}
        else:
            try:
                payload = json.loads(text)
            except ValueError as exc:
                raise Refused(f"รายละเอียดคำขอไม่ใช่ JSON ที่ถูกต้อง: {exc}", f"the payload is not valid JSON: {exc}",
                              code="request.payload_json") from None
    if not isinstance(payload, dict):
        raise Refused("รายละเอียดคำขอต้องเป็น JSON object ({…})", "the payload must be a JSON object ({…})",
                      code="request.payload_json")
    try:
        return kind.payload.model_validate(payload)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or '(ทั้งหมด)'}: {e['msg']}" for e in exc.errors()]
        raise Refused(f"รายละเอียดคำขอ “{kind.label_th}” ไม่ถูกต้อง: " + "; ".join(problems),
                      f"invalid payload for '{kind.name}': " + "; ".join(problems),
                      code="request.payload_invalid") from None
