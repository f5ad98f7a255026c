"""Build small source trees from strings and analyse them: the fakes our tests use."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from decompose.analysis.model import Analysis, Edge
from decompose.analysis.pipeline import AnalyzeOptions, analyze


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return root


def analyse(tmp_path: Path, files: dict[str, str], target: str = "", **options) -> Analysis:
    write_tree(tmp_path, files)
    return analyze(tmp_path / target if target else tmp_path, AnalyzeOptions(**options)).analysis


def edges(analysis: Analysis, kind: str | None = None) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in analysis.edges if kind is None or e.kind == kind}


def edge(analysis: Analysis, src: str, dst: str, kind: str) -> Edge:
    found = [e for e in analysis.edges if (e.src, e.dst, e.kind) == (src, dst, kind)]
    assert found, f"no {kind} edge {src} -> {dst}; have {sorted(edges(analysis, kind))}"
    return found[0]


def run_in(where: Path, *commands: list[str]) -> str:
    """`decompose` commands through typer's CliRunner, in `where` as the current folder; each must
    exit 0. Returns the last command's stdout."""
    import pytest
    from typer.testing import CliRunner

    from decompose.cli import app

    runner = CliRunner()
    stdout = ""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(where)
        for args in commands:
            result = runner.invoke(app, args)
            assert result.exit_code == 0, f"decompose {' '.join(args)}:\n{result.output}"
            stdout = result.stdout
    return stdout


def service_folders(where: Path) -> list[Path]:
    """The generated services under `where/services` (folders holding an app.py), sorted."""
    return sorted(p for p in (where / "services").iterdir() if (p / "app.py").is_file())


def run_service_tests(folder: Path, python: str = sys.executable, env: dict[str, str] | None = None,
                      timeout: int = 300) -> subprocess.CompletedProcess:
    """A generated service's own tests (`cd services/NAME && pytest tests`), in a process of their own."""
    return subprocess.run([python, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)
