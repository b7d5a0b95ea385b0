"""Shared pytest fixtures."""

import os

# xlwings registers its remote engine (xw.Book(json=...), used by tests/test_buttons.py) only if the key is set
# when it is first imported. PolyForm Noncommercial: use by educational/government institutions is permitted.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from sync.emulator.testing import *  # noqa: F401,F403


def pytest_terminal_summary(terminalreporter):
    """Say loudly when the real-client tests (tests/realclient.py) did not run: a green run without them has not
    looked at a single rendered page."""
    from realclient import SKIP_BANNER

    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_BANNER in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep("!", f"{SKIP_BANNER} ({len(skipped)} tests)", red=True, bold=True)
        terminalreporter.write_line(str(skipped[0].longrepr[-1]), red=True)
