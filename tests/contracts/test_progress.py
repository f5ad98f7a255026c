"""Progress from a child pytest: the plugin's lines in a file, followed while the child runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from decompose.contracts import progress


def test_the_last_complete_line_is_the_progress():
    assert progress.last("1/3\n2/3\n") == (2, 3)
    assert progress.last("1/3\n2/") == (1, 3)  # a line still being written is not read
    assert progress.last("") is None


def test_a_recorded_suite_reports_each_finished_test(tmp_path):
    (tmp_path / "test_three.py").write_text(textwrap.dedent('''
        import pytest

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_n(n):
            assert n
    '''))
    seen = []
    follow = tmp_path / "progress.txt"
    done = progress.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decompose.contracts.recorder",
                         f"--decompose-record-progress={follow}", str(tmp_path / "test_three.py")], None, follow,
                        lambda d, t: seen.append((d, t)))
    assert done.returncode == 0 and "3 passed" in done.stdout
    assert follow.read_text().splitlines() == ["1/3", "2/3", "3/3"]
    assert not seen or seen[-1][1] == 3  # polled: a quick child may finish before the first look
    assert isinstance(done, subprocess.CompletedProcess)
