"""The safe writer on real folders: create, identical, overwrite, conflict (kept unless forced), stale
files kept, things in the way, paths and manifests refused, dry runs that write nothing, diffs."""

import json
import os
import stat
from pathlib import Path

import pytest

from decompose.errors import UserError
from decompose.generation.writer import (
    MANIFEST,
    FileAction,
    WriteResult,
    apply,
    diff,
    plan_writes,
    sha256,
)

RENDERED = {
    "cart/app.py": b"from chalice import Chalice\n\napp = Chalice(app_name='cart')\n",
    "cart/requirements.txt": b"chalice\n",
    "cart/.chalice/config.json": b'{"version": "2.0"}\n',
    "orders/app.py": b"from chalice import Chalice\n\napp = Chalice(app_name='orders')\n",
}


def snapshot(root: Path) -> dict[str, object]:
    """Everything under root: file bytes, folders, symlink targets (what 'nothing changed' means)."""
    tree: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            tree[rel] = (
                ("link", os.readlink(path)) if path.is_symlink() else "dir" if path.is_dir() else path.read_bytes()
            )
    return tree


def generate(out: Path, rendered: dict[str, bytes], force: bool = False) -> WriteResult:
    return apply(plan_writes(out, rendered), force=force)


def statuses(actions: tuple[FileAction, ...]) -> dict[str, str]:
    return {a.path: a.status for a in actions}


def manifest(out: Path) -> dict[str, str]:
    return json.loads((out / MANIFEST).read_text())["files"]


def test_first_generation_creates_every_file_and_a_deterministic_manifest(tmp_path):
    out = tmp_path / "services"
    result = generate(out, RENDERED)

    assert statuses(result.actions) == dict.fromkeys(sorted(RENDERED), "create")
    assert result.counts() == {"create": 4}
    assert {p: (out / p).read_bytes() for p in RENDERED} == RENDERED
    expected = {
        "files": {p: sha256(RENDERED[p]) for p in sorted(RENDERED)},
        "generator": "decompose",
        "schema_version": 1,
    }
    assert (out / MANIFEST).read_bytes() == (json.dumps(expected, indent=2, sort_keys=True) + "\n").encode()
    assert not [p for p in snapshot(out) if p.endswith(".tmp")]


def test_regenerating_the_same_files_is_identical_and_changes_no_byte(tmp_path):
    out = tmp_path / "services"
    generate(out, RENDERED)
    before = snapshot(out)
    manifest_mtime = (out / MANIFEST).stat().st_mtime_ns

    plan = plan_writes(out, RENDERED)
    result = apply(plan)

    assert plan.counts() == {"identical": 4}
    assert statuses(result.actions) == dict.fromkeys(RENDERED, "identical")
    assert snapshot(out) == before
    assert (out / MANIFEST).stat().st_mtime_ns == manifest_mtime  # not even rewritten


def test_a_template_change_overwrites_a_file_the_user_did_not_touch(tmp_path):
    out = tmp_path / "services"
    generate(out, RENDERED)
    changed = {**RENDERED, "cart/requirements.txt": b"chalice>=1.31\n"}

    plan = plan_writes(out, changed)
    result = apply(plan)

    action = next(a for a in plan.actions if a.path == "cart/requirements.txt")
    assert (action.status, action.old) == ("overwrite", b"chalice\n")
    assert "unchanged since decompose generated it" in action.reason
    assert [a.path for a in result.written] == ["cart/requirements.txt"]
    assert (out / "cart/requirements.txt").read_bytes() == b"chalice>=1.31\n"
    assert manifest(out)["cart/requirements.txt"] == sha256(b"chalice>=1.31\n")


