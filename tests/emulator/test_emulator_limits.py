"""Quotas (Google's 429 bodies), injected faults deterministic under a seed, and request counters."""

import threading
import time

import pytest
import requests
from gspread.exceptions import APIError

from sync import gclient
from sync.emulator import Emulator
from sync.emulator.testing import connect_as

QUOTA_429 = {
    "code": 429,
    "status": "RESOURCE_EXHAUSTED",
    "message": "Quota exceeded for quota metric 'Read requests' and limit "
    "'Read requests per minute per user' of service 'sheets.googleapis.com' for consumer "
    "'project_number:100200300400'.",
}


def statuses(calls) -> list[int]:
    out = []
    for call in calls:
        try:
            call()
            out.append(200)
        except APIError as e:
            out.append(e.response.status_code)
    return out


def test_per_user_read_quota_and_window_refill(emulator, gc):
    sh = gc.create("q")
    # a half-hour "minute" (fresh windows on configure) keeps the real clock from turning it mid-test
    emulator.configure(user_quota=5, minute_seconds=1800)
    emulator.reset_counters()
    read = lambda: gc.http_client.values_get(sh.id, "Sheet1!A1")  # noqa: E731
    assert statuses([read] * 6) == [200] * 5 + [429]
    with pytest.raises(APIError) as e:
        read()
    body = e.value.response.json()["error"]
    assert {k: body[k] for k in ("code", "status", "message")} == QUOTA_429
    assert body["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert body["details"][0]["metadata"]["quota_limit_value"] == "5"
    gc.http_client.values_update(sh.id, "A1", {"valueInputOption": "RAW"}, {"values": [["own write bucket"]]})
    emulator.advance(1800)  # the next window; the access token (1 h) is still valid
    assert statuses([read]) == [200]
    c = emulator.counters()
    assert c["rate_limited"] == 2 and c["by_status"] == {"200": 7, "429": 2}
    assert c["by_kind"] == {"read": 8, "write": 1}


def test_scaled_minute_refills_in_real_time(emulator, gc):
    sh = gc.create("q")
    emulator.configure(user_quota=3, minute_seconds=1.0)
    read = lambda: gc.http_client.values_get(sh.id, "Sheet1!A1")  # noqa: E731
    time.sleep(1.0 - time.time() % 1.0 + 0.01)  # align with the start of a scaled minute
    assert statuses([read] * 4) == [200, 200, 200, 429]
    time.sleep(1.0)
    assert statuses([read]) == [200]


def test_429s_under_concurrent_load_are_exact(emulator, gc):
    sh = gc.create("q")
    emulator.configure(user_quota=10, minute_seconds=3600)
    emulator.reset_counters()
    results: list[int] = []
    lock = threading.Lock()

    def worker():
        got = statuses([lambda: gc.http_client.values_get(sh.id, "Sheet1!A1")] * 5)
        with lock:
            results.extend(got)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] * 10 + [429] * 10
    assert emulator.counters()["rate_limited"] == 10


def test_project_quota_is_shared_by_accounts_of_one_project(emulator, gc):
    sh = gc.create("q")
    sh.share("second@khet-district.iam.gserviceaccount.com", perm_type="user", role="reader", notify=False)
    other = connect_as(emulator, "second@khet-district.iam.gserviceaccount.com")
    emulator.configure(user_quota=5, project_quota=7, minute_seconds=3600)
    assert statuses([lambda: gc.http_client.values_get(sh.id, "A1")] * 5) == [200] * 5
    with pytest.raises(APIError) as e:
        for _ in range(3):
            other.http_client.values_get(sh.id, "A1")
    assert "Read requests per minute' of service" in e.value.response.json()["error"]["message"]


def test_drive_quota_answers_403_rate_limit(emulator, gc):
    emulator.configure(drive_user_quota=2, minute_seconds=3600)
    with pytest.raises(APIError) as e:
        for _ in range(3):
            gc.list_spreadsheet_files()
    assert e.value.response.json() == {
        "error": {
            "code": 403,
            "message": "User rate limit exceeded.",
            "errors": [
                {
                    "message": "User rate limit exceeded.",
                    "domain": "usageLimits",
                    "reason": "userRateLimitExceeded",
                }
            ],
        }
    }


