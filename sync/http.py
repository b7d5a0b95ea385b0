"""The HTTP client every Khet Google call goes through: paces requests under the quota and retries sanely.

`PacedRetryHTTPClient` replaces gspread's `HTTPClient` (gspread calls `request()` for every API call):
- pacing: a sliding-window limiter per kind (Sheets reads, Sheets writes) at the configured per-minute quota, so
  a night of 1,000 reads never meets a storm of 429s. Drive calls are not paced (Drive's per-user quota is two
  orders of magnitude higher) but are retried like the rest.
- retries only what can succeed later: HTTP 408, 429, 500, 502, 503, 504 and Drive 403 `userRateLimitExceeded` /
  `rateLimitExceeded`; also dropped connections and timeouts, but for non-idempotent calls (append, batchUpdate,
  Drive create/copy, permission create) only when the request provably never left (connect failure), since a
  second copy of an append duplicates rows.
- full-jitter exponential backoff (`uniform(0, min(cap, base·2^n))`), Retry-After honoured, a bounded number of
  tries, then a typed error (`RetriesExhausted`, still a gspread `APIError`, or `ConnectionFailed`).
- google-auth `RefreshError` (revoked/deleted key, wrong clock) is never retried: it cannot heal by waiting.
- counts its own requests, retries, and seconds spent pacing/backing off for the run report (`stats`).
Deterministic under a seed: jitter comes from `random.Random(seed)`; `sleep`/`clock` can be injected.
"""

from __future__ import annotations

import contextlib
import functools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from google.auth.exceptions import RefreshError, TransportError
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
DRIVE_RATE_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})
# POSTs that only read or that can be repeated with the same result.
_SAFE_POST_SUFFIXES = (":batchGet", ":batchGetByDataFilter", ":getByDataFilter", ":batchUpdate", ":batchClear",
                       ":clear")


@dataclass(frozen=True)
class RetryPolicy:
    max_tries: int = 5
    base_delay: float = 1.0
    max_delay: float = 32.0
    timeout: float | None = 60.0


@dataclass(frozen=True)
class Pacing:
    reads_per_minute: int = 60
    writes_per_minute: int = 60
    minute_seconds: float = 60.0  # a benchmark runs the quota on a scaled clock
    # Part of the window kept free: the server's clock sees a request a little later than we sent it.
    margin: float = 0.03


class RequestFailed(Exception):
    """Marker for "gave up after retrying": `.reason` (quota/server/timeout/connection/rate_limit), `.tries`."""

    reason: str = ""
    tries: int = 0


class RetriesExhausted(APIError, RequestFailed):
    """The last try still answered a retryable HTTP status."""


class ConnectionFailed(RequestFailed):
    def __init__(self, message: str, *, reason: str, tries: int):
        super().__init__(message)
        self.reason = reason
        self.tries = tries


@dataclass
class HttpStats:
    requests: int = 0  # attempts sent, retries included
    retries: int = 0
    failures: int = 0  # calls that raised after the last try
    paced_seconds: float = 0.0
    backoff_seconds: float = 0.0
    by_kind: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)  # "200", "429", "ConnectionError"…

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "retries": self.retries, "failures": self.failures,
                "paced_seconds": round(self.paced_seconds, 3), "backoff_seconds": round(self.backoff_seconds, 3),
                "by_kind": dict(self.by_kind), "by_status": dict(self.by_status)}