def test_a_file_the_user_edited_is_a_conflict_and_kept_byte_for_byte(tmp_path):
    out = tmp_path / "services"
    generate(out, RENDERED)
    edited = RENDERED["cart/app.py"] + b"\n# my own route\n"
    (out / "cart/app.py").write_bytes(edited)
    changed = {**RENDERED, "cart/app.py": RENDERED["cart/app.py"].replace(b"cart", b"basket")}

    plan = plan_writes(out, changed)
    result = apply(plan)

    assert [(a.path, a.old) for a in plan.conflicts] == [("cart/app.py", edited)]
    assert "you changed this file" in plan.conflicts[0].reason
    assert (out / "cart/app.py").read_bytes() == edited
    assert [a.path for a in result.conflicts] == ["cart/app.py"]
    assert manifest(out)["cart/app.py"] == sha256(RENDERED["cart/app.py"])  # still known as edited by the user
    assert plan_writes(out, changed).conflicts[0].reason == plan.conflicts[0].reason


def test_force_writes_a_conflict_as_forced_and_the_next_plan_is_identical(tmp_path):
    out = tmp_path / "services"
    generate(out, RENDERED)
    (out / "cart/app.py").write_bytes(b"# mine\n")
    changed = {**RENDERED, "cart/app.py": b"# new template\n"}

    result = generate(out, changed, force=True)

    forced = next(a for a in result.actions if a.path == "cart/app.py")
    assert forced.status == "forced"
    assert "you changed this file" in forced.reason
    assert result.counts() == {"identical": 3, "forced": 1}
    assert (out / "cart/app.py").read_bytes() == b"# new template\n"
    assert plan_writes(out, changed).counts() == {"identical": 4}


def test_a_file_decompose_did_not_write_is_a_conflict(tmp_path):
    out = tmp_path / "services"
    (out / "cart").mkdir(parents=True)
    (out / "cart/app.py").write_bytes(b"# hand-written\n")

    plan = plan_writes(out, RENDERED)
    result = apply(plan)

    assert [a.path for a in plan.conflicts] == ["cart/app.py"]
    assert "decompose did not write this file" in plan.conflicts[0].reason
    assert result.conflicts == plan.conflicts
    assert (out / "cart/app.py").read_bytes() == b"# hand-written\n"
    assert "cart/app.py" not in manifest(out)
    assert plan_writes(out, RENDERED).counts() == {"identical": 3, "conflict": 1}


def test_an_unlisted_file_with_the_rendered_bytes_is_identical_and_adopted(tmp_path):
    out = tmp_path / "services"
    (out / "cart").mkdir(parents=True)
    (out / "cart/requirements.txt").write_bytes(RENDERED["cart/requirements.txt"])

    generate(out, RENDERED)

    assert manifest(out)["cart/requirements.txt"] == sha256(b"chalice\n")


def test_files_no_longer_rendered_are_reported_stale_and_kept(tmp_path):
    out = tmp_path / "services"
    generate(out, RENDERED)
    (out / "orders/app.py").write_bytes(b"# edited\n")
    fewer = {p: b for p, b in RENDERED.items() if not p.startswith(("orders/", "cart/r"))}

    plan = plan_writes(out, fewer)
    result = apply(plan)

    assert [(s.path, s.changed) for s in plan.stale] == [("cart/requirements.txt", False), ("orders/app.py", True)]
    assert "you changed it" in plan.stale[1].reason
    assert plan.counts() == {"identical": 2, "stale": 2}
    assert (out / "orders/app.py").read_bytes() == b"# edited\n"
    assert (out / "cart/requirements.txt").read_bytes() == b"chalice\n"
    assert manifest(out)["orders/app.py"] == sha256(RENDERED["orders/app.py"])
    assert result.stale == plan.stale


def test_a_stale_file_the_user_deleted_leaves_the_manifest(tmp_path):
    out = tmp_path / "services"
    generate(out, RENDERED)
    (out / "orders/app.py").unlink()
    fewer = {p: b for p, b in RENDERED.items() if not p.startswith("orders/")}

    result = generate(out, fewer)

    assert result.stale == ()
    assert "orders/app.py" not in manifest(out)


