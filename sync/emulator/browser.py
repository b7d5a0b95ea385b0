"""A stand-in for the person at the browser during a staff sign-in on the emulator.

``BROWSER="python -m sync.emulator.browser %s"`` makes Python's ``webbrowser`` (which google-auth-oauthlib's
``InstalledAppFlow.run_local_server`` calls) hand the sign-in URL to this script instead of a real browser. It
returns at once, as a browser does, and in the background follows the emulator's consent page and its
redirect to the flow's loopback server — what a staff member's browser does after they pick their account
and press Allow. For tests and trials only: with real Google, the real browser opens.
"""

from __future__ import annotations

import subprocess
import sys

import requests


def follow(url: str) -> int:
    """GET the authorization URL and follow its redirect to the loopback server (the flow's own page)."""
    return requests.get(url, timeout=60, allow_redirects=True).status_code


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "--now":
        return 0 if follow(argv[1]) == 200 else 1
    if not argv:
        print("usage: python -m sync.emulator.browser URL", file=sys.stderr)
        return 2
    # Return at once like a browser: the flow starts serving its redirect only after the browser was opened.
    subprocess.Popen([sys.executable, "-m", "sync.emulator.browser", "--now", argv[0]], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
