"""Headless Chromium for browser tests: Debian's chromium, driven by Playwright.

`chromium()` finds the browser, installing Debian's `chromium` package when it is missing and the
tests run as root with apt-get (as in CI: .ci/run installs it first); anywhere else it fails with
the command to run. Flags keep Chromium off the network (this machine has none) and headless.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        done = subprocess.run(INSTALL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, capture_output=True,
                              text=True, timeout=900, check=False)
        found = shutil.which("chromium")
        if found:
            return found
        pytest.fail(f"installing chromium failed:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    pytest.fail("the browser test needs Chromium: run `sudo apt-get install chromium` (Debian/Ubuntu), then pytest again")