def test_a_generated_file_the_user_deleted_is_created_again(tmp_path):
    out = tmp_path / "services"
    generate(out, RENDERED)
    (out / "orders/app.py").unlink()

    plan = plan_writes(out, RENDERED)
    apply(plan)

    assert statuses(plan.actions)["orders/app.py"] == "create"
    assert "creating it again" in next(a for a in plan.actions if a.path == "orders/app.py").reason
    assert (out / "orders/app.py").read_bytes() == RENDERED["orders/app.py"]


def test_a_folder_in_the_way_is_a_conflict_that_even_force_leaves_alone(tmp_path):
    out = tmp_path / "services"
    (out / "cart/app.py").mkdir(parents=True)
    (out / "cart/app.py/notes.txt").write_bytes(b"keep me\n")

    plan = plan_writes(out, RENDERED)
    result = apply(plan, force=True)

    conflict = plan.conflicts[0]
    assert (conflict.path, conflict.old, conflict.in_the_way) == ("cart/app.py", None, True)
    assert "a folder is in the way" in conflict.reason
    assert statuses(result.actions)["cart/app.py"] == "conflict"
    assert (out / "cart/app.py/notes.txt").read_bytes() == b"keep me\n"
    assert "cart/app.py" not in manifest(out)


def test_a_file_where_a_folder_is_needed_is_a_conflict(tmp_path):
    out = tmp_path / "services"
    out.mkdir()
    (out / "orders").write_bytes(b"not a folder\n")

    plan = plan_writes(out, RENDERED)
    apply(plan, force=True)

    assert [(a.path, a.reason) for a in plan.conflicts] == [
        ("orders/app.py", "'orders' is a file, but this file needs a folder there")
    ]
    assert (out / "orders").read_bytes() == b"not a folder\n"


def test_symlinks_are_never_written_through(tmp_path):
    out = tmp_path / "services"
    (out / "real").mkdir(parents=True)
    (out / "real/app.py").write_bytes(b"# target\n")
    (out / "cart").symlink_to(out / "real")  # a folder symlink inside the output folder
    (out / "orders").mkdir()
    (out / "orders/app.py").symlink_to(out / "real/app.py")

    plan = plan_writes(out, RENDERED)
    apply(plan, force=True)

    reasons = {a.path: a.reason for a in plan.conflicts}
    assert reasons["cart/app.py"] == "folder 'cart' is a symlink; decompose only writes into real folders"
    assert "a symlink is in the way" in reasons["orders/app.py"]
    assert snapshot(out / "real") == {"app.py": b"# target\n"}
    assert (out / "orders/app.py").is_symlink()


def test_a_symlinked_folder_leading_outside_is_refused(tmp_path):
    out, elsewhere = tmp_path / "services", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "cart").symlink_to(elsewhere)

    with pytest.raises(UserError, match="escape the output folder"):
        plan_writes(out, RENDERED)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "path",
    ["../outside.py", "cart/../../outside.py", "/etc/passwd", "cart//app.py", "./app.py", "cart\\app.py", "", MANIFEST],
)
def test_paths_outside_the_output_folder_or_not_normalised_are_refused(tmp_path, path):
    with pytest.raises(UserError) as raised:
        plan_writes(tmp_path / "services", {path: b"x"})
    assert repr(path) in raised.value.what
    assert not (tmp_path / "services").exists()
    assert not (tmp_path / "outside.py").exists()


def test_a_path_that_is_both_a_file_and_a_folder_is_refused(tmp_path):
    with pytest.raises(UserError, match="both a file and a folder"):
        plan_writes(tmp_path, {"cart": b"x", "cart/app.py": b"y"})


