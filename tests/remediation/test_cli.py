"""[remediate] through the CLI on a copy of the sample: `plan` proposes it, keeps a user's edit when
it plans again, `plan --check` names a bad value, `check` fails on a hazard left without a decision."""

import shutil
from pathlib import Path

import pytest
import tomlkit
from typer.testing import CliRunner

from decompose.cli import app

PLAN = "decompose.toml"
UPLOAD = "sample_monolith.services.images:_write_file"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def project(planned_sample):
    """The sample analysed and planned with its proposed [remediate] (tests/conftest.py)."""
    return planned_sample


@pytest.fixture
def work(project, tmp_path, monkeypatch):
    shutil.copytree(project, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def remediate() -> dict:
    return tomlkit.parse(Path(PLAN).read_text()).unwrap()["remediate"]


def edit(change) -> None:
    doc = tomlkit.parse(Path(PLAN).read_text())
    change(doc["remediate"])
    Path(PLAN).write_text(tomlkit.dumps(doc))


def test_plan_proposes_the_sample_remediations(work):
    table = remediate()
    assert table["filesystem-write"][UPLOAD] == "s3"
    assert table["background-thread"]["sample_monolith.services.notifications:_ensure_worker"] == "sqs"
    assert table["process-cache"]["sample_monolith.services.shop:category_tree"] == "dynamodb"
    assert table["static-files"] == {"sample_monolith/static": "cloudfront"}
    assert "# open(..., 'wb'), os.makedirs at images.py:78:" in Path(PLAN).read_text()


def test_a_fresh_plan_passes_check(work):
    result = invoke("check")
    assert result.exit_code == 0, result.output


def test_replanning_keeps_an_edit(work):
    edit(lambda table: table["filesystem-write"].__setitem__(UPLOAD, "keep"))
    assert invoke("plan", "-q").exit_code == 0
    assert remediate()["filesystem-write"][UPLOAD] == "keep"


def test_check_fails_on_a_hazard_without_a_decision(work):
    edit(lambda table: table["filesystem-write"].pop(UPLOAD))
    result = invoke("check")
    assert result.exit_code == 1, result.output
    assert f"sample_monolith/services/images.py:78: remediation {UPLOAD}: filesystem-write" in result.stderr
    assert "1 hazard without a remediation" in result.stderr


def test_plan_check_names_a_choice_the_kind_does_not_have(work):
    edit(lambda table: table["filesystem-write"].__setitem__(UPLOAD, "dynamodb"))
    result = invoke("plan", "--check")
    assert result.exit_code != 0
    assert f"remediate.filesystem-write['{UPLOAD}']" in result.output and "use one of: s3, keep" in result.output