def fault_pattern(seed: int) -> list[int]:
    with Emulator(seed=seed, error_500=0.2, error_503=0.2, error_429=0.1) as emu:
        gc = gclient.connect(emu.service_account(), gclient.SCOPES_READ, endpoint=emu.url)
        return statuses([lambda: gc.list_spreadsheet_files()] * 40)


def test_faults_are_deterministic_under_a_seed():
    first = fault_pattern(7)
    assert first == fault_pattern(7)
    assert first != fault_pattern(8)
    assert {429, 500, 503, 200} == set(first)


def test_fault_bodies_and_per_file_faults(emulator, gc):
    bad, good = gc.create("bad"), gc.create("good")
    emulator.configure(file_faults={bad.id: {"error_500": 1.0}})
    with pytest.raises(APIError) as e:
        gc.http_client.values_get(bad.id, "A1")
    assert e.value.response.json() == {
        "error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}
    }
    assert gc.http_client.values_get(good.id, "A1") == {"range": "Sheet1!A1", "majorDimension": "ROWS"}
    emulator.configure(file_faults={bad.id: None}, error_503=1.0)
    with pytest.raises(APIError) as e:
        gc.http_client.values_get(good.id, "A1")
    assert e.value.response.json() == {
        "error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}
    }
    with pytest.raises(APIError) as e:
        gc.list_spreadsheet_files()
    assert e.value.response.json() == {
        "error": {
            "code": 503,
            "message": "Backend Error",
            "errors": [{"message": "Backend Error", "domain": "global", "reason": "backendError"}],
        }
    }
    emulator.configure(error_503=0.0)
    assert gc.http_client.values_get(bad.id, "A1")["range"] == "Sheet1!A1"
    assert emulator.counters()["faults"] == 3


def test_faulted_writes_change_nothing(emulator, gc):
    sh = gc.create("w")
    emulator.configure(error_503=1.0)
    with pytest.raises(APIError):
        sh.sheet1.update([["lost"]], "A1")
    emulator.configure(error_503=0.0)
    assert sh.sheet1.get_all_values() == [[]]


def test_dropped_connections_and_stalls(emulator, sa_key):
    gc = gclient.connect(sa_key, gclient.SCOPES_READ, endpoint=emulator.url, timeout=0.5)
    gc.list_spreadsheet_files()
    emulator.configure(drop_probability=1.0)
    with pytest.raises(requests.exceptions.ConnectionError):
        gc.list_spreadsheet_files()
    emulator.configure(drop_probability=0.0, stall_probability=1.0, stall_seconds=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        gc.list_spreadsheet_files()
    emulator.configure(stall_probability=0.0)
    assert gc.list_spreadsheet_files() == []
    c = emulator.counters()
    assert c["dropped"] == 1 and c["faults"] == 1


def test_latency_is_added_to_each_call(emulator, gc):
    emulator.configure(latency=0.2)
    start = time.perf_counter()
    gc.list_spreadsheet_files()
    assert time.perf_counter() - start >= 0.2


def test_counters_and_config_over_http(emulator, gc):
    sh = gc.create("c")
    emulator.reset_counters()
    gc.http_client.values_batch_get(sh.id, ["A1", "B2"])
    gc.http_client.values_update(sh.id, "A1", {"valueInputOption": "RAW"}, {"values": [["x"]]})
    over_http = requests.get(f"{emulator.url}/_emulator/counters", timeout=5).json()
    assert over_http == emulator.counters()
    account = "khet-sync@khet-district.iam.gserviceaccount.com"
    assert over_http["total"] == 2
    assert over_http["by_endpoint"] == {"GET sheets.values.batchGet": 1, "PUT sheets.values.update": 1}
    assert over_http["by_account"] == {account: 2}
    assert over_http["by_account_kind"] == {account: {"read": 1, "write": 1}}
    assert over_http["by_file"] == {sh.id: 2}
    settings = requests.post(
        f"{emulator.url}/_emulator/config", json={"error_503": 1.0, "user_quota": 90}, timeout=5
    ).json()
    assert settings["error_503"] == 1.0 and settings["user_quota"] == 90
    with pytest.raises(APIError) as e:
        gc.http_client.values_get(sh.id, "A1")
    assert e.value.response.status_code == 503
    assert requests.post(f"{emulator.url}/_emulator/reset_counters", timeout=5).json()["total"] == 0
    r = requests.post(f"{emulator.url}/_emulator/config", json={"bogus": 1}, timeout=5)
    assert r.status_code == 400 and "unknown emulator setting: bogus" in r.json()["error"]["message"]
