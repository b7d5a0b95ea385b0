"""pytest fixtures for the Google emulator: `emulator` (fresh, per test), `emulator_session` (shared),
`sa_key` (the default account's key file) and `gc` (a gspread client with provisioning scopes).

Exposed to every test through `tests/conftest.py`. Keys are 2048-bit RSA, generated per emulator (≈0.1 s).
"""

from __future__ import annotations

import pytest

from sync import gclient

from . import DEFAULT_ACCOUNT, Emulator

__all__ = ["emulator", "emulator_session", "sa_key", "gc", "connect_as"]


@pytest.fixture
def emulator():
    with Emulator() as emu:
        yield emu


@pytest.fixture(scope="session")
def emulator_session():
    with Emulator() as emu:
        yield emu


@pytest.fixture
def sa_key(emulator):
    return emulator.service_account(DEFAULT_ACCOUNT)


@pytest.fixture
def gc(emulator, sa_key):
    return gclient.connect(sa_key, gclient.SCOPES_PROVISION, endpoint=emulator.url, timeout=10)


def connect_as(emu: Emulator, email: str, scopes=gclient.SCOPES_PROVISION, timeout: float | None = 10):
    """A gspread client signed in as `email` (e.g. a school editing its own sheet), on a fresh key."""
    return gclient.connect(emu.service_account(email), scopes, endpoint=emu.url, timeout=timeout)
