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


def test_runtime_code_needs_no_test_packages():
    """Users install without the [test] extra: nothing they run may import pytest or hypothesis."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    allowed = {root / "sync" / "emulator" / "testing.py"}  # the pytest fixtures, loaded only by tests
    offenders = []
    for package in ("workbook", "addin", "sync"):
        for path in (root / package).rglob("*.py"):
            if path in allowed:
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"^\s*(import|from)\s+(pytest|hypothesis)\b|sync\.emulator\.testing", text, re.M):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
    code = "import sys, importlib\n" + "".join(
        f"importlib.import_module({m!r})\n" for m, _ in COMMANDS.values()
    ) + "assert not {'pytest', 'hypothesis'} & set(sys.modules), sorted({'pytest', 'hypothesis'} & set(sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_runtime_imports_are_declared_dependencies():
    """Every third-party package the runtime code imports is in [project] dependencies, not only in the
    [test] extra (`khet workbook build` once needed oletools, installed only with the tests)."""
    import ast
    import re
    import tomllib
    from importlib.metadata import packages_distributions
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower() for r in project["dependencies"]}
    distributions = packages_distributions()
    undeclared = set()
    for package in ("workbook", "addin", "sync"):
        for path in (root / package).rglob("*.py"):
            if path == root / "sync" / "emulator" / "testing.py":  # the pytest fixtures, loaded only by tests
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in ("workbook", "addin", "sync"):
                        continue
                    dists = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
                    if not dists & declared:
                        undeclared.add(f"{top} ({path.relative_to(root)})")
    assert sorted(undeclared) == []


def test_output_cut_short_by_the_reader_is_not_a_traceback():
    """`khet history school CODE | head -1` once ended in a BrokenPipeError traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "sync.cli", "date", "14", "ก.พ.", "66"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader leaves before the answer is written (Python takes longer to start)
    err = proc.stderr.read().decode("utf-8")
    assert (proc.wait(timeout=60), err) == (1, "")
