"""Progress of a pytest run in a child process (the recorded suite, the contract suite), for a bar on
decompose's stderr. The plugins in the child (the recorder, the contract plugin) append one line per
finished test to a file named by `--decompose-progress=FILE` (a file, not stderr: pytest captures
the child's file descriptors while tests run),

    17/245

and `run` follows that file while the child runs, so `contracts record` and `verify`, which take 1 to
3 minutes on real suites, show how far they are.

    done = run(command, env, progress_file, on_progress=lambda done, total: ...)   # a CompletedProcess
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

LINE = re.compile(r"^(\d+)/(\d+)$")
POLL_S = 0.2
Progress = Callable[[int, int], None]


def last(text: str) -> tuple[int, int] | None:
    """The last complete progress line of the file's text."""
    for entry in reversed(text.splitlines()[:-1] if not text.endswith("\n") else text.splitlines()):
        found = LINE.match(entry.strip())
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def run(command: list[str], env: dict[str, str] | None, progress_file: Path,
        on_progress: Progress | None = None) -> subprocess.CompletedProcess:
    """subprocess.run(capture_output=True, text=True), reporting the child's progress lines as they come."""
    progress_file.unlink(missing_ok=True)
    finished = threading.Event()

    def follow() -> None:
        seen = None
        while not finished.wait(POLL_S):
            try:
                now = last(progress_file.read_text(encoding="utf-8"))
            except OSError:
                continue
            if now is not None and now != seen and on_progress is not None:
                seen = now
                on_progress(*now)

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    finally:
        finished.set()
        follower.join()
