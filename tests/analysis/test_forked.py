"""Linking in forked children: the same analysis.json and the same stored link as linking here."""

import pickle
import sqlite3
import threading

import pytest

from decompose.analysis import incremental
from decompose.analysis.forked import fork_map
from decompose.analysis.pipeline import AnalyzeOptions, analyze
from tests.sample import SAMPLE


def _square_all(chunk: list[int]) -> list[int]:
    return [n * n for n in chunk]


FORK_IN_A_FRESH_PROCESS = """
from decompose.analysis.forked import fork_map
from tests.analysis.test_forked import _square_all
print(fork_map(_square_all, [[1, 2], [3], [4, 5, 6], [7]], 2))
"""


def test_fork_map_returns_each_chunks_result_in_order():
    """In a fresh process: a pytest-xdist worker runs threads, where fork is not safe (fork_map says None)."""
    import subprocess
    import sys

    from tests.sample import ROOT

    done = subprocess.run([sys.executable, "-c", FORK_IN_A_FRESH_PROCESS], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "[[1, 4], [9], [16, 25, 36], [49]]", done.stderr[-2000:]


def test_fork_map_declines_with_one_job_one_chunk_or_another_thread_running():
    assert fork_map(_square_all, [[1], [2]], 1) is None
    assert fork_map(_square_all, [[1, 2]], 2) is None
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert fork_map(_square_all, [[1], [2]], 2) is None  # a child could inherit a held lock
    finally:
        release.set()
        other.join()


def _stored(path) -> dict:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT module, facts_key, context, resolution, deps, value FROM link_units_v1").fetchall()
    return {module: (*rest, pickle.loads(value)) for module, *rest, value in rows}


def test_forked_linking_writes_the_same_analysis_and_link_store_as_linking_here(tmp_path, monkeypatch):
    if threading.active_count() > 1:
        pytest.skip(f"{threading.active_count() - 1} other thread(s) running: linking would not fork")
    forked = []
    real = incremental.fork_map

    def spy(fn, chunks, jobs):
        out = real(fn, chunks, jobs)
        forked.append((len(chunks), out is not None))
        return out

    monkeypatch.setattr(incremental, "fork_map", spy)
    monkeypatch.setattr(incremental, "FORK_MIN", 0)
    here = analyze(SAMPLE, AnalyzeOptions(cache_path=tmp_path / "here.sqlite", render=True, jobs=1))
    there = analyze(SAMPLE, AnalyzeOptions(cache_path=tmp_path / "forked.sqlite", render=True, jobs=2))
    assert forked and forked[0][0] > 2 and forked[0][1], "the second run must have linked in forked children"
    assert there.rendered.text == here.rendered.text
    assert _stored(tmp_path / "forked.sqlite") == _stored(tmp_path / "here.sqlite")
