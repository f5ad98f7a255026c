"""`decompose plan` tells its progress bar each stage before it runs, and prints only once the bar is gone."""

import shutil
from pathlib import Path

from typer.testing import CliRunner

from decompose.cli import app, plan_steps
from decompose.planning.api import load
from decompose.planning.plan import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "sample_monolith"
runner = CliRunner()


def test_propose_names_each_stage_and_writes_the_plan_before_anything_is_shown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "sample_monolith", ignore=shutil.ignore_patterns("__pycache__"))
    assert runner.invoke(app, ["analyze", "sample_monolith", "-q"]).exit_code == 0
    stages: list[str] = []
    out = tmp_path / "decompose.toml"
    proposal = plan_steps.propose(load(Path(".decompose/analysis.json")), out, Settings(".decompose/analysis.json"),
                                  None, False, stages.append)
    assert stages == ["reading the plan file", "clustering, checking and scoring the services"]
    assert out.read_text() == proposal.text and proposal.plan.services
