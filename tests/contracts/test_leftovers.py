"""Recording runs the suite twice: a suite that leaves its SQLite database behind (lnbits' tests/data) must
find it, in the second run, as it was before the first (decompose.contracts.leftovers)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from decompose.contracts import leftovers


def users(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [name for (name,) in db.execute("SELECT name FROM users ORDER BY name")]


def add(path: Path, name: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS users (name TEXT UNIQUE)")
        db.execute("INSERT INTO users VALUES (?)", (name,))


def test_a_database_the_run_changed_is_put_back_and_one_it_made_is_removed(tmp_path):
    root = tmp_path / "app"
    (root / "tests" / "data").mkdir(parents=True)
    (root / ".venv").mkdir()
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    kept, made, venv = root / "tests" / "data" / "database.sqlite3", root / "tests" / "data" / "ext.db", root / ".venv" / "x.db"
    add(kept, "superadmin")
    (root / "notes.txt").write_text("SQLite format 3 is a sentence here\n")
    before = leftovers.snapshot(root, root / ".decompose" / "before-recording")
    assert before.databases == [kept]

    add(kept, "alan")  # what the first run leaves
    add(made, "x")
    add(venv, "x")  # in a virtual environment: not the project's data
    assert before.restore() == [Path("tests/data/database.sqlite3"), Path("tests/data/ext.db")]
    assert users(kept) == ["superadmin"] and not made.exists() and venv.exists()
    assert not kept.with_name("database.sqlite3-journal").exists()
    assert before.restore() == []  # nothing changed since: nothing touched


def test_a_project_without_sqlite_has_nothing_to_put_back(tmp_path):
    (tmp_path / "app.py").write_text("app = None\n")
    before = leftovers.snapshot(tmp_path, tmp_path / "copy")
    assert before.databases == [] and before.restore() == []


LEAVES_A_USER = '''
import sqlite3


def test_registers_a_user_once():
    with sqlite3.connect("tests/data/app.sqlite3") as db:
        db.execute("CREATE TABLE IF NOT EXISTS users (name TEXT UNIQUE)")
        db.execute("INSERT INTO users VALUES ('alan')")  # 'Username already exists' the second time
'''


def test_the_second_recording_run_starts_from_the_databases_the_first_found(tmp_path, monkeypatch):
    """The suite passes once and fails when run again on what it left: recording runs it twice, both pass."""
    import sys

    from decompose.contracts.api import _run_suites
    from decompose.interpreter import find

    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "test_users.py").write_text(LEAVES_A_USER)
    monkeypatch.chdir(tmp_path)
    restored: list[str] = []
    paths = _run_suites(tmp_path / ".decompose", 2, ["tests", "-p", "no:randomly"], find(Path(sys.executable), tmp_path),
                        root=tmp_path, restored=restored)
    assert [p.exists() for p in paths] == [True, True] and restored == ["tests/data/app.sqlite3"]
