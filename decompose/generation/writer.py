"""Safe generation: rendered files -> a plan of what would change -> files on disk + a manifest.

    plan_writes(out, {relpath: bytes}) -> WritePlan   reads only: one FileAction per file, stale files
    diff(action)                       -> str         what an overwrite or conflict would change
    apply(plan, force=False)           -> WriteResult writes create/overwrite (+ conflicts if forced),
                                                      then out/.decompose-generated.json

The manifest records the sha256 of every file decompose wrote, so the next generation can tell a
file nobody touched (safe to overwrite) from one the user edited (a conflict, kept unless forced).
A dry run is plan_writes without apply. Nothing is ever deleted: files no longer rendered are
reported as stale and left alone. The one exception is decompose's own temporary files: written in
out/.decompose-tmp (never inside a service folder), removed on every exit (SIGTERM included), and,
after a SIGKILL, by the next run (`remove_leftovers`, which matches their exact name pattern).
Errors a user can fix are UserErrors; nothing here prints.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import secrets
import signal
import stat
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from decompose.errors import UserError

MANIFEST = ".decompose-generated.json"
SCRATCH = ".decompose-tmp"  # temporary files while writing: beside the services, never inside one
LEFTOVER = re.compile(r"\.(.+)\.[0-9a-f]{8}\.tmp")  # write_atomic's temporary name for NAME
SCHEMA_VERSION = 1
GENERATOR = "decompose"

Status = Literal["create", "identical", "overwrite", "conflict", "forced"]
STATUSES: tuple[str, ...] = ("create", "identical", "overwrite", "conflict", "forced", "stale")
BACKED = frozenset({"create", "identical", "overwrite", "forced"})  # decompose stands behind these bytes
TO_WRITE = frozenset({"create", "overwrite", "forced"})

NEW = "new file"
RECREATED = "generated before, since deleted; creating it again"
UP_TO_DATE = "already up to date"
UNTOUCHED = "unchanged since decompose generated it; updating it"
EDITED = "you changed this file since decompose generated it; kept as it is"
NOT_OURS = f"decompose did not write this file (it is not in {MANIFEST}); kept as it is"


@dataclass(frozen=True)
class FileAction:
    path: str  # POSIX, relative to the output folder
    status: Status
    new: bytes
    old: bytes | None  # what is on disk now; None when nothing is there or something else is in the way
    reason: str

    @property
    def in_the_way(self) -> bool:
        """A folder, symlink or other non-file occupies the path: even force will not replace it."""
        return self.status == "conflict" and self.old is None


@dataclass(frozen=True)
class StaleFile:
    """A file the last generation wrote that is no longer rendered: kept on disk, never deleted."""

    path: str
    sha256: str  # as recorded in the manifest
    changed: bool  # the user edited it since it was generated
    reason: str


@dataclass(frozen=True)
class WritePlan:
    out: Path
    actions: tuple[FileAction, ...]
    stale: tuple[StaleFile, ...]
    previous: Mapping[str, str] = field(hash=False)  # the manifest as read: relpath -> sha256

    @property
    def conflicts(self) -> tuple[FileAction, ...]:
        return tuple(a for a in self.actions if a.status == "conflict")

    def counts(self) -> dict[str, int]:
        return _counts(self.actions, self.stale)


@dataclass(frozen=True)
class WriteResult:
    out: Path
    actions: tuple[FileAction, ...]  # conflicts written under force have status "forced"
    stale: tuple[StaleFile, ...]
    manifest: Path

    @property
    def written(self) -> tuple[FileAction, ...]:
        return tuple(a for a in self.actions if a.status in TO_WRITE)

    @property
    def conflicts(self) -> tuple[FileAction, ...]:
        """Conflicts left as they were."""
        return tuple(a for a in self.actions if a.status == "conflict")

    def counts(self) -> dict[str, int]:
        return _counts(self.actions, self.stale)


def _counts(actions: Iterable[FileAction], stale: tuple[StaleFile, ...]) -> dict[str, int]:
    found = Counter(a.status for a in actions) + Counter({"stale": len(stale)})
    return {status: found[status] for status in STATUSES if found[status]}


# ---------------------------------------------------------------- planning (reads, never writes)


def plan_writes(out: Path, rendered: Mapping[str, bytes]) -> WritePlan:
    _check_out(out)
    _check_rendered(out, rendered)
    previous = read_manifest(out)
    actions = tuple(_action(out, path, rendered[path], previous) for path in sorted(rendered))
    stale = tuple(s for path in sorted(previous.keys() - rendered.keys()) if (s := _stale(out, path, previous)))
    return WritePlan(out, actions, stale, previous)


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: the output folder is a file.", "Choose another output folder, or move the file away.")


def _check_rendered(out: Path, rendered: Mapping[str, bytes]) -> None:
    for path in rendered:
        if problem := _path_problem(path):
            raise UserError(f"Generated path {path!r} {problem}.", "Fix the template: paths look like 'cart/app.py'.")
        _check_escape(out, path)
    folders = {str(parent) for path in rendered for parent in PurePosixPath(path).parents}
    if clash := sorted(folders & rendered.keys()):
        raise UserError(f"Generated path {clash[0]!r} is both a file and a folder.", "Fix the templates: rename one.")


def _path_problem(path: str) -> str | None:
    """What is wrong with a path that is not a normalised POSIX path inside the output folder."""
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or ":" in parts[0]:
        return "is absolute or not a POSIX path: it must be relative to the output folder"
    if any(part in ("", ".", "..") for part in parts):
        return "has an empty, '.' or '..' part: it must stay inside the output folder"
    if path == MANIFEST:
        return "is the name of decompose's own manifest"
    if parts[0] == SCRATCH:
        return "is inside decompose's own scratch folder"
    return None


def _check_escape(out: Path, path: str) -> None:
    link = _symlinked_folder(out, path)
    if link is not None and not link.resolve().is_relative_to(out.resolve()):
        raise UserError(
            f"{link}: this folder is a symlink to {link.resolve()}, outside {out}; "
            f"writing {path!r} would escape the output folder.",
            "Replace the symlink with a real folder, or choose another output folder with --out.",
        )


def _symlinked_folder(out: Path, path: str) -> Path | None:
    current = out
    for part in PurePosixPath(path).parts[:-1]:
        current = current / part
        if current.is_symlink():
            return current
        if not current.is_dir():
            return None
    return None


def _obstacle(out: Path, path: str) -> str | None:
    """In words, what other than a regular file (or nothing) is at `path` or its folders; None if nothing."""
    current, parts = out, PurePosixPath(path).parts
    for depth, part in enumerate(parts, start=1):
        current = current / part
        try:
            mode = current.lstat().st_mode
        except FileNotFoundError:
            return None
        here = "/".join(parts[:depth])
        if depth == len(parts):
            return _leaf_obstacle(mode)
        if stat.S_ISLNK(mode):
            return f"folder '{here}' is a symlink; decompose only writes into real folders"
        if not stat.S_ISDIR(mode):
            return f"'{here}' is a file, but this file needs a folder there"
    return None


def _leaf_obstacle(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symlink is in the way; decompose does not write through or replace symlinks"
    if stat.S_ISDIR(mode):
        return "a folder is in the way of this file"
    return "something that is not a regular file is in the way"


def _action(out: Path, path: str, new: bytes, previous: Mapping[str, str]) -> FileAction:
    if obstacle := _obstacle(out, path):
        return FileAction(path, "conflict", new, None, obstacle)
    target = out / path
    if not target.exists():
        return FileAction(path, "create", new, None, RECREATED if path in previous else NEW)
    old = target.read_bytes()
    if old == new:
        return FileAction(path, "identical", new, old, UP_TO_DATE)
    if path not in previous:
        return FileAction(path, "conflict", new, old, NOT_OURS)
    if sha256(old) != previous[path]:
        return FileAction(path, "conflict", new, old, EDITED)
    return FileAction(path, "overwrite", new, old, UNTOUCHED)


def _stale(out: Path, path: str, previous: Mapping[str, str]) -> StaleFile | None:
    """A manifest entry no longer rendered; None once the user removed it or put something else there."""
    if _obstacle(out, path) or not (out / path).exists():
        return None
    changed = sha256((out / path).read_bytes()) != previous[path]
    how = "you changed it since it was generated" if changed else "unchanged since it was generated"
    reason = f"no longer generated ({how}); kept: delete it yourself if it is not needed"
    return StaleFile(path, previous[path], changed, reason)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- the manifest


def read_manifest(out: Path) -> dict[str, str]:
    """relpath -> sha256 of what the last generation wrote; empty when there was none."""
    path = out / MANIFEST
    if not path.exists() and not path.is_symlink():
        return {}
    if path.is_symlink() or not path.is_file():
        raise _bad_manifest(path, "is not a regular file")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise _bad_manifest(path, "is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise _bad_manifest(path, f"is not valid JSON ({error.msg} at {where})") from None
    return _manifest_files(path, document)


def _manifest_files(path: Path, document: object) -> dict[str, str]:
    if not isinstance(document, dict) or document.get("generator") != GENERATOR:
        raise _bad_manifest(path, f'is not a decompose manifest (no "generator": "{GENERATOR}")')
    if (version := document.get("schema_version")) != SCHEMA_VERSION:
        raise _bad_manifest(path, f"has schema_version {version!r}; this decompose reads {SCHEMA_VERSION}")
    files = document.get("files")
    if not isinstance(files, dict):
        raise _bad_manifest(path, 'has no "files" object')
    for relpath, digest in files.items():
        if problem := _path_problem(relpath):
            raise _bad_manifest(path, f"has an entry {relpath!r} that {problem}")
        if not _is_sha256(digest):
            raise _bad_manifest(path, f"has {digest!r} for {relpath!r} where a sha256 hex digest belongs")
    return dict(files)


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _bad_manifest(path: Path, what: str) -> UserError:
    return UserError(
        f"{path} {what}.",
        f"Restore it from version control, or delete it to start over: every existing file in {path.parent} "
        "then counts as a conflict and is kept unless you force it.",
    )


def manifest_bytes(files: Mapping[str, str]) -> bytes:
    document = {"files": dict(sorted(files.items())), "generator": GENERATOR, "schema_version": SCHEMA_VERSION}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")


# ---------------------------------------------------------------- executing the plan


def apply(plan: WritePlan, force: bool = False) -> WriteResult:
    _check_still_current(plan)
    remove_leftovers(plan.out, {a.path for a in plan.actions} | set(plan.previous))
    done: list[FileAction] = []
    try:
        with terminate_as_exit():
            for action in plan.actions:
                done.append(_execute(plan.out, action, force))
    finally:  # even after a failed write, record what was written so it is not a conflict next time
        manifest = _write_manifest(plan, done)
        _drop_scratch(plan.out)
    return WriteResult(plan.out, tuple(done), plan.stale, manifest)


def _check_still_current(plan: WritePlan) -> None:
    """The files (and the manifest) must be as they were when the plan was made: no surprises."""
    now = plan_writes(plan.out, {a.path: a.new for a in plan.actions})
    moved = [a.path for a, b in zip(now.actions, plan.actions, strict=True) if a != b]
    if moved or now.previous != plan.previous:
        which = ", ".join(moved[:5]) + (" ..." if len(moved) > 5 else "") if moved else MANIFEST
        raise UserError(
            f"Files in {plan.out} changed since the plan was made: {which}.",
            "Run the generation again to plan against what is there now.",
        )


def _execute(out: Path, action: FileAction, force: bool) -> FileAction:
    if action.status == "conflict" and force and not action.in_the_way:
        action = replace(action, status="forced")
    if action.status in TO_WRITE:
        write_atomic(out / action.path, action.new, out / SCRATCH)
    return action


def _write_manifest(plan: WritePlan, done: list[FileAction]) -> Path:
    path = plan.out / MANIFEST
    data = manifest_bytes(_manifest_entries(plan, done))
    if not (path.is_file() and path.read_bytes() == data):  # unchanged: leave the file (and its mtime) alone
        write_atomic(path, data, plan.out / SCRATCH)
    return path


def _manifest_entries(plan: WritePlan, done: list[FileAction]) -> dict[str, str]:
    """Hashes of what decompose now stands behind; the previous entry for everything else it once wrote."""
    entries = {s.path: s.sha256 for s in plan.stale}
    for action in done:
        if action.status in BACKED:
            entries[action.path] = sha256(action.new)
        elif action.path in plan.previous:
            entries[action.path] = plan.previous[action.path]
    for action in plan.actions[len(done) :]:  # not reached after a failure
        if action.path in plan.previous:
            entries[action.path] = plan.previous[action.path]
    return entries


def write_atomic(target: Path, data: bytes, scratch: Path | None = None) -> None:
    """Write to a temporary file, then rename over the target: never half a file. The temporary file
    is in `scratch` (default: out/.decompose-tmp, beside the services, in none of them), so a run
    killed mid-way leaves nothing a `chalice package` of a service would ship."""
    scratch = scratch if scratch is not None else target.parent
    scratch.mkdir(parents=True, exist_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else None
    temporary = scratch / f".{target.name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        with os.fdopen(os.open(temporary, flags, 0o666), "wb") as stream:  # 0o666: the umask applies
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)  # keep an overwritten file's permissions (an executable script stays one)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- temporary files


def _is_ours(name: str, targets: set[str]) -> bool:
    """`.NAME.8hex.tmp`, as write_atomic names them, for a NAME decompose writes (or, with `targets`
    empty, any NAME: inside SCRATCH everything of that form is ours)."""
    found = LEFTOVER.fullmatch(name)
    return found is not None and (not targets or found.group(1) in targets)


def remove_leftovers(out: Path, paths: set[str]) -> list[Path]:
    """Temporary files a killed run left: everything of write_atomic's form in out/.decompose-tmp, and
    (where earlier versions of decompose wrote them, beside their target) `.NAME.8hex.tmp` beside a
    NAME this generation writes or the manifest lists. Nothing else is touched. Returns what it removed."""
    folders: dict[Path, set[str]] = {out / SCRATCH: set()}
    for path in [*paths, MANIFEST]:
        folder = (out / path).parent
        folders.setdefault(folder, set()).add(PurePosixPath(path).name)
    removed = []
    for folder, names in sorted(folders.items()):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if _is_ours(entry.name, names) and entry.is_file() and not entry.is_symlink():
                entry.unlink()
                removed.append(entry)
    return removed


def _drop_scratch(out: Path) -> None:
    try:
        (out / SCRATCH).rmdir()  # only when empty: another run may be writing in it
    except OSError:
        pass


@contextlib.contextmanager
def terminate_as_exit() -> Iterator[None]:
    """SIGTERM while writing unwinds like Ctrl-C (write_atomic removes its temporary file) instead of
    killing the process where it stands. Only the main thread can set a handler."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------- showing a change


def diff(action: FileAction) -> str:
    """A unified diff from what is on disk to what would be written; one line for binary files."""
    old = action.old or b""
    try:
        before, after = old.decode("utf-8"), action.new.decode("utf-8")
    except UnicodeDecodeError:
        return f"{action.path}: binary file differs ({len(old)} -> {len(action.new)} bytes)\n"
    lines = difflib.unified_diff(_lines(before), _lines(after), f"a/{action.path}", f"b/{action.path}")
    return "".join(_mark_missing_newlines(lines))


def _lines(text: str) -> list[str]:
    """Split on '\\n' only (str.splitlines would also split on form feeds and other separators)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _mark_missing_newlines(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
