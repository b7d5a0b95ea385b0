"""Quotas, injected faults and request counters — the parts of the emulator that make Google's bad days
testable.

Quotas use fixed windows of `minute_seconds` (so a benchmark can run "60 per minute" on a scaled clock).
Fault decisions come from `random.Random(f"{seed}:{n}")` for the n-th API request, so a run with the same seed
and the same sequence of requests sees the same faults.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

from .errors import ApiError, drive_rate_limited, internal_error, quota_exceeded, unavailable

FAULT_KEYS = (
    "error_429",
    "error_500",
    "error_503",
    "stall_probability",
    "stall_seconds",
    "drop_probability",
    "latency",
)
QUOTA_KEYS = ("user_quota", "project_quota", "drive_user_quota", "drive_project_quota", "minute_seconds")


def project_of(email: str) -> str:
    """Service accounts belong to the project in their address (`x@PROJECT.iam.gserviceaccount.com`)."""
    domain = email.rpartition("@")[2]
    return domain.split(".iam.gserviceaccount.com")[0]


@dataclass
class Decision:
    latency: float = 0.0
    stall: float = 0.0
    drop: bool = False
    error: ApiError | None = None


@dataclass
class Limits:
    seed: int = 0
    user_quota: int = 60
    project_quota: int = 300
    # Drive's real default is 12,000 queries per minute per user and per project: far above Sheets'.
    drive_user_quota: int = 12000
    drive_project_quota: int = 12000
    minute_seconds: float = 60.0
    faults: dict = field(default_factory=lambda: {k: 0.0 for k in FAULT_KEYS})
    account_faults: dict = field(default_factory=dict)
    file_faults: dict = field(default_factory=dict)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._windows: dict[tuple, tuple[int, int]] = {}
        self._serial = 0

    def configure(self, **kw) -> dict:
        with self._lock:
            for key, value in kw.items():
                if key in FAULT_KEYS:
                    self.faults[key] = float(value)
                elif key in QUOTA_KEYS:
                    setattr(self, key, type(getattr(self, key))(value))
                elif key in ("account_faults", "file_faults"):
                    target = getattr(self, key)
                    for who, rates in (value or {}).items():
                        if rates:
                            target[who] = {k: float(v) for k, v in rates.items() if k in FAULT_KEYS}
                        else:
                            target.pop(who, None)
                elif key == "seed":
                    self.seed, self._serial = int(value), 0  # same seed, same request sequence → same faults
                else:
                    raise ValueError(f"unknown emulator setting: {key}")
            if "minute_seconds" in kw:
                self._windows.clear()
            return self.settings()

    def settings(self) -> dict:
        return {
            "seed": self.seed,
            **{k: getattr(self, k) for k in QUOTA_KEYS},
            **self.faults,
            "account_faults": self.account_faults,
            "file_faults": self.file_faults,
        }

    def admit(self, now: float, email: str, api: str, kind: str) -> None:
        """Count one request against the per-user and per-project windows, or raise Google's quota error."""
        window = int(now // self.minute_seconds)
        if api == "sheets":
            limits = (("user", email, self.user_quota), ("project", project_of(email), self.project_quota))
        else:
            limits = (
                ("user", email, self.drive_user_quota),
                ("project", project_of(email), self.drive_project_quota),
            )
        with self._lock:
            keys = []
            for scope, who, limit in limits:
                key = (api, kind if api == "sheets" else "all", scope, who)
                w, used = self._windows.get(key, (window, 0))
                if w != window:
                    used = 0
                if used >= limit:
                    raise quota_exceeded(kind, scope, limit) if api == "sheets" else drive_rate_limited(scope)
                keys.append((key, used))
            for key, used in keys:
                self._windows[key] = (window, used + 1)

    def decide(self, email: str | None, file_id: str | None, api: str = "sheets") -> Decision:
        with self._lock:
            self._serial += 1
            rates = dict(self.faults)
            rates.update(self.account_faults.get(email or "", {}))
            rates.update(self.file_faults.get(file_id or "", {}))
            rng = random.Random(f"{self.seed}:{self._serial}")
        d = Decision(latency=rates.get("latency", 0.0))
        if rng.random() < rates.get("stall_probability", 0.0):
            d.stall = rates.get("stall_seconds", 0.0)
        if rng.random() < rates.get("drop_probability", 0.0):
            d.drop = True
            return d
        roll = rng.random()
        drive = api == "drive"
        for key, make in (("error_429", None), ("error_500", internal_error), ("error_503", unavailable)):
            rate = rates.get(key, 0.0)
            if roll < rate:
                if make is not None:
                    d.error = make(drive)
                else:
                    d.error = (
                        drive_rate_limited("429")
                        if drive
                        else quota_exceeded("read", "user", self.user_quota)
                    )
                return d
            roll -= rate
        return d


class Counters:
    """Requests by endpoint, account, kind, file and status; `snapshot()` is what `GET /_emulator/counters`
    shows.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_endpoint: Counter = Counter()
            self.by_account: Counter = Counter()
            self.by_account_kind: dict[str, Counter] = {}
            self.by_kind: Counter = Counter()
            self.by_file: Counter = Counter()
            self.by_status: Counter = Counter()
            self.rate_limited = 0
            self.faults = 0
            self.dropped = 0

    def record(
        self,
        method: str,
        endpoint: str,
        account: str | None,
        kind: str,
        file_id: str | None,
        status: int,
        fault: bool = False,
        dropped: bool = False,
        limited: bool = False,
    ) -> None:
        with self._lock:
            self.total += 1
            self.by_endpoint[f"{method} {endpoint}"] += 1
            self.by_kind[kind] += 1
            if account:
                self.by_account[account] += 1
                self.by_account_kind.setdefault(account, Counter())[kind] += 1
            if file_id:
                self.by_file[file_id] += 1
            self.by_status[str(status)] += 1
            self.rate_limited += int(limited)
            self.faults += int(fault)
            self.dropped += int(dropped)

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": self.total,
                "by_endpoint": dict(self.by_endpoint),
                "by_account": dict(self.by_account),
                "by_account_kind": {a: dict(c) for a, c in self.by_account_kind.items()},
                "by_kind": dict(self.by_kind),
                "by_file": dict(self.by_file),
                "by_status": dict(self.by_status),
                "rate_limited": self.rate_limited,
                "faults": self.faults,
                "dropped": self.dropped,
            }
