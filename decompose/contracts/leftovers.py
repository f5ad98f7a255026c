"""What one recording run of the suite leaves behind for the next: its SQLite databases.

`contracts record` runs the monolith's suite twice, one run after the other. A suite that keeps its
database in a file of the project (lnbits' `tests/data/database.sqlite3`, a Flask app's instance
folder) and never cleans it makes the second run fail where the first passed (`Username already
exists`). So before the first run every SQLite database under the monolith's folder (a file that starts
with SQLite's header, with its -wal, -shm and -journal companions) is copied aside, and before every
later run those are put back as they were and the databases the run created are removed:

    before = snapshot(root, scratch / "before-recording")   # before run 1
    changed = before.restore()                               # before run 2: the paths put back or removed

Virtual environments, version control, node_modules and decompose's own folders are not searched.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = b"SQLite format 3\x00"
COMPANIONS = ("-wal", "-shm", "-journal")
SKIPPED = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".decompose", ".tox",
                     ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "services", "contracts"})


def databases(root: Path, skip: Path | None = None) -> list[Path]:
    """Every SQLite database file under `root` (by its header), sorted; SKIPPED folders, venvs and `skip` left out."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and Path(folder) / d != skip
                         and not (Path(folder) / d / "pyvenv.cfg").exists())
        found += [Path(folder) / name for name in files if _is_sqlite(Path(folder) / name)]
    return sorted(found)


def _is_sqlite(path: Path) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size < len(MAGIC):
            return False
        with path.open("rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _with_companions(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + suffix) for suffix in COMPANIONS)]


def _same(path: Path, copy: Path) -> bool:
    try:
        one, other = path.stat(), copy.stat()
    except OSError:
        return False
    return (one.st_size, one.st_mtime_ns) == (other.st_size, other.st_mtime_ns)


@dataclass
class Snapshot:
    root: Path
    folder: Path
    databases: list[Path] = field(default_factory=list)
    kept: dict[Path, Path] = field(default_factory=dict)  # a database's file or companion -> its copy

    def restore(self) -> list[Path]:
        """Put every database back as it was at the snapshot; remove the ones created since. The databases
        that had changed (put back) or were new (removed), relative to the root."""
        touched = set()
        for database in databases(self.root, self.folder):
            if database not in self.databases:
                for path in _with_companions(database):
                    path.unlink(missing_ok=True)
                touched.add(database)
        for database in self.databases:
            for path in _with_companions(database):
                copy = self.kept.get(path)
                if copy is not None and _same(path, copy):
                    continue
                if path.exists():
                    path.unlink()
                    touched.add(database)
                if copy is not None:
                    shutil.copy2(copy, path)
                    touched.add(database)
        return sorted(p.relative_to(self.root) for p in touched)


def snapshot(root: Path, folder: Path) -> Snapshot:
    """Copy every SQLite database under `root` (and its companions) into `folder`, made empty first."""
    root, folder = root.resolve(), folder.resolve()
    if folder.exists():
        shutil.rmtree(folder)
    taken = Snapshot(root, folder, databases(root, folder))
    for database in taken.databases:
        for path in _with_companions(database):
            if path.exists():
                copy = folder / path.relative_to(root)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)
                taken.kept[path] = copy
    return taken
