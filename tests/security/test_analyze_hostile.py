"""Issue #27, `decompose analyze` on hostile or broken trees: each test is one finding.

A FIFO named `*.py` hung the run for ever, a link to /etc became module `app.etclink...`, a 2 MB
file of list literals took 41 s and 4.4 GB, and truncated Python 3 files were labelled `python2`.
Runs that could hang on the old code go through the CLI in a subprocess with a timeout (a safety
net, not a measure of speed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from decompose.analysis.pipeline import AnalyzeOptions, analyze
from decompose.analysis.sources import SourceFile, read_source
from tests.helpers import write_tree

REPO = Path(__file__).resolve().parents[2]
SAFETY_NET = 120  # seconds: only a hang reaches it


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*inherited, str(REPO)])}  # the code this test imports
    return subprocess.run([sys.executable, "-m", "decompose", "analyze", *args], capture_output=True, text=True,
                          timeout=SAFETY_NET, env=env, check=False)


def failures_of(out: Path) -> dict[str, str]:
    return {f["path"]: f["kind"] for f in json.loads((out / "analysis.json").read_text())["failures"]}


def modules_of(out: Path) -> set[str]:
    return {m["name"] for m in json.loads((out / "analysis.json").read_text())["modules"]}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_py_is_reported_and_never_opened(tmp_path):
    write_tree(tmp_path, {"app/ok.py": "X = 1\n"})
    os.mkfifo(tmp_path / "app" / "pipe.py")
    result = run_cli(str(tmp_path / "app"), "--out", str(tmp_path / "out"), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert failures_of(tmp_path / "out") == {"pipe.py": "special-file"}
    assert modules_of(tmp_path / "out") == {"ok"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_swapped_in_after_discovery_is_not_read(tmp_path):
    """The check is repeated when the file is read. On the old code the read waited for a writer:
    a thread opens one after a few seconds, so the old code returns b"" instead of hanging."""
    fifo = tmp_path / "late.py"
    os.mkfifo(fifo)
    unblock = threading.Timer(5, _release_reader, (fifo,))
    unblock.start()
    try:
        found = read_source(SourceFile(str(fifo), "late.py", "late", False))
    finally:
        unblock.cancel()
    assert not isinstance(found, bytes)
    assert found.kind == "special-file" and "FIFO" in found.message


def _release_reader(fifo: Path) -> None:
    try:  # opening the write end without blocking succeeds only when a reader waits; closing it ends the read
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_given_as_the_path_is_a_one_line_error(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    result = run_cli(str(tmp_path / "pipe.py"), "--out", str(tmp_path / "out"), "--no-cache")
    assert result.returncode == 2
    assert "FIFO" in result.stderr and "Traceback" not in result.stderr


def test_links_out_of_the_tree_are_reported_not_followed(tmp_path):
    write_tree(tmp_path, {"app/main.py": "import secret\n", "outside/secret.py": "TOKEN = 'x'\n", "outside/pkg/mod.py": ""})
    (tmp_path / "app" / "etclink").symlink_to(tmp_path / "outside")
    (tmp_path / "app" / "secret.py").symlink_to(tmp_path / "outside" / "secret.py")
    (tmp_path / "app" / "up").symlink_to("..")  # a relative link that leaves the tree too
    result = analyze(tmp_path / "app")
    assert {m.name for m in result.analysis.modules} == {"main"}
    assert {f.path: f.kind for f in result.analysis.failures} == {
        "etclink": "symlink-outside", "secret.py": "symlink-outside", "up": "symlink-loop"}


def test_a_link_inside_the_tree_is_followed(tmp_path):
    write_tree(tmp_path, {"app/real/mod.py": "", "app/real/one.py": ""})
    (tmp_path / "app" / "alias.py").symlink_to("real/one.py")
    result = analyze(tmp_path / "app")
    assert {m.name for m in result.analysis.modules} == {"real.mod", "real.one", "alias"}
    assert list(result.analysis.failures) == []


def over_budget_tree(tmp_path: Path) -> Path:
    """Files under the 2 MiB size limit that libcst would spend seconds to minutes and hundreds of
    megabytes to gigabytes on, next to a good one."""
    row = "    " + "0, " * 500 + "\n"
    write_tree(tmp_path, {
        "app/ok.py": "from data import ROWS\n\ndef total():\n    return len(ROWS)\n",
        "app/data.py": "ROWS = [\n" + row * 320 + "]\n",  # 320,000 tokens in 481 KB
        "app/nested.py": "X = " + "[" * 250 + "]" * 250 + "\n",
        "app/chain.py": "X = " + "+".join(["1"] * 2_000) + "\n",
    })
    return tmp_path / "app"


def test_files_over_the_parse_budget_are_reported_and_the_run_goes_on(tmp_path):
    result = analyze(over_budget_tree(tmp_path))
    failures = {f.path: (f.kind, f.line) for f in result.analysis.failures}
    assert failures == {"data.py": ("too-large", None), "nested.py": ("too-complex", 1), "chain.py": ("too-complex", 1)}
    assert {m.name for m in result.analysis.modules if m.parse_error is None} == {"ok"}
    assert "ok:total" in {s.id for s in result.analysis.symbols}


def test_the_budget_verdict_is_the_same_every_run(tmp_path):
    tree = over_budget_tree(tmp_path)
    cached = AnalyzeOptions(cache_path=tmp_path / "cache.sqlite")
    runs = [analyze(tree).analysis.failures, analyze(tree, cached).analysis.failures, analyze(tree, cached).analysis.failures]
    assert runs[0] == runs[1] == runs[2] and len(runs[0]) == 3


TRUNCATED_PY3 = '''"""Helpers. Use `total` or `mean`, never `print "x"` as in Python 2."""
import statistics  # was: print `x` <> 0777


def mean(values):
    """`values`: numbers."""
    return statistics.mean(values)


def total(values):
    return sum(v for v in
'''


def test_a_truncated_python3_file_is_a_syntax_error_at_its_line_not_python2(tmp_path):
    write_tree(tmp_path, {"app/cut.py": TRUNCATED_PY3, "app/ok.py": "X = 1\n"})
    found = {f.path: f for f in analyze(tmp_path / "app").analysis.failures}
    assert found["cut.py"].kind == "syntax-error"
    assert found["cut.py"].line == 11  # where CPython reports it: the bracket never closed (libcst: 12)


def test_a_syntax_error_is_reported_at_the_line_python_gives(tmp_path):
    """libcst's own line was the one after (3 here)."""
    write_tree(tmp_path, {"app/typo.py": "a = 1\nb = = 2\nc = 3\n"})
    (failure,) = analyze(tmp_path / "app").analysis.failures
    assert (failure.kind, failure.line) == ("syntax-error", 2)


@pytest.mark.parametrize("code", [
    'print "hello"\n', "print >>sys.stderr, 'x'\nprint 'y'\n", 'exec "x = 1"\n', "x = `y`\n", "if a <> b:\n    pass\n",
    "MODE = 0777\n", "N = 10L\n", "x = ur'abc'\n", 'raise ValueError, "bad"\n',
])
def test_python2_only_code_is_still_python2(tmp_path, code):
    write_tree(tmp_path, {"app/old.py": "import sys\n" + code})
    (failure,) = analyze(tmp_path / "app").analysis.failures
    assert failure.kind == "python2"


def test_a_string_with_an_invalid_escape_is_analysed_not_an_analyzer_error(tmp_path):
    """Found by the mutation corpus: libcst parses `"\\x"`, Python cannot evaluate it, and the
    SyntaxError escaped the fact walk as an `analyzer-error`."""
    write_tree(tmp_path, {"app/esc.py": 'A = "\\x"\nB = "\\N{nope}"\n\ndef f():\n    return A\n'})
    result = analyze(tmp_path / "app")
    assert list(result.analysis.failures) == []
    assert "esc:f" in {s.id for s in result.analysis.symbols}
