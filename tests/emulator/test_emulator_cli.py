"""`khet emulator serve` in its own process: prints URL and key path, works with gspread, is driven over
HTTP.
"""

import json
import re
import signal
import subprocess
import sys

from sync import gclient
from sync.commands import emulator as command


def read_until(proc, pattern: str, lines: list[str]) -> re.Match:
    for line in proc.stdout:
        lines.append(line)
        m = re.search(pattern, line)
        if m:
            return m
    raise AssertionError("".join(lines))


def test_serve_counters_config(tmp_path, capsys):
    key_out = tmp_path / "key.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.cli",
            "emulator",
            "serve",
            "--port",
            "0",
            "--seed",
            "5",
            "--db",
            str(tmp_path / "state.sqlite"),
            "--key-out",
            str(key_out),
        ],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    lines: list[str] = []
    try:
        url = read_until(proc, r"(http://127\.0\.0\.1:\d+)", lines)[1]
        key_path = read_until(proc, r"key file: (.+)$", lines)[1].strip()
        assert key_path == str(key_out.resolve())
        assert json.loads(key_out.read_text())["token_uri"] == f"{url}/token"
        gc = gclient.connect(key_out, gclient.SCOPES_PROVISION, endpoint=url)
        gc.create("from the CLI")
        assert command.main(["counters", "--url", url]) == 0
        counters = json.loads(capsys.readouterr().out)
        assert counters["by_endpoint"]["POST drive.files.create"] == 1
        assert command.main(["files", "--url", url]) == 0
        (listed,) = json.loads(capsys.readouterr().out)
        assert (listed["name"], listed["sheets"], listed["trashed"]) == ("from the CLI", ["Sheet1"], False)
        assert command.main(["config", "--url", url, "error_503=0.25", "user_quota=100"]) == 0
        settings = json.loads(capsys.readouterr().out)
        assert (settings["error_503"], settings["user_quota"], settings["seed"]) == (0.25, 100, 5)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "stopped" in out
    assert (tmp_path / "state.sqlite").exists()


def test_unreachable_emulator_is_reported(capsys):
    assert command.main(["counters", "--url", "http://127.0.0.1:9"]) == 1
    out = capsys.readouterr().out
    assert "ติดต่อโปรแกรมจำลอง" in out and "cannot reach the emulator" in out


def test_refused_or_malformed_settings_are_reported(emulator, capsys):
    # An unknown setting was reported as "cannot reach the emulator: HTTP Error 400"; `error_503 0.1` was ignored.
    assert command.main(["config", "--url", emulator.url, "bogus=1"]) == 1
    assert capsys.readouterr().err == "โปรแกรมจำลองไม่รับคำสั่ง / the emulator refused: unknown emulator setting: bogus\n"
    assert command.main(["config", "--url", emulator.url, "error_503", "0.1"]) == 2
    assert capsys.readouterr().err == ("ต้องเขียนเป็น ชื่อ=ค่า เช่น error_503=0.1: error_503 0.1 / "
                                       "settings are KEY=VALUE, e.g. error_503=0.1: error_503 0.1\n")
    assert emulator.configure()["error_503"] == 0
