"""benchmarks/corpus.py: two runs at once in one work folder each install decompose into a folder of their own."""

from __future__ import annotations

from benchmarks import corpus


def test_two_runs_at_once_get_their_own_tool_folder_and_leave_none_behind(tmp_path):
    with corpus.tool_folder(tmp_path) as first, corpus.tool_folder(tmp_path) as second:
        (first / "bin").mkdir()
        assert first != second and first.is_dir() and second.is_dir()
        assert first.parent == second.parent == tmp_path / corpus.TOOLS
    assert list((tmp_path / corpus.TOOLS).iterdir()) == []