class SlidingWindowPacer:
    """At most `limit` requests of a kind in any window of `minute_seconds` (thread-safe).

    A sliding window (rather than a token bucket refilling continuously) never exceeds a fixed-window or
    sliding-window server quota, whatever the phase of the server's minute. Each slot is stamped again when
    its answer arrives (`settle`): the server counted the request somewhere between send and answer, so a
    window measured from the answer holds however late a loaded machine or network delivered the request.
    """

    def __init__(self, pacing: Pacing, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.pacing = pacing
        self.clock = clock
        self.sleep = sleep
        self._sent: dict[str, list[list[float]]] = {"read": [], "write": []}
        self._lock = threading.Lock()
        self._local = threading.local()  # the slot of this thread's request in flight

    def limit(self, kind: str) -> int:
        return self.pacing.reads_per_minute if kind == "read" else self.pacing.writes_per_minute

    def acquire(self, kind: str) -> float:
        """Wait until one more request of `kind` fits; return the seconds waited."""
        window = self.pacing.minute_seconds * (1 + self.pacing.margin)
        waited = 0.0
        with self._lock:
            sent = self._sent[kind]
            limit = max(1, self.limit(kind))
            while True:
                now = self.clock()
                sent[:] = [slot for slot in sent if slot[0] > now - window]
                if len(sent) < limit:
                    self._local.slot = [now]
                    sent.append(self._local.slot)
                    return waited
                delay = min(slot[0] for slot in sent) + window - now
                self.sleep(delay)
                waited += delay

    def settle(self) -> None:
        """The answer to this thread's last request arrived: the window counts from now."""
        slot = getattr(self._local, "slot", None)
        if slot is not None:
            with self._lock:
                slot[0] = max(slot[0], self.clock())
            self._local.slot = None


def request_kind(method: str, url: str) -> str:
    """"read" / "write" for Sheets API calls (what Google's quota counts), "drive" otherwise."""
    path = url.split("?", 1)[0]
    if "/v4/spreadsheets" not in path:
        return "drive"
    if method.upper() == "GET" or path.endswith((":batchGet", ":batchGetByDataFilter", ":getByDataFilter")):
        return "read"
    return "write"


def is_idempotent(method: str, url: str) -> bool:
    method = method.upper()
    if method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS"):
        return True
    path = url.split("?", 1)[0]
    # spreadsheets.batchUpdate is NOT safe (addSheet twice fails / duplicates); values:batchUpdate is.
    if path.endswith(":batchUpdate"):
        return "/values:batchUpdate" in path
    return path.endswith(_SAFE_POST_SUFFIXES)


def retry_reason(response: requests.Response) -> str | None:
    """Why a failed response is worth another try, or None when it is final."""
    status = response.status_code
    if status == 429:
        return "quota"
    if status == 408:
        return "timeout"
    if status in RETRY_STATUSES:
        return "server"
    if status == 403:
        try:
            errors = response.json().get("error", {}).get("errors") or []
        except ValueError:
            return None
        if any(isinstance(e, dict) and e.get("reason") in DRIVE_RATE_REASONS for e in errors):
            return "rate_limit"
    return None


def _retry_after(response: requests.Response | None) -> float:
    if response is None:
        return 0.0
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0  # the HTTP-date form is not used by Google APIs


class PacedRetryHTTPClient(HTTPClient):
    """gspread HTTP client with client-side pacing and bounded, jittered retries (see module docstring)."""

    def __init__(self, auth, session=None, *, pacing: Pacing | None = None, retry: RetryPolicy | None = None,
                 seed: int | None = None, pacer: SlidingWindowPacer | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        super().__init__(auth, session)
        if session is not None and auth is not None:
            self.auth = auth  # gspread drops it when a session is given; keep `client.expiry` working
        self.retry = retry or RetryPolicy()
        self.pacer = pacer or SlidingWindowPacer(pacing or Pacing(), clock=clock, sleep=sleep)
        self.sleep = sleep
        self.rng = random.Random(seed)
        self.stats = HttpStats()
        self.timeout = self.retry.timeout
        self._stats_lock = threading.Lock()

    def backoff(self, attempt: int, response: requests.Response | None = None) -> float:
        ceiling = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return max(self.rng.uniform(0, ceiling), _retry_after(response))

    def _count(self, **deltas: Any) -> None:
        with self._stats_lock:
            for name, value in deltas.items():
                if name in ("by_kind", "by_status"):
                    getattr(self.stats, name)[value] += 1
                else:
                    setattr(self.stats, name, getattr(self.stats, name) + value)

    def request(self, method, endpoint, params=None, data=None, json=None, files=None, headers=None):
        kind = request_kind(method, endpoint)
        tries = max(1, self.retry.max_tries)
        for attempt in range(1, tries + 1):
            if kind != "drive":
                waited = self.pacer.acquire(kind)
                if waited:
                    self._count(paced_seconds=waited)
            self._count(requests=1, by_kind=kind)
            try:
                response = self.session.request(method=method, url=endpoint, json=json, params=params, data=data,
                                                files=files, headers=headers, timeout=self.timeout)
            except RefreshError:
                self._count(failures=1, by_status="RefreshError")
                raise
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                    TransportError) as exc:
                self._count(by_status=type(exc).__name__)
                never_sent = isinstance(exc, (requests.ConnectTimeout, TransportError))
                reason = "timeout" if isinstance(exc, requests.Timeout) else "connection"
                if attempt == tries or not (never_sent or is_idempotent(method, endpoint)):
                    self._count(failures=1)
                    raise ConnectionFailed(f"{method.upper()} {endpoint.split('?')[0]}: {type(exc).__name__} "
                                           f"after {attempt} tries", reason=reason, tries=attempt) from exc
                delay = self.backoff(attempt)
            else:
                self._count(by_status=str(response.status_code))
                if response.ok:
                    return response
                reason = retry_reason(response)
                if reason is None:
                    raise APIError(response)
                if attempt == tries:
                    self._count(failures=1)
                    err = RetriesExhausted(response)
                    err.reason, err.tries = reason, attempt
                    raise err
                delay = self.backoff(attempt, response)
            finally:
                self.pacer.settle()
            self._count(retries=1, backoff_seconds=delay)
            self.sleep(delay)
        raise AssertionError("unreachable")  # the loop always returns or raises


def paced_client(pacing: Pacing | None = None, retry: RetryPolicy | None = None, *, seed: int | None = None,
                 pacer: SlidingWindowPacer | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
    """A factory with gspread's `http_client(auth, session)` shape, for `gclient.connect(http_client=…)`."""
    return functools.partial(PacedRetryHTTPClient, pacing=pacing, retry=retry, seed=seed, pacer=pacer,
                             sleep=sleep, clock=clock)


def paced_client_from_config(cfg, *, minute_seconds: float = 60.0, seed: int | None = None):
    """The factory configured from a `sync.config.Config` (quota and retry sections)."""
    return paced_client(Pacing(cfg.reads_per_minute, cfg.writes_per_minute, minute_seconds),
                        RetryPolicy(cfg.max_tries, cfg.base_delay, cfg.max_delay, cfg.timeout), seed=seed)


@contextlib.contextmanager
def open_clients(cfg, *scope_sets: Sequence[str], seed: int | None = None):
    """The composition root: one gspread client per scope set for the configuration's endpoint, paced and
    retried per its quota/retry settings (yields a tuple, in the order the scope sets were given).

    endpoint None → Google; a URL → an emulator already running there (`khet emulator serve`); "emulator" →
    ONE emulator started here for the duration (two would fight over its SQLite file), its state kept in
    `data_dir/emulator.sqlite` so consecutive commands see the same files. Same code path in all three: only
    the base URL and the key differ.
    """
    from sync.gclient import connect

    factory = paced_client_from_config(cfg, seed=seed)
    with contextlib.ExitStack() as stack:
        if cfg.endpoint == "emulator":
            from sync.emulator import Emulator

            Path(cfg.data_dir).mkdir(parents=True, exist_ok=True)
            emu = stack.enter_context(Emulator(db=Path(cfg.data_dir) / "emulator.sqlite", key_dir=Path(cfg.data_dir)))
            key, endpoint = emu.service_account(path=Path(cfg.data_dir) / "emulator-key.json"), emu.url
        else:
            from sync.config import ConfigError, check_key_file

            # A missing, unreadable or malformed key says so in Thai and English (google-auth's errors are English).
            if errors := [p for p in check_key_file(cfg.key_file) if p.severity == "error"]:
                raise ConfigError(errors)
            key, endpoint = cfg.key_file, cfg.endpoint
        yield tuple(connect(key, scopes, endpoint=endpoint, http_client=factory, timeout=cfg.timeout)
                    for scopes in scope_sets)


@contextlib.contextmanager
def open_google(cfg, scopes: Sequence[str], *, seed: int | None = None):
    """One client for one scope set (see :func:`open_clients`)."""
    with open_clients(cfg, scopes, seed=seed) as (client,):
        yield client
