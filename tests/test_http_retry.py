"""The paced, retrying HTTP client: which answers it retries, how long it waits, when it gives up — against the
emulator's injected faults (real HTTP), and the pacing/backoff arithmetic on an injected clock."""

import json

import pytest
import requests
from google.auth.exceptions import RefreshError
from gspread.exceptions import APIError

from sync.gclient import SCOPES_PROVISION, connect, drive_url
from sync.http import (
    ConnectionFailed,
    PacedRetryHTTPClient,
    Pacing,
    RetriesExhausted,
    RetryPolicy,
    SlidingWindowPacer,
    is_idempotent,
    paced_client,
    request_kind,
    retry_reason,
)

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets/ID"


class FakeClock:
    """Time that only moves when the pacer sleeps: pacing decisions become exact numbers."""

    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_request_kinds_and_idempotence():
    assert request_kind("GET", SHEETS + "/values/A1") == "read"
    assert request_kind("GET", SHEETS + "/values:batchGet?ranges=A1") == "read"
    assert request_kind("POST", SHEETS + "/values:batchGetByDataFilter") == "read"
    assert request_kind("PUT", SHEETS + "/values/A1") == "write"
    assert request_kind("POST", SHEETS + ":batchUpdate") == "write"
    assert request_kind("GET", "https://www.googleapis.com/drive/v3/files") == "drive"
    assert is_idempotent("POST", SHEETS + "/values:batchUpdate")
    assert is_idempotent("POST", SHEETS + "/values:batchClear")
    assert is_idempotent("PUT", SHEETS + "/values/A1")
    assert not is_idempotent("POST", SHEETS + ":batchUpdate")
    assert not is_idempotent("POST", SHEETS + "/values/A1:append")
    assert not is_idempotent("POST", "https://www.googleapis.com/drive/v3/files/X/copy")


def _response(status, body, headers=None):
    r = requests.Response()
    r.status_code = status
    r._content = json.dumps(body).encode()
    r.headers.update(headers or {})
    return r


def test_retry_reasons():
    assert retry_reason(_response(429, {"error": {"code": 429}})) == "quota"
    assert retry_reason(_response(408, {})) == "timeout"
    for status in (500, 502, 503, 504):
        assert retry_reason(_response(status, {})) == "server"
    drive_limit = {"error": {"code": 403, "errors": [{"domain": "usageLimits", "reason": "userRateLimitExceeded"}]}}
    assert retry_reason(_response(403, drive_limit)) == "rate_limit"
    denied = {"error": {"code": 403, "errors": [{"domain": "global", "reason": "insufficientFilePermissions"}]}}
    assert retry_reason(_response(403, denied)) is None
    assert retry_reason(_response(403, {"error": {"code": 403, "status": "PERMISSION_DENIED"}})) is None
    for status in (400, 401, 404, 501):
        assert retry_reason(_response(status, {})) is None


