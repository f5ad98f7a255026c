"""decompose.serving: decompose's own chalice, apig-wsgi and mangum pinned for the services' Python, as pip
would choose them (here a fake pip that answers `--dry-run --report -` like pip 23-25 does)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence

from decompose.generation.settings import Requirement
from decompose.serving import for_python, supports

OWN = {"apig-wsgi": ("2.20.0", ">=3.9"), "chalice": ("1.34.0", ">=3.10"), "mangum": ("0.22.0", ">=3.10")}


class FakePip:
    """pip's report: the version it would install of each `name<=version` asked, from `newest`."""

    def __init__(self, newest: dict[str, str], stderr: str = ""):
        self.newest, self.stderr, self.calls = newest, stderr, []

    def __call__(self, cmd: Sequence[str]) -> subprocess.CompletedProcess:
        self.calls.append(list(cmd))
        if self.stderr:
            return subprocess.CompletedProcess(cmd, 1, "", self.stderr)
        names = [arg.split("<=")[0] for arg in cmd if "<=" in arg]
        install = [{"metadata": {"name": n, "version": self.newest[n]}} for n in names if n in self.newest]
        return subprocess.CompletedProcess(cmd, 0, json.dumps({"version": "1", "install": install}), "")


def test_decompose_s_own_versions_stay_when_they_support_that_python_and_nothing_is_asked():
    pip = FakePip({})
    found = for_python((3, 12), ["pip"], OWN, pip)
    assert found.specs == {"apig-wsgi": "==2.20.0", "chalice": "==1.34.0", "mangum": "==0.22.0"}
    assert pip.calls == [] and found.problem == ""


def test_on_python_3_9_pip_chooses_the_newest_release_that_supports_it_up_to_decompose_s_own():
    pip = FakePip({"chalice": "1.32.0", "mangum": "0.21.0"})
    found = for_python((3, 9, 18), ["py", "-m", "pip"], OWN, pip)
    assert found.specs == {"apig-wsgi": "==2.20.0", "chalice": "==1.32.0", "mangum": "==0.21.0"}
    assert found.problem == "" and len(pip.calls) == 1
    cmd = pip.calls[0]
    assert cmd[cmd.index("--python-version") + 1] == "3.9" and "--dry-run" in cmd and cmd[-2:] == ["--report", "-"]
    assert "chalice<=1.34.0" in cmd and "mangum<=0.22.0" in cmd and not any("apig" in arg for arg in cmd)


def test_without_an_answer_the_line_is_a_ceiling_never_a_pin_that_does_not_exist_for_that_python():
    found = for_python((3, 9), ["pip"], OWN, FakePip({}, "NewConnectionError('Failed to establish a new connection')"))
    assert found.specs["chalice"] == "<=1.34.0" and found.specs["mangum"] == "<=0.22.0"
    assert found.specs["apig-wsgi"] == "==2.20.0"
    assert "do not support Python 3.9" in found.problem and "Failed to establish" in found.problem


def test_a_release_pip_cannot_find_for_that_python_is_said():
    found = for_python((3, 9), ["pip"], OWN, FakePip({"chalice": "1.32.0"}))
    assert found.specs["chalice"] == "==1.32.0" and found.specs["mangum"] == "<=0.22.0"
    assert "no release of mangum<=0.22.0 supports it" in found.problem


def test_requires_python_reading():
    assert supports(">=3.10", (3, 12)) and not supports(">=3.10", (3, 9, 18))
    assert supports("", (3, 9)) and supports("not a specifier", (3, 9))


def test_a_requirement_line_takes_the_serving_spec_over_the_version():
    assert Requirement("chalice", "1.34.0", ("chalice",), spec="==1.32.0").line() == "chalice==1.32.0"
    assert Requirement("chalice", "1.34.0", ("chalice",), spec="<=1.34.0").line() == "chalice<=1.34.0"
    assert Requirement("chalice", "1.34.0", ("chalice",)).line() == "chalice==1.34.0"
