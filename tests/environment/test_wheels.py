"""decompose.wheels: the pins that have no wheel for the Lambda runtime, asked of pip (here a fake pip that
answers like pip 23-25 does), and the nearest version that has one."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from decompose.wheels import NoWheel, command, missing_wheels, nearest, summary


class FakePip:
    """pip's answers: the pins without a wheel, in the order pip meets them, each with its offered versions."""

    def __init__(self, without: dict[str, str], stderr: str = ""):
        self.without, self.stderr, self.calls = without, stderr, []

    def __call__(self, cmd: Sequence[str]) -> subprocess.CompletedProcess:
        self.calls.append(list(cmd))
        if self.stderr:
            return subprocess.CompletedProcess(cmd, 1, "", self.stderr)
        for pin in (arg for arg in cmd if "==" in arg):
            if pin in self.without:
                said = (f"ERROR: Could not find a version that satisfies the requirement {pin} "
                        f"(from versions: {self.without[pin]})\nERROR: No matching distribution found for {pin}\n")
                return subprocess.CompletedProcess(cmd, 1, "", said)
        return subprocess.CompletedProcess(cmd, 0, "Would install ...", "")


def test_each_pin_without_a_wheel_is_named_with_the_nearest_version_that_has_one():
    pip = FakePip({"maxminddb==1.5.4": "2.0.0, 2.0.1, 2.5.0", "asyncpg==0.26.0": "0.29.0, 0.30.0"})
    found = missing_wheels(["Flask==2.0.3  # import flask", "maxminddb==1.5.4", "asyncpg==0.26.0", "boto3"],
                           "python3.12", ["python", "-m", "pip"], pip)
    assert found.missing == (NoWheel("asyncpg", "0.26.0", "0.29.0"), NoWheel("maxminddb", "1.5.4", "2.0.0"))
    assert not found.problem and len(pip.calls) == 3  # one more question per pin without a wheel
    assert "boto3" not in " ".join(pip.calls[0])  # an unpinned line: pip picks a version with a wheel itself
    message = found.missing[0].message("python3.12")
    assert "asyncpg==0.26.0" in message and "python3.12" in message and "pin asyncpg==0.29.0" in message


def test_the_question_is_for_lambda_s_platform_and_python_without_installing():
    cmd = command(["py", "-m", "pip"], "3.12", ["Flask==2.0.3"])
    assert cmd[:4] == ["py", "-m", "pip", "install"] and "--dry-run" in cmd
    assert cmd[cmd.index("--python-version") + 1] == "3.12" and cmd[cmd.index("--only-binary") + 1] == ":all:"
    assert "manylinux2014_x86_64" in cmd and cmd[-1] == "Flask==2.0.3"


def test_an_unreachable_index_is_said_and_nothing_is_reported_missing():
    pip = FakePip({}, "WARNING: Retrying ... NewConnectionError('Failed to establish a new connection')\n"
                      "ERROR: Could not find a version that satisfies the requirement Flask==2.0.3 (from versions: none)")
    found = missing_wheels(["Flask==2.0.3"], "python3.11", ["pip"], pip)
    # pip's "from versions: none" offline looks like a pin without wheels: the connection error wins
    assert found.missing == () and "the package index is unreachable (offline?)" in found.problem


def test_a_pip_that_cannot_answer_is_a_problem_not_a_finding():
    found = missing_wheels(["Flask==2.0.3"], "python3.9", ["pip"], FakePip({}, "no such option: --dry-run"))
    assert found.missing == () and "pip could not check the wheels: no such option: --dry-run" == found.problem


def test_the_nearest_version_is_the_next_one_up_else_the_last_one_below():
    assert nearest("1.5.4", "1.0, 1.5.0, 2.0.0rc1, 2.0.0, 2.1") == "2.0.0"
    assert nearest("3.0", "1.0, 2.0") == "2.0"
    assert nearest("1.0", "none") is None


def test_many_pins_without_a_wheel_are_one_warning_naming_each_with_its_nearest_version():
    missing = [NoWheel("alembic", "0.9.3", "1.0.0"), NoWheel("visitor", "0.1.3", None)]
    said = summary(missing, "python3.9")
    assert said.startswith("2 pins have no wheel for Lambda's python3.9") and said.count("\n") == 0
    assert "alembic==0.9.3 (nearest with one: 1.0.0)" in said and "visitor==0.1.3 (no wheel at all)" in said
    assert summary(missing[:1], "python3.9") == missing[0].message("python3.9")
