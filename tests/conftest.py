"""Shared pytest fixtures."""

import os

# xlwings registers its remote engine (xw.Book(json=...), used by tests/test_buttons.py) only if the key is set
# when it is first imported. PolyForm Noncommercial: use by educational/government institutions is permitted.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import pytest  # noqa: E402

from sync.emulator.testing import *  # noqa: F401,F403


@pytest.fixture
def district_seed() -> int:
    """The seed of `district`; a module overrides this fixture to get another small district."""
    return 5


@pytest.fixture
def district(tmp_path, district_seed):
    """Three schools in one network on an emulator with quotas that never bite, typed as of the demo's first
    night. Modules that need another shape define their own `district`."""
    from sync.demo import NIGHT_1, generate_district, setup_district
    from sync.emulator import Emulator

    with Emulator(user_quota=10**6, project_quota=10**6, seed=district_seed) as emu:
        dd = setup_district(emu, tmp_path, generate_district(3, 1, seed=district_seed), seed=district_seed)
        dd.type_as_of(NIGHT_1)
        yield dd


def pytest_terminal_summary(terminalreporter):
    """Say loudly when the real-client tests (tests/realclient.py) did not run: a green run without them has not
    looked at a single rendered page."""
    from realclient import SKIP_BANNER

    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_BANNER in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep("!", f"{SKIP_BANNER} ({len(skipped)} tests)", red=True, bold=True)
        terminalreporter.write_line(str(skipped[0].longrepr[-1]), red=True)
