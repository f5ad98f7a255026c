"""benchmarks/corpus.py: two runs at once in one work folder each install decompose into a folder of their own."""

from __future__ import annotations

from benchmarks import corpus


def test_two_runs_at_once_get_their_own_tool_folder_and_leave_none_behind(tmp_path):
    with corpus.tool_folder(tmp_path) as first, corpus.tool_folder(tmp_path) as second:
        (first / "bin").mkdir()
        assert first != second and first.is_dir() and second.is_dir()
        assert first.parent == second.parent == tmp_path / corpus.TOOLS
    assert list((tmp_path / corpus.TOOLS).iterdir()) == []


def test_what_an_environment_holds_is_read_from_its_distributions(tmp_path):
    site = tmp_path / "lib" / "python3.12" / "site-packages"
    (site / "flask-3.0.0.dist-info").mkdir(parents=True)
    (site / "legacy-1.0-py3.12.egg-info").mkdir()
    (site / "flask").mkdir()
    before = corpus.installed(tmp_path)
    assert before == {"flask-3.0.0", "legacy-1.0-py3.12"}
    (site / "flask-3.0.0.dist-info").rename(site / "flask-3.1.0.dist-info")  # a stage upgraded it
    assert sorted(before ^ corpus.installed(tmp_path)) == ["flask-3.0.0", "flask-3.1.0"]
