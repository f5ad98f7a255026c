"""The sample planned with `decompose plan --converge` and generated: shared by the end-to-end tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_in

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_monolith"


@pytest.fixture(scope="session")
def converged(tmp_path_factory):
    """(folder, report, planning): the sample planned with --converge, then generated."""
    where = tmp_path_factory.mktemp("converged")
    run_in(where, ["analyze", str(SAMPLE), "-q"])
    planning = json.loads(run_in(where, ["plan", "--converge", "--json", "-q"]))
    report = json.loads(run_in(where, ["generate", "--json", "-q"]))
    return where, report, planning
