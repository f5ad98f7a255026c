"""Warm runs read the cache; a changed file is parsed again; a corrupt cache is rebuilt."""

from pathlib import Path

from decompose.analysis.pipeline import AnalyzeOptions, analyze
from decompose.analysis.serialize import dumps
from tests.helpers import write_tree

TREE = {f"pkg/m{i}.py": f"from pkg import m{(i + 1) % 30}\ndef f{i}():\n    return m{(i + 1) % 30}.f{(i + 1) % 30}()\n" for i in range(30)}
TREE["pkg/__init__.py"] = ""


def run(root: Path, cache: Path):
    return analyze(root / "pkg", AnalyzeOptions(cache_path=cache))


def test_warm_run_reads_everything_from_the_cache_and_matches_cold(tmp_path):
    write_tree(tmp_path, TREE)
    cache = tmp_path / "cache.sqlite"
    cold, warm = run(tmp_path, cache), run(tmp_path, cache)
    assert (cold.stats.cache_hits, cold.stats.parsed) == (0, 31)
    assert (warm.stats.cache_hits, warm.stats.parsed) == (31, 0)
    assert dumps(cold.analysis) == dumps(warm.analysis)


def test_one_changed_file_is_parsed_again(tmp_path):
    write_tree(tmp_path, TREE)
    cache = tmp_path / "cache.sqlite"
    run(tmp_path, cache)
    (tmp_path / "pkg/m3.py").write_text("def f3():\n    return 0\n")
    again = run(tmp_path, cache)
    assert (again.stats.cache_hits, again.stats.parsed) == (30, 1)
    assert not [e for e in again.analysis.edges if e.src.startswith("pkg.m3")]


def test_corrupt_cache_is_rebuilt_not_trusted(tmp_path):
    write_tree(tmp_path, TREE)
    cache = tmp_path / "cache.sqlite"
    cache.write_bytes(b"this is not a database" * 100)
    result = run(tmp_path, cache)
    assert result.stats.parsed == 31
    assert run(tmp_path, cache).stats.cache_hits == 31


def test_unchanged_old_files_are_not_read_again_but_edits_are_seen(tmp_path):
    import os

    from decompose.analysis.discovery import discover
    from decompose.analysis.runner import fingerprint

    write_tree(tmp_path, TREE)
    sources = discover(tmp_path / "pkg").sources
    assert fingerprint(sources).stats == {}  # just written: racy, so no stat is trusted later
    an_hour_ago = 1_700_000_000_000_000_000
    for source in sources:
        os.utime(source.path, ns=(an_hour_ago, an_hour_ago))
    first = fingerprint(sources)
    second = fingerprint(sources, known=first.stats)
    assert all(data is None for _, _, data in second.keyed)
    assert [k for k, _, _ in second.keyed] == [k for k, _, _ in first.keyed]
    edited = tmp_path / "pkg/m7.py"
    edited.write_text(edited.read_text().replace("f7", "g7"))  # same size, new mtime
    third = fingerprint(sources, known=first.stats)
    changed = [s.module for (k1, s, _), (k2, _, _) in zip(first.keyed, third.keyed) if k1 != k2]
    assert changed == ["pkg.m7"]
