import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sync.commands.config import main as config_main
from sync.config import SETTINGS, ConfigError, check_config, example_toml, load_config, redact_url


def _key_file(path: Path, **overrides) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    info = {"type": "service_account", "project_id": "khet", "private_key_id": "k1", "private_key": pem,
            "client_email": "khet-sync@khet-district.iam.gserviceaccount.com", "client_id": "1",
            "token_uri": "http://127.0.0.1:1/token"}
    info.update(overrides)
    path.write_text(json.dumps(info), encoding="utf-8")
    path.chmod(0o600)
    return path


def _codes(problems):
    return sorted(p.code for p in problems)


def test_file_values_relative_paths_and_env_override(tmp_path):
    cfg_dir = tmp_path / "conf"
    cfg_dir.mkdir()
    (cfg_dir / "khet.toml").write_text(
        '[google]\nkey_file = "secrets/key.json"\ndrive_folder_id = "FOLDER1"\nendpoint = "emulator"\n'
        '[schedule]\ntime = "01:30"\n[paths]\nregistry = "reg.csv"\n[quota]\nreads_per_minute = 50\n'
        '[retry]\nmax_tries = 4\ntimeout = 20\n', encoding="utf-8")
    env = {"KHET_DRIVE_FOLDER_ID": "FOLDER2", "KHET_SCHEDULE": "03:15", "KHET_BASE_DELAY": "0.5"}
    cfg = load_config(cfg_dir / "khet.toml", env=env)
    assert cfg.key_file == cfg_dir / "secrets" / "key.json"
    assert cfg.registry == cfg_dir / "reg.csv"
    assert cfg.drive_folder_id == "FOLDER2"
    assert cfg.schedule_time == "03:15"
    assert cfg.endpoint == "emulator"
    assert (cfg.reads_per_minute, cfg.max_tries, cfg.timeout, cfg.base_delay) == (50, 4, 20.0, 0.5)
    assert cfg.origins["drive_folder_id"] == "env" and cfg.origins["reads_per_minute"] == "file"
    assert cfg.origins.get("writes_per_minute") is None
    assert cfg.load_problems == []


def test_default_file_in_cwd_and_khet_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config(env={}).source is None
    Path("khet.toml").write_text('[google]\ndrive_folder_id = "A"\n', encoding="utf-8")
    assert load_config(env={}).drive_folder_id == "A"
    other = tmp_path / "other.toml"
    other.write_text('[google]\ndrive_folder_id = "B"\n', encoding="utf-8")
    assert load_config(env={"KHET_CONFIG": str(other)}).drive_folder_id == "B"


