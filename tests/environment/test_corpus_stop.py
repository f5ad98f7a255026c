"""benchmarks/corpus.py stops its whole tree on SIGTERM and SIGINT: the stage running (a process group of
its own, with a child) is gone soon after, and the run's tool folder is removed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import corpus

REPO = Path(__file__).resolve().parents[2]

# a stage that starts a child of its own (as pytest or `contracts verify` do), says who they are, then waits
STAGE = """
import json, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(sys.argv[1] + ".tmp", "w") as out:
    json.dump({"stage": __import__("os").getpid(), "child": child.pid}, out)
__import__("os").replace(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
"""

# corpus.py's own main on one app of the manifest, its install and pipeline replaced by the stage above
DRIVER = """
import os, sys
from pathlib import Path
from benchmarks import corpus, pipeline

pids, stage = sys.argv[2], sys.argv[3]

def measure(name, app, corpus_dir, work, reinstall, decompose):
    work.mkdir(parents=True, exist_ok=True)
    pipeline.Shell(work, dict(os.environ), [], sys.executable).run([sys.executable, "-c", stage, pids])
    return {}

corpus.measure = measure
corpus.tool_install = lambda repo, home: ([], "")
sys.exit(corpus.main([sys.argv[1], "--only", sys.argv[4], "--no-docs"]))
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")  # a zombie waiting for init to reap it has stopped


def _wait(condition, limit_s: float) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_run_leaves_no_stage_running(tmp_path, signum):
    app = next(iter(corpus.load_toml(corpus.MANIFEST)["apps"]))
    pids = tmp_path / "pids.json"
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(tmp_path / "corpus"), str(pids), STAGE, app],
                              cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert _wait(pids.exists, 60), driver.stderr.read() if driver.poll() is not None else "no stage started"
        started = json.loads(pids.read_text())
        driver.send_signal(signum)
        out, err = driver.communicate(timeout=60)
        assert driver.returncode == 128 + signum, err
        assert "stopped by" in err
        assert _wait(lambda: all(_gone(pid) for pid in started.values()), 20), f"still running: {started}"
        assert list((tmp_path / "corpus" / ".runs" / corpus.TOOLS).iterdir()) == []  # the tool folder went too
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
            driver.wait()
