"""Pins without a wheel for the Lambda runtime: found at `generate`, not at `chalice package` time.

    missing_wheels(lines, runtime, pip) -> WheelCheck(missing [NoWheel(name, version, nearest)], problem)

What flows through: the pinned lines of services/*/requirements.txt (`name==version`) and the Lambda
runtime generation chose (python3.12) -> pip asked, without installing anything, for that exact version
as a wheel for Lambda's platform (manylinux x86_64) and that Python (`pip install --dry-run --only-binary
:all: --platform ... --python-version 3.12 --no-deps`) -> the first pin pip cannot satisfy, with the
versions that do have such a wheel (pip lists them), then again without it, until pip is satisfied.

A pin without such a wheel (asyncpg 0.26 on 3.12, maxminddb 1.5.4) makes `chalice package` build its
sdist, which fails for compiled code or yields a binary for the wrong platform. The nearest version with
a wheel is what to pin instead. Without the index (offline), the check says so and reports nothing missing.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64")  # Lambda's x86_64 glibc
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)")
NOT_FOUND = re.compile(r"Could not find a version that satisfies the requirement (\S+) \(from versions: ([^)]*)\)")
UNREACHABLE = ("Failed to establish a new connection", "Temporary failure in name resolution", "NewConnectionError",
               "Network is unreachable", "ProxyError", "Could not fetch URL")
Runner = Callable[[Sequence[str]], subprocess.CompletedProcess]


@dataclass(frozen=True)
class NoWheel:
    name: str
    version: str
    nearest: str | None  # the version with a wheel nearest to `version` (the next one up first), if any

    def message(self, runtime: str) -> str:
        instead = f"pin {self.name}=={self.nearest}" if self.nearest else "use another distribution"
        return (f"{self.name}=={self.version} has no wheel for Lambda's {runtime} (manylinux x86_64), or does not "
                f"support that Python: `chalice package` would build it from source or fail; {instead} (in the "
                "monolith's environment or lock, then generate again; decompose's own chalice, apig-wsgi and "
                "mangum in services/shared/requirements.txt), or choose a runtime it has wheels for")


def summary(missing: Sequence[NoWheel], runtime: str) -> str:
    """One warning for every pin without a wheel (an old monolith has dozens: one line each drowns the rest)."""
    if len(missing) == 1:
        return missing[0].message(runtime)
    pins = ", ".join(f"{m.name}=={m.version} ({f'nearest with one: {m.nearest}' if m.nearest else 'no wheel at all'})"
                     for m in missing)
    return (f"{len(missing)} pins have no wheel for Lambda's {runtime} (manylinux x86_64), or do not support that "
            f"Python: {pins}. `chalice package` builds them from source: fine for pure Python, a failure or a binary "
            "for the wrong platform for compiled code; pin the nearest version in the monolith's environment or lock "
            "and generate again, or choose a runtime they have wheels for")


@dataclass(frozen=True)
class WheelCheck:
    missing: tuple[NoWheel, ...] = ()
    problem: str = ""  # why the check could not run (offline index, no pip): nothing was checked


def missing_wheels(lines: Sequence[str], runtime: str, pip: Sequence[str], run: Runner | None = None) -> WheelCheck:
    """Each pin of `lines` that has no wheel for `runtime` (python3.X). pip: the command that runs pip
    (the monolith's `python -m pip`)."""
    pinned = {m.group(1).lower(): m.group(0).strip() for m in map(PIN.match, lines) if m}
    python = runtime.removeprefix("python")
    run = run or run_pip
    missing: list[NoWheel] = []
    while pinned:
        done = run(command(pip, python, sorted(pinned.values())))
        if done.returncode == 0:
            break
        said = done.stderr + done.stdout
        found = None if _unreachable(said) else NOT_FOUND.search(said)  # offline, pip says "from versions: none"
        name = _pinned_name(found.group(1), pinned) if found else None
        if not name:
            return WheelCheck(tuple(missing), _problem(said, done.returncode))
        version = PIN.match(pinned.pop(name)).group(2)
        missing.append(NoWheel(PIN.match(found.group(1)).group(1), version, nearest(version, found.group(2))))
    return WheelCheck(tuple(sorted(missing, key=lambda m: m.name.lower())))


def command(pip: Sequence[str], python: str, pins: Sequence[str]) -> list[str]:
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    target = tempfile.gettempdir()  # --target lets pip ignore this interpreter's own installs; nothing is written
    return [*pip, "install", "--dry-run", "--no-deps", "--ignore-installed", "--only-binary", ":all:",
            "--implementation", "cp", "--python-version", python, *platforms, "--target", target,
            "--disable-pip-version-check", "-q", *pins]


def nearest(version: str, offered: str) -> str | None:
    """The version of pip's "from versions: ..." list nearest to `version`: the lowest above it, else the
    highest below it."""
    try:
        wanted = Version(version)
    except InvalidVersion:
        return None
    versions = sorted({Version(v.strip()) for v in offered.split(",") if _is_version(v.strip())})
    above = [v for v in versions if v > wanted and not v.is_prerelease]
    below = [v for v in versions if v < wanted and not v.is_prerelease]
    return str(above[0]) if above else str(below[-1]) if below else None


def _is_version(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return bool(text)


def _pinned_name(requirement: str, pinned: dict[str, str]) -> str | None:
    match = PIN.match(requirement)
    return match.group(1).lower() if match and match.group(1).lower() in pinned else None


def _unreachable(said: str) -> bool:
    return any(marker in said for marker in UNREACHABLE)


def _problem(said: str, code: int) -> str:
    if _unreachable(said):
        return "the package index is unreachable (offline?): wheels for the Lambda runtime were not checked"
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    return "pip could not check the wheels: " + (" ".join(lines[-2:])[-300:] if lines else f"exit {code}")


def run_pip(cmd: Sequence[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(list(cmd), capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess(list(cmd), 1, "", str(error))
