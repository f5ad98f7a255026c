"""decompose as a pre-commit hook (.pre-commit-hooks.yaml) and a GitHub Action (action.yml): the commands
they run are run here, through the CLI, on the sample monolith analysed and planned."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from decompose.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def work(planned_sample, tmp_path, monkeypatch):
    shutil.copytree(planned_sample, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def test_the_check_hook_passes_a_sound_plan(work):
    hook = hooks()["decompose-check"]
    command = shlex.split(hook["entry"])
    assert command[0] == "decompose" and hook["pass_filenames"] is False and hook["language"] == "python"
    done = runner.invoke(app, command[1:])
    assert done.exit_code == 0 and "0 boundary violations" in done.stderr, done.output


def test_the_verify_hook_runs_contracts_verify_with_the_arguments_it_is_given(work):
    command = shlex.split(hooks()["decompose-contracts-verify"]["entry"])
    done = runner.invoke(app, [*command[1:], "--python", "nowhere/bin/python"])
    assert done.exit_code == 2, done.output  # its arguments parse; nothing recorded yet is one clear error
    assert "error: contracts/: no contracts here" in done.stderr and "decompose contracts record" in done.stderr


def test_the_action_checks_uploads_sarif_and_verifies(work):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    commands = [shlex.split(line.replace('"$DECOMPOSE"', "decompose"))
                for step in steps for line in step.get("run", "").splitlines() if '"$DECOMPOSE"' in line]
    inputs = {"analyze": "sample_monolith", "monolith-python": "nowhere/bin/python"}
    answers = {}
    for command in commands:
        args = [re.sub(r"\$\{\{ inputs\.([a-z-]+) \}\}", lambda m: inputs[m.group(1)], arg) for arg in command[1:]]
        args = args[:args.index(">")] if ">" in args else args  # the SARIF log goes where the upload step reads it
        answers[" ".join(args[:2])] = runner.invoke(app, args)
    assert list(answers) == ["analyze sample_monolith", "check --format", "check", "contracts verify"]
    assert all(answers[key].exit_code == 0 for key in ("analyze sample_monolith", "check --format", "check"))
    assert json.loads(answers["check --format"].stdout)["runs"][0]["tool"]["driver"]["name"] == "decompose"
    verify = answers["contracts verify"]
    assert verify.exit_code == 2 and "no contracts here" in verify.stderr
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"].endswith("/decompose.sarif") and "always()" in upload["if"]
