"""Shared pytest fixtures."""

from sync.emulator.testing import *  # noqa: F401,F403
