import subprocess
import sys

from sync.cli import COMMANDS, main


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"  {name}" in out


def test_unknown_command_exits_2(capsys):
    assert main(["nonsense"]) == 2
    assert "unknown command 'nonsense'" in capsys.readouterr().err


def test_every_command_module_imports():
    import importlib

    for module, _ in COMMANDS.values():
        mod = importlib.import_module(module)
        assert callable(mod.main), module


def test_ruff_clean():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "."], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