def test_google_application_credentials_is_the_last_resort(tmp_path):
    cfg = load_config(env={"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "g.json")})
    assert cfg.key_file == tmp_path / "g.json"
    cfg = load_config(env={"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "g.json"),
                           "KHET_KEY_FILE": str(tmp_path / "k.json")})
    assert cfg.key_file == tmp_path / "k.json"


def test_missing_explicit_file_and_bad_toml_raise_in_both_languages(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path / "nope.toml", env={})
    assert e.value.problems[0].code == "file.missing"
    assert "ไม่พบไฟล์ตั้งค่า" in str(e.value) and "not found" in str(e.value)
    bad = tmp_path / "bad.toml"
    bad.write_text("[google\nkey_file = 1", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(bad, env={})
    assert e.value.problems[0].code == "file.invalid"


def test_bad_values_and_unknown_settings_become_problems(tmp_path):
    f = tmp_path / "k.toml"
    f.write_text('[quota]\nreads_per_minute = "lots"\n[retry]\nmax_tries = 2.5\n[google]\nfolder = "x"\n'
                 'stray = 1\n', encoding="utf-8")
    cfg = load_config(f, env={"KHET_TIMEOUT": "soon"})
    assert cfg.reads_per_minute == 60 and cfg.max_tries == 5 and cfg.timeout == 60.0
    assert _codes(cfg.load_problems) == ["setting.unknown"] * 2 + ["value.invalid"] * 3
    unknown = next(p for p in cfg.load_problems if p.code == "setting.unknown")
    assert unknown.setting == "google.folder" and "typo" in unknown.message_en
    env_problem = next(p for p in cfg.load_problems if p.setting == "retry.timeout")
    assert "KHET_TIMEOUT" in env_problem.message_en and "ไม่ถูกต้อง" in env_problem.message_th
    assert sorted(p.setting for p in cfg.load_problems if p.code == "setting.unknown") == ["google.folder",
                                                                                           "google.stray"]


def test_check_complete_config_has_no_problem(tmp_path):
    key = _key_file(tmp_path / "key.json")
    reg = tmp_path / "reg.csv"
    reg.write_text("x", encoding="utf-8")
    env = {"KHET_KEY_FILE": str(key), "KHET_DRIVE_FOLDER_ID": "F0lder_-1", "KHET_DISTRICT_SPREADSHEET_ID": "D1",
           "KHET_TEMPLATE_SPREADSHEET_ID": "T1", "KHET_REGISTRY": str(reg), "KHET_DATA_DIR": str(tmp_path / "d"),
           "KHET_LOG_DIR": str(tmp_path / "l"), "KHET_REPORT_DIR": str(tmp_path / "o")}
    assert check_config(load_config(env=env)) == []


def test_check_embedded_emulator_needs_no_key_or_folder(tmp_path):
    # `endpoint = "emulator"` runs (its emulator issues the key) while check used to report two errors.
    reg = tmp_path / "reg.csv"
    reg.write_text("x", encoding="utf-8")
    env = {"KHET_ENDPOINT": "emulator", "KHET_DISTRICT_SPREADSHEET_ID": "D1", "KHET_TEMPLATE_SPREADSHEET_ID": "T1",
           "KHET_REGISTRY": str(reg), "KHET_DATA_DIR": str(tmp_path / "d"), "KHET_LOG_DIR": str(tmp_path / "l"),
           "KHET_REPORT_DIR": str(tmp_path / "o")}
    assert [(p.code, p.severity) for p in check_config(load_config(env=env))] == [
        ("drive_folder_id.missing", "warning")]
    env["KHET_KEY_FILE"] = str(tmp_path / "none.json")  # a key named explicitly is still checked
    assert _codes(check_config(load_config(env=env))) == ["drive_folder_id.missing", "key_file.not_found"]


def test_check_reports_each_problem_in_thai_and_english(tmp_path):
    (tmp_path / "notjson.json").write_text("{private_key: SECRET", encoding="utf-8")
    env = {"KHET_KEY_FILE": str(tmp_path / "notjson.json"), "KHET_DRIVE_FOLDER_ID": "https://drive.google.com/x",
           "KHET_SCHEDULE": "25:00", "KHET_READS_PER_MINUTE": "100", "KHET_MAX_TRIES": "0",
           "KHET_REGISTRY": str(tmp_path / "reg.txt"), "KHET_ENDPOINT": "ftp://x"}
    problems = check_config(load_config(env=env))
    assert _codes(problems) == ["district_spreadsheet_id.missing", "drive_folder_id.invalid", "endpoint.invalid",
                                "key_file.not_json", "quota.above_google", "registry.type", "retry.invalid",
                                "schedule.invalid", "template_spreadsheet_id.missing"]
    assert [p.severity for p in problems][:6] == ["error"] * 6  # errors first
    for p in problems:
        assert p.message_th and p.message_en and p.message_th != p.message_en
    # the key's contents are a secret: never echoed
    assert all("SECRET" not in p.message_th + p.message_en for p in problems)


@pytest.mark.parametrize("overrides,code", [
    ({"type": "authorized_user"}, "key_file.not_service_account"),
    ({"client_email": ""}, "key_file.incomplete"),
    ({"private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}, "key_file.bad_private_key"),
])
def test_key_file_checks(tmp_path, overrides, code):
    key = _key_file(tmp_path / "key.json", **overrides)
    problems = check_config(load_config(env={"KHET_KEY_FILE": str(key)}))
    assert [p.code for p in problems if p.setting == "google.key_file"] == [code]


def test_key_readable_by_others_is_a_warning(tmp_path):
    key = _key_file(tmp_path / "key.json")
    os.chmod(key, 0o644)
    problems = [p for p in check_config(load_config(env={"KHET_KEY_FILE": str(key)}))
                if p.setting == "google.key_file"]
    assert [(p.code, p.severity) for p in problems] == [("key_file.readable_by_others", "warning")]


def test_repr_and_show_never_reveal_secrets(tmp_path, capsys):
    key = _key_file(tmp_path / "key.json")
    env = {"KHET_KEY_FILE": str(key), "KHET_ENDPOINT": "http://user:pw@127.0.0.1:8080/x?token=abc"}
    cfg = load_config(env=env)
    assert redact_url(cfg.endpoint) == "http://127.0.0.1:8080/x"
    text = repr(cfg)
    assert "pw" not in text and "token=abc" not in text and "PRIVATE" not in text
    assert config_main(["show", "--config", str(_toml(tmp_path, f'[google]\nkey_file = "{key}"\n'
                                                             'endpoint = "http://u:secret@127.0.0.1:1/?t=z"\n'))]) == 0
    out = capsys.readouterr().out
    assert "secret" not in out and "PRIVATE" not in out and "google.endpoint" in out and "(file)" in out


def _toml(tmp_path, text):
    p = tmp_path / "show.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_cli_check_exit_codes(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("KHET_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    for s in SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    assert config_main(["check"]) == 1
    out = capsys.readouterr().out
    assert "ยังไม่ได้ระบุไฟล์กุญแจ" in out and "no service-account key file set" in out
    from sync.cli import main as khet

    assert khet(["config", "check", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_example_file_is_the_generated_one_and_loads_cleanly(tmp_path):
    shipped = Path(__file__).resolve().parents[1] / "khet.example.toml"
    assert shipped.read_text(encoding="utf-8") == example_toml()
    cfg = load_config(shipped, env={})
    assert cfg.load_problems == []
    assert cfg.key_file == shipped.parent / "secrets" / "khet-sync.json"
    assert (cfg.reads_per_minute, cfg.schedule_time, cfg.endpoint) == (60, "02:00", None)


def test_every_command_says_when_the_config_file_is_missing(tmp_path, capsys):
    """The CLI says it once for config, sync, schools and history: exit 2 and the reason, no traceback."""
    from sync.cli import main as khet

    missing = tmp_path / "missing.toml"
    for argv in (["config", "show", "--config", str(missing)], ["sync", "--config", str(missing), "run"],
                 ["schools", "read", "--config", str(missing)], ["history", "--config", str(missing), "runs"]):
        assert khet(argv) == 2, argv
        captured = capsys.readouterr()
        assert captured.err == f"ERROR: ไม่พบไฟล์ตั้งค่า {missing} / configuration file {missing} not found\n", argv
        assert captured.out == ""


def test_a_bad_key_file_is_explained_by_every_google_command(tmp_path, capsys, monkeypatch):
    # google-auth's own English (or a bare FileNotFoundError) used to reach the district's IT person.
    from sync.cli import main as khet

    for s in SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    (tmp_path / "key.json").write_text("{}", encoding="utf-8")
    (tmp_path / "reg.csv").write_text("รหัสโรงเรียน,ชื่อโรงเรียน,อีเมลติดต่อ\n1020080005,บ้านหนองบัว,a@school.example\n",
                                      encoding="utf-8")
    cfg = tmp_path / "khet.toml"
    cfg.write_text(f'[google]\nkey_file = "key.json"\n[paths]\nregistry = "reg.csv"\ndata_dir = "{tmp_path / "d"}"\n',
                   encoding="utf-8")
    th = f"ไฟล์ {tmp_path / 'key.json'} ไม่ใช่กุญแจบัญชีบริการ (type ต้องเป็น service_account)"
    en = f"{tmp_path / 'key.json'} is not a service-account key (type must be service_account)"
    # Checked before any work, by the same code as `khet config check` (issue 10): exit 2, the setting named.
    assert khet(["schools", "template", "--config", str(cfg)]) == 2
    assert f"ERROR: [google.key_file] {th} / {en}\n" in capsys.readouterr().err
    assert khet(["sync", "run", "--config", str(cfg), "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert {"setting": "google.key_file", "message_th": th, "message_en": en} .items() <= next(
        p for p in error["problems"] if p["setting"] == "google.key_file").items()


def test_config_check_validates_the_office_section(tmp_path):
    """Issue 16: `khet config check` said nothing about [office] (a zero poll, office hours that cannot be read,
    a sign-in client file that is not one)."""
    from sync.config import check_config, load_config

    (tmp_path / "client.json").write_text('{"web": {}}', encoding="utf-8")
    cfg_file = tmp_path / "khet.toml"
    cfg_file.write_text('[google]\nendpoint = "emulator"\n[office]\npoll_minutes = 0\nhours = "17:00-08:00"\n'
                        'account = "somchai"\noauth_client = "client.json"\n', encoding="utf-8")
    problems = {p.setting: p for p in check_config(load_config(cfg_file)) if p.setting.startswith("office.")}
    assert {k for k, p in problems.items() if p.severity == "error"} == {
        "office.poll_minutes", "office.hours", "office.account", "office.oauth_client"}
    assert "ชม:นาที-ชม:นาที" in problems["office.hours"].message_th
    assert "Desktop-app" in problems["office.oauth_client"].message_en
    cfg_file.write_text('[google]\nendpoint = "emulator"\n[office]\naccount = "somchai@district.go.th"\n'
                        'oauth_client = "missing.json"\n', encoding="utf-8")
    problems = {p.setting: p.code for p in check_config(load_config(cfg_file)) if p.setting.startswith("office.")}
    assert problems == {"office.oauth_client": "office.oauth_client_missing"}
    cfg_file.write_text('[google]\nendpoint = "emulator"\n', encoding="utf-8")
    assert not [p for p in check_config(load_config(cfg_file)) if p.setting.startswith("office.")]