def test_an_output_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "services").write_bytes(b"")
    with pytest.raises(UserError, match="the output folder is a file"):
        plan_writes(tmp_path / "services", RENDERED)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('{"files": {', "is not valid JSON"),
        ("[]", "is not a decompose manifest"),
        ('{"generator": "decompose", "schema_version": 2, "files": {}}', "schema_version 2"),
        ('{"generator": "decompose", "schema_version": 1}', 'no "files" object'),
        ('{"generator": "decompose", "schema_version": 1, "files": {"a.py": "beef"}}', "sha256"),
        ('{"generator": "decompose", "schema_version": 1, "files": {"../a.py": "' + "0" * 64 + '"}}', "'..'"),
    ],
)
def test_a_corrupt_manifest_is_refused_with_the_way_out(tmp_path, text, complaint):
    (tmp_path / MANIFEST).write_text(text)
    with pytest.raises(UserError) as raised:
        plan_writes(tmp_path, RENDERED)
    assert complaint in raised.value.what
    assert str(tmp_path / MANIFEST) in raised.value.what
    assert "delete it to start over" in raised.value.next_step
    assert "conflict" in raised.value.next_step


def test_a_dry_run_plans_every_status_and_writes_nothing(tmp_path):
    out = tmp_path / "services"
    generate(out, RENDERED)
    (out / "cart/app.py").write_bytes(b"# mine\n")
    (out / "orders/app.py").unlink()
    (out / "extra").mkdir()
    (out / "extra/app.py").write_bytes(b"# someone else's\n")
    changed = {**RENDERED, "cart/app.py": b"# v2\n", "cart/requirements.txt": b"chalice==2\n", "new/app.py": b"#\n"}
    changed["extra/app.py"] = b"# ours\n"
    del changed["cart/.chalice/config.json"]
    before = snapshot(tmp_path)

    plan = plan_writes(out, changed)

    assert plan.counts() == {"create": 2, "overwrite": 1, "conflict": 2, "stale": 1}
    assert snapshot(tmp_path) == before


def test_apply_refuses_a_plan_the_files_moved_away_from(tmp_path):
    out = tmp_path / "services"
    generate(out, RENDERED)
    plan = plan_writes(out, {**RENDERED, "cart/app.py": b"# v2\n"})
    (out / "cart/app.py").write_bytes(b"# edited after the plan was shown\n")

    with pytest.raises(UserError, match="changed since the plan was made: cart/app.py"):
        apply(plan, force=True)
    assert (out / "cart/app.py").read_bytes() == b"# edited after the plan was shown\n"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_an_overwrite_keeps_the_file_permissions(tmp_path):
    generate(tmp_path, {"run.sh": b"#!/bin/sh\n"})
    (tmp_path / "run.sh").chmod(0o755)

    generate(tmp_path, {"run.sh": b"#!/bin/sh\necho hi\n"})

    assert stat.S_IMODE((tmp_path / "run.sh").stat().st_mode) == 0o755


def test_diff_of_a_text_change_is_a_unified_diff(tmp_path):
    generate(tmp_path, {"app.py": b"a = 1\nb = 2\n"})
    action = plan_writes(tmp_path, {"app.py": b"a = 1\nb = 3\n"}).actions[0]

    assert diff(action) == "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"


def test_diff_marks_a_missing_final_newline_and_shows_a_new_file_whole(tmp_path):
    (tmp_path / "app.py").write_bytes(b"x = 1")
    conflict, created = plan_writes(tmp_path, {"app.py": b"x = 2", "new.py": b"y = 1\n"}).actions

    assert diff(conflict) == (
        "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-x = 1\n\\ No newline at end of file\n+x = 2\n"
        "\\ No newline at end of file\n"
    )
    assert diff(created) == "--- a/new.py\n+++ b/new.py\n@@ -0,0 +1 @@\n+y = 1\n"


def test_diff_of_binary_bytes_is_one_line(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\xff")
    action = plan_writes(tmp_path, {"logo.png": b"\x89PNG\xff\x00\x01"}).actions[0]

    assert action.status == "conflict"
    assert diff(action) == "logo.png: binary file differs (5 -> 7 bytes)\n"
