"""One bad file must never stop the analysis of the others: every kind is reported, none crashes."""

import shutil
from pathlib import Path

from typer.testing import CliRunner

from decompose.analysis.pipeline import AnalyzeOptions, analyze
from decompose.cli import app

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "bad_input"


def corpus(tmp_path: Path) -> Path:
    target = tmp_path / "bad_input"
    shutil.copytree(CORPUS, target, symlinks=True)
    (target / "pkg" / "broken_link.py").symlink_to("does_not_exist.py")
    return target / "pkg"


def test_every_failure_kind_is_reported(tmp_path):
    result = analyze(corpus(tmp_path), AnalyzeOptions(max_bytes=4096))
    failures = {f.path: f.kind for f in result.analysis.failures}
    assert failures == {
        "pkg/binary.py": "binary",
        "pkg/broken_link.py": "unreadable",
        "pkg/deep.py": failures.get("pkg/deep.py"),  # libcst 1.x segfaults on it: a worker dies, the file is reported
        "pkg/huge.py": "too-large",
        "pkg/loop": "symlink-loop",
        "pkg/python2.py": "python2",
        "pkg/syntax_error.py": "syntax-error",
        "pkg/undecodable.py": "undecodable",
    }
    assert failures["pkg/deep.py"] in ("syntax-error", "too-complex", "parser-crash")
    good = {m.name: m.parse_error for m in result.analysis.modules}
    assert good["pkg.good"] is None and good["pkg.empty"] is None
    assert good["pkg.binary"] == "binary"
    assert any(e.src == "pkg.good:ok" and e.dst == "pkg.helpers:VALUE" for e in result.analysis.edges)


def test_valid_code_that_libcst_validation_rejects_is_analysed(tmp_path):
    """`pkg/libcst_trap.py` made libcst raise a TypeError, which ended the whole run (exit 2)."""
    result = analyze(corpus(tmp_path), AnalyzeOptions(max_bytes=4096))
    assert "pkg/libcst_trap.py" not in {f.path for f in result.analysis.failures}
    assert {m.name: m.parse_error for m in result.analysis.modules}["pkg.libcst_trap"] is None
    assert any(e.src == "pkg.libcst_trap:value" and e.dst == "pkg.helpers:VALUE" for e in result.analysis.edges)


def test_cli_reports_failures_and_can_fail_on_them(tmp_path):
    pkg = corpus(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(app, ["analyze", str(pkg), "--out", str(tmp_path / "out"), "--max-file-size", "4"])
    assert ok.exit_code == 0, ok.output
    assert "symlink-loop" in ok.output and "python2" in ok.output
    strict = runner.invoke(app, ["analyze", str(pkg), "--out", str(tmp_path / "out"), "--max-file-size", "4", "--fail-on", "failures", "-q"])
    assert strict.exit_code == 1
    assert strict.output == ""