def test_sliding_window_pacing_is_exact():
    clock = FakeClock()
    pacer = SlidingWindowPacer(Pacing(3, 2, minute_seconds=10.0, margin=0.0), clock=clock, sleep=clock.sleep)
    assert [pacer.acquire("read") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pacer.acquire("read") == 10.0  # the 4th read waits for the first three to leave the window
    clock.now += 4.0
    assert [pacer.acquire("read"), pacer.acquire("read")] == [0.0, 0.0]
    assert pacer.acquire("read") == 6.0  # until the 4th (sent at 110) leaves at 120
    assert clock.slept == [10.0, 6.0]
    # writes have their own window
    assert [pacer.acquire("write") for _ in range(2)] == [0.0, 0.0]
    assert pacer.acquire("write") == 10.0


def test_a_slot_counts_from_when_its_answer_arrived():
    """A request delivered late (a loaded machine, a slow network) is counted by the server late: the window
    runs from the answer, so the next requests can never crowd into the server's next window."""
    clock = FakeClock()
    pacer = SlidingWindowPacer(Pacing(2, 2, minute_seconds=10.0, margin=0.0), clock=clock, sleep=clock.sleep)
    assert pacer.acquire("read") == 0.0  # sent at 100 ...
    clock.now += 3.0
    pacer.settle()  # ... answered at 103: the server counted it somewhere in 100..103
    assert pacer.acquire("read") == 0.0  # sent at 103, never settled (still counts from 103)
    assert pacer.acquire("read") == 10.0  # waits until 113, not 110
    pacer.settle()
    pacer.settle()  # settling twice is harmless
    assert clock.slept == [10.0]


def test_pacing_margin_widens_the_window():
    clock = FakeClock()
    pacer = SlidingWindowPacer(Pacing(1, 1, minute_seconds=60.0, margin=0.05), clock=clock, sleep=clock.sleep)
    pacer.acquire("read")
    assert pacer.acquire("read") == pytest.approx(63.0)


def test_full_jitter_backoff_is_bounded_seeded_and_honours_retry_after():
    def delays(seed):
        c = PacedRetryHTTPClient(None, requests.Session(), retry=RetryPolicy(8, 1.0, 10.0), seed=seed)
        return [c.backoff(n) for n in range(1, 9)]

    a, b, other = delays(7), delays(7), delays(8)
    assert a == b and a != other
    for n, d in enumerate(a, start=1):
        assert 0 <= d <= min(10.0, 2 ** (n - 1))
    c = PacedRetryHTTPClient(None, requests.Session(), retry=RetryPolicy(3, 0.01, 0.02), seed=1)
    assert c.backoff(1, _response(429, {}, {"Retry-After": "7"})) == 7.0


def _client(emu, key, retry, *, seed=0, timeout=5):
    clock = FakeClock()  # backoff sleeps are recorded, not slept: the test stays fast and exact
    gc = connect(key, SCOPES_PROVISION, endpoint=emu.url, timeout=timeout,
                 http_client=paced_client(Pacing(1000, 1000), retry, seed=seed, sleep=clock.sleep, clock=clock))
    return gc, clock


@pytest.fixture
def sheet(emulator, sa_key):
    gc, _ = _client(emulator, sa_key, RetryPolicy(1))
    return gc.create("ทดสอบ").id


@pytest.mark.parametrize("fault,reason", [("error_500", "server"), ("error_503", "server"), ("error_429", "quota")])
def test_retryable_status_is_tried_exactly_max_tries_then_typed_error(emulator, sa_key, sheet, fault, reason):
    gc, clock = _client(emulator, sa_key, RetryPolicy(4, 1.0, 8.0))
    emulator.configure(file_faults={sheet: {fault: 1.0}})
    emulator.reset_counters()
    with pytest.raises(RetriesExhausted) as e:
        gc.http_client.values_get(sheet, "A1:B2")
    assert isinstance(e.value, APIError)  # still gspread's error type for callers that catch APIError
    assert (e.value.reason, e.value.tries) == (reason, 4)
    assert emulator.counters()["by_file"][sheet] == 4
    stats = gc.http_client.stats
    assert (stats.requests, stats.retries, stats.failures) == (4, 3, 1)
    assert len(clock.slept) == 3 and stats.backoff_seconds == pytest.approx(sum(clock.slept))
    assert all(d <= cap for d, cap in zip(clock.slept, (1.0, 2.0, 4.0), strict=True))


def test_transient_faults_are_ridden_out(emulator, sa_key, sheet):
    gc, _ = _client(emulator, sa_key, RetryPolicy(10, 0.01, 0.02), seed=5)
    gc.http_client.values_update(sheet, "A1", params={"valueInputOption": "RAW"}, body={"values": [["ok"]]})
    emulator.configure(seed=11, error_500=0.3, error_503=0.2)
    emulator.reset_counters()
    for _ in range(10):
        assert gc.http_client.values_get(sheet, "A1")["values"] == [["ok"]]
    c = emulator.counters()
    assert c["faults"] > 0 and c["total"] == 10 + c["faults"] == gc.http_client.stats.requests - 1


@pytest.mark.parametrize("status_fault", ["not_found", "forbidden", "unsupported"])
def test_final_errors_are_not_retried(emulator, sa_key, sheet, status_fault):
    gc, _ = _client(emulator, sa_key, RetryPolicy(5, 0.01, 0.02))
    emulator.reset_counters()
    with pytest.raises(APIError) as e:
        if status_fault == "not_found":
            gc.http_client.values_get("no-such-sheet", "A1")
        elif status_fault == "forbidden":
            other = connect(emulator.service_account("someone@else.example"), SCOPES_PROVISION,
                            endpoint=emulator.url, http_client=paced_client(retry=RetryPolicy(5, 0.01, 0.02)))
            other.http_client.values_get(sheet, "A1")
        else:
            gc.http_client.batch_update(sheet, {"requests": [{"addChart": {"chart": {}}}]})
    assert not isinstance(e.value, RetriesExhausted)
    assert e.value.response.status_code in {"not_found": (404,), "forbidden": (403, 404),
                                            "unsupported": (400, 501)}[status_fault]
    assert emulator.counters()["by_endpoint"].get("POST oauth2.token", 0) + 1 == emulator.counters()["total"]


def test_drive_rate_limit_403_is_retried(emulator, sa_key):
    gc, clock = _client(emulator, sa_key, RetryPolicy(3, 1.0, 4.0))
    gc.http_client.request("get", drive_url("files"))  # sign in first
    emulator.configure(drive_user_quota=1, minute_seconds=3600)  # a fresh, hour-long window
    emulator.reset_counters()
    gc.http_client.request("get", drive_url("files"))
    with pytest.raises(RetriesExhausted) as e:
        gc.http_client.request("get", drive_url("files"))
    assert (e.value.response.status_code, e.value.reason, e.value.tries) == (403, "rate_limit", 3)
    assert e.value.error["errors"][0]["reason"] in ("userRateLimitExceeded", "rateLimitExceeded")
    assert emulator.counters()["total"] == 4


def test_stalled_reads_time_out_and_are_retried_but_appends_are_not(emulator, sa_key, sheet):
    gc, _ = _client(emulator, sa_key, RetryPolicy(2, 0.01, 0.02), timeout=0.3)
    gc.http_client.values_get(sheet, "A1")  # sign in before the stall
    emulator.configure(file_faults={sheet: {"stall_probability": 1.0, "stall_seconds": 0.8}})
    with pytest.raises(ConnectionFailed) as e:
        gc.http_client.values_get(sheet, "A1")
    assert (e.value.reason, e.value.tries) == ("timeout", 2)
    with pytest.raises(ConnectionFailed) as e:
        gc.http_client.values_append(sheet, "A1", params={"valueInputOption": "RAW"}, body={"values": [["x"]]})
    # an append may have happened on the server: sending it twice would duplicate the row
    assert (e.value.reason, e.value.tries) == ("timeout", 1)


def test_dropped_connections_are_retried_for_idempotent_calls_only(emulator, sa_key, sheet):
    gc, _ = _client(emulator, sa_key, RetryPolicy(3, 0.01, 0.02))
    gc.http_client.values_get(sheet, "A1")
    emulator.configure(file_faults={sheet: {"drop_probability": 1.0}})
    emulator.reset_counters()
    with pytest.raises(ConnectionFailed) as e:
        gc.http_client.values_batch_get(sheet, ["A1"])
    assert (e.value.reason, e.value.tries) == ("connection", 3)
    with pytest.raises(ConnectionFailed) as e:
        gc.http_client.batch_update(sheet, {"requests": [{"addSheet": {"properties": {"title": "x"}}}]})
    assert e.value.tries == 1
    assert emulator.counters()["dropped"] == 4


def test_refused_key_is_never_retried(emulator, sa_key, tmp_path):
    info = json.loads(sa_key.read_text())
    info["client_email"] = "unknown@khet-district.iam.gserviceaccount.com"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(info))
    gc, clock = _client(emulator, bad, RetryPolicy(5, 0.01, 0.02))
    emulator.reset_counters()
    with pytest.raises(RefreshError) as e:
        gc.http_client.request("get", drive_url("files"))
    assert "invalid_grant" in str(e.value)
    assert emulator.counters()["total"] == 1 and clock.slept == []
    assert gc.http_client.stats.failures == 1


def test_token_expiry_is_refreshed_transparently(emulator, sa_key, sheet):
    gc, _ = _client(emulator, sa_key, RetryPolicy(2, 0.01, 0.02))
    gc.http_client.values_get(sheet, "A1")
    emulator.advance(3700)  # past the 3600 s token lifetime
    emulator.reset_counters()
    gc.http_client.values_get(sheet, "A1")
    assert emulator.counters()["by_endpoint"].get("POST oauth2.token") == 1
    assert gc.http_client.stats.retries == 0
