"""`check` judges the code as it is now: a file changed since `analyze` is re-analysed first."""

import shutil
from pathlib import Path

from typer.testing import CliRunner

from decompose.cli import app

SAMPLE = Path(__file__).resolve().parents[2] / "sample_monolith"
runner = CliRunner()


def test_check_re_analyses_a_changed_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "proj" / "sample_monolith", ignore=shutil.ignore_patterns("__pycache__"))
    assert runner.invoke(app, ["analyze", "proj/sample_monolith", "-q"]).exit_code == 0
    assert runner.invoke(app, ["plan", "-q"]).exit_code == 0
    assert runner.invoke(app, ["check"]).exit_code == 0
    before = (tmp_path / ".decompose" / "analysis.json").read_text()
    probe = tmp_path / "proj" / "sample_monolith" / "services" / "probe_module.py"
    probe.write_text("def probe():\n    return 1\n", encoding="utf-8")
    result = runner.invoke(app, ["check"])
    assert "re-analysed it (1 file parsed)" in result.stderr, result.output
    after = (tmp_path / ".decompose" / "analysis.json").read_text()
    assert before != after and "probe_module" in after


def test_an_unchanged_tree_is_not_rewritten(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "sample_monolith", ignore=shutil.ignore_patterns("__pycache__"))
    assert runner.invoke(app, ["analyze", "sample_monolith", "-q"]).exit_code == 0
    assert runner.invoke(app, ["plan", "-q"]).exit_code == 0
    stamp = (tmp_path / ".decompose" / "analysis.json").stat().st_mtime_ns
    result = runner.invoke(app, ["check"])
    assert "re-analysed" not in result.stderr
    assert (tmp_path / ".decompose" / "analysis.json").stat().st_mtime_ns == stamp


def test_an_edited_analysis_is_checked_as_it_is_and_said_so_after_it_loads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "sample_monolith", ignore=shutil.ignore_patterns("__pycache__"))
    assert runner.invoke(app, ["analyze", "sample_monolith", "-q"]).exit_code == 0
    assert runner.invoke(app, ["plan", "-q"]).exit_code == 0
    analysis = tmp_path / ".decompose" / "analysis.json"
    analysis.write_text(analysis.read_text() + "\n")  # a hand edit: no longer the file analyze recorded
    edited = analysis.read_bytes()
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "checking it as it is" in result.stderr
    assert analysis.read_bytes() == edited  # the user's file is never re-analysed over
    analysis.write_text("{")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2 and result.stderr.splitlines()[0].startswith("error: "), result.output
    assert "checking it as it is" not in result.stderr
