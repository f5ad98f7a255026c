"""Session fixtures shared by the functional and end-to-end tests: the sample planned with
`decompose plan --converge` and generated, and its own test suite recorded as contracts for that plan
(recording runs the suite twice and calibrates: the slowest set-up, done once)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import run_in
from tests.sample import POLLING, ROOT, SAMPLE, SUITE, WORLD


@pytest.fixture(scope="session")
def planned_sample(tmp_path_factory):
    """A copy of the sample monolith (folder/sample_monolith) analysed and planned (not converged), with
    the proposed [remediate]: where the CLI tests of check, plan and remediation start. Read-only:
    copy it (shutil.copytree(planned_sample, tmp_path, dirs_exist_ok=True)) before changing anything."""
    where = tmp_path_factory.mktemp("planned")
    shutil.copytree(SAMPLE, where / "sample_monolith", ignore=shutil.ignore_patterns("__pycache__"))
    run_in(where, ["analyze", "sample_monolith", "-q"], ["plan", "-q"])
    return where


@pytest.fixture(scope="session")
def converged(tmp_path_factory):
    """(folder, report, planning): the sample planned with --converge, then generated."""
    where = tmp_path_factory.mktemp("converged")
    run_in(where, ["analyze", str(SAMPLE), "-q"])
    planning = json.loads(run_in(where, ["plan", "--converge", "--json", "-q"]))
    report = json.loads(run_in(where, ["generate", "--json", "-q"]))
    return where, report, planning


@pytest.fixture(scope="session")
def recorded(converged):
    """(folder, report): the converged sample with its [contracts] world, recorded into folder/contracts."""
    where, report, _ = converged
    plan = where / "decompose.toml"
    plan.write_text(plan.read_text() + "\n" + WORLD)
    # generate again: a service's reset endpoint takes only the [contracts] hooks and env keys it was generated with
    run_in(where, ["generate", "-q"], ["contracts", "record", "-q", "--root", str(ROOT), "--", SUITE, POLLING])
    return where, report


# The suite runs on every core (pytest-xdist, `-n auto --dist loadgroup` in pyproject.toml). A group runs
# on one worker, so what a group shares is built once: the sample's recording above (per test folder: the
# CLI's and the end-to-end tests' halves are the longest groups, so each worker records once), a
# module's fixtures, one zoo app's pipeline (its stages are one test each), the cached venv of
# tests/environment.
SHARED_FIXTURES = {"converged": "sample", "recorded": "sample"}
WHOLE_FOLDERS = {"environment", "report"}  # a venv under tests/.cache; Chromium installed once


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # pytest-xdist 3.8 turns xdist_group marks into the `@group` node ids its scheduler reads by setting
    # item._nodeid, which pytest 9 no longer reads (node ids live in item._id): every test was scheduled
    # alone. So the ids are set here, the way this pytest keeps them.
    loadgroup = getattr(config.option, "loadgroup", False)
    for item in items:
        name = group(item)
        item.add_marker(pytest.mark.xdist_group(name))
        if loadgroup and "@" not in item.nodeid:
            _tag(item, name)


def _tag(item: pytest.Item, name: str) -> None:
    tagged = f"{item.nodeid}@{name}"
    if hasattr(item, "_id"):
        from _pytest.nodes import coerce_node_id  # pytest >= 9

        item._id = coerce_node_id(tagged)
    else:
        item._nodeid = tagged


def group(item: pytest.Item) -> str:
    """The worker-sharing group of a test: see the comment above."""
    where = Path(str(item.path)).resolve().relative_to(Path(__file__).resolve().parents[1]).as_posix()
    parts = where.split("/")
    for fixture in getattr(item, "fixturenames", ()):
        if fixture in SHARED_FIXTURES:  # one group per folder: two workers record the sample, each half waits less
            return f"{SHARED_FIXTURES[fixture]}-{parts[1] if len(parts) > 2 else parts[0]}"
    if parts[:2] == ["tests", "zoo"] and hasattr(item, "callspec") and "app" in item.callspec.params:
        return f"zoo-{item.callspec.params['app']}"
    if parts[0] == "tests" and len(parts) > 2 and parts[1] in WHOLE_FOLDERS:
        return f"tests/{parts[1]}"
    return where
