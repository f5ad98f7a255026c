"""Check that an incremental `decompose analyze` writes the same bytes as a cold one.

What flows through it:
    --corpus (a checkout; copied to a temp dir first, never edited in place) + --target (what to
    analyse, relative to the corpus; "." by default)
      -> a cold analysis into out/ (it fills the cache)
      -> one edit after another, each to one file, each followed by an analysis into out/ (which
         links incrementally from the previous run's cache) and by a reference analysis of the same
         tree with --no-cache into a fresh folder
      -> per edit: identical or not (with the first differing line), and both wall times

The edits: a comment appended, a comment at the top (every line moves), a function body changed
(a new call), an import added, an import removed, a module-level function that another module
imports renamed, a route added, a class added, a syntax error, and its repair (the file's old content: a cache hit).
Targets are chosen from the cold analysis, so the script works on any corpus.

Usage:
    python benchmarks/incremental_check.py --corpus sample_monolith
    python benchmarks/incremental_check.py --corpus ~/src/netbox --target netbox
    python benchmarks/incremental_check.py --corpus ~/src/saleor --only comment-end function-body
Exit status 1 if any case differs.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Tree:
    """The copied corpus and what the cold analysis says about it."""

    work: Path  # cwd of every run
    target: str  # path given to `decompose analyze`, relative to work
    analysis: dict
    env: dict[str, str]  # runs import the copy of decompose taken at the start

    def file_of(self, module: str) -> Path:
        path = next(m["path"] for m in self.analysis["modules"] if m["name"] == module)
        root = self.analysis["root"]
        return self.work / root / path if not Path(root).is_absolute() else Path(root) / path

    def app_modules(self) -> list[dict]:
        """Modules that parsed, mid-sized first (so edits land in ordinary code)."""
        ok = [m for m in self.analysis["modules"] if not m["parse_error"] and m["role"] == "app" and m["lines"] > 20]
        return sorted(ok, key=lambda m: (abs(m["lines"] - 200), m["name"]))


Edit = Callable[[Tree], str]  # edits a file, returns a description


def analyze(tree: Tree, out: Path, *extra: str) -> tuple[float, str]:
    """Wall time and how much was linked (from the timing line: "N re-linked", else everything)."""
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "decompose", "analyze", tree.target, "--out", str(out), *extra]
    proc = subprocess.run(cmd, cwd=tree.work, capture_output=True, text=True, env=tree.env, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    found = re.search(r"([\d,]+) re-linked", proc.stderr)
    return time.perf_counter() - start, f"{found.group(1)} re-linked" if found else "all linked"


def compare(a: Path, b: Path) -> str:
    left, right = a.read_bytes(), b.read_bytes()
    if left == right:
        return "identical"
    for number, (x, y) in enumerate(zip(left.splitlines(), right.splitlines()), 1):
        if x != y:
            return f"DIFFERENT at line {number}:\n  incremental: {x[:300]!r}\n  cold:        {y[:300]!r}"
    return f"DIFFERENT lengths {len(left)} vs {len(right)}"


# ---- edits ------------------------------------------------------------------------------------------
def insert_lines(path: Path, before: int, lines: list[str]) -> None:
    """Insert `lines` before 1-based line `before` (len + 1 appends)."""
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if text and not text[-1].endswith("\n"):
        text[-1] += "\n"
    text[before - 1:before - 1] = [line + "\n" for line in lines]
    path.write_text("".join(text), encoding="utf-8")


def parsed(path: Path) -> ast.Module:
    """The file's tree, or an empty module if this Python cannot parse it (newer syntax)."""
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def comment_end(tree: Tree) -> str:
    module = tree.app_modules()[0]["name"]
    path = tree.file_of(module)
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited by incremental_check\n", encoding="utf-8")
    return f"comment appended to {module}"


def comment_top(tree: Tree) -> str:
    module = tree.app_modules()[1]["name"]
    insert_lines(tree.file_of(module), 1, ["# edited by incremental_check: every line below moves down"])
    return f"comment inserted at the top of {module}"


def _functions(tree: Tree, module: str) -> list[ast.FunctionDef]:
    return [n for n in parsed(tree.file_of(module)).body if isinstance(n, ast.FunctionDef)]


def function_body(tree: Tree) -> str:
    for info in tree.app_modules():
        functions = _functions(tree, info["name"])
        if len(functions) >= 2:
            target, callee = functions[0], functions[-1]
            first = target.body[0]
            insert_lines(tree.file_of(info["name"]), first.lineno, [" " * first.col_offset + f"{callee.name}()"])
            return f"{info['name']}:{target.name} now calls {callee.name}() (and its lines move)"
    raise SystemExit("no module with two functions")


def _after_imports(module: ast.Module) -> int:
    ends = [n.end_lineno or n.lineno for n in module.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    return (max(ends) if ends else 0) + 1


def import_added(tree: Tree) -> str:
    modules = tree.app_modules()
    source = modules[2]["name"]
    defined = next(s for s in tree.analysis["symbols"] if s["kind"] == "function" and s["module"] not in (source,)
                   and not s["name"].startswith("_") and s["module"] in {m["name"] for m in modules[3:]})
    path = tree.file_of(source)
    insert_lines(path, _after_imports(parsed(path)), [f"from {defined['module']} import {defined['name']}"])
    return f"{source} imports {defined['module']}.{defined['name']}"


def import_removed(tree: Tree) -> str:
    names = {m["name"] for m in tree.analysis["modules"]}
    for info in tree.app_modules()[3:]:
        path = tree.file_of(info["name"])
        for node in parsed(path).body:
            internal = isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "") in names
            if internal and node.lineno == node.end_lineno:
                lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
                del lines[node.lineno - 1]
                path.write_text("".join(lines), encoding="utf-8")
                return f"{info['name']} no longer imports from {node.module} (line {node.lineno})"
    raise SystemExit("no single-line internal import found")


def function_renamed(tree: Tree) -> str:
    """Rename the definition only: the importers' names now resolve to nothing."""
    symbols = {s["id"]: s for s in tree.analysis["symbols"]}
    for edge in tree.analysis["edges"]:
        dst = symbols.get(edge["dst"])
        if edge["kind"] == "call" and dst and dst["kind"] == "function" and edge["src"].split(":")[0] != dst["module"]:
            path = tree.file_of(dst["module"])
            text = path.read_text(encoding="utf-8")
            old = f"def {dst['name']}("
            if text.count(old) == 1:
                path.write_text(text.replace(old, f"def {dst['name']}_renamed_by_check("), encoding="utf-8")
                return f"{dst['id']} renamed (called from {edge['src']})"
    raise SystemExit("no imported function found")


def class_added(tree: Tree) -> str:
    """A new class name: string references by class name ("app.Model", relationship) may now
    resolve differently, so the modules that looked that name up are linked again."""
    module = tree.app_modules()[5]["name"]
    path = tree.file_of(module)
    path.write_text(path.read_text(encoding="utf-8") + "\n\nclass DecomposeCheckAdded:\n    pass\n", encoding="utf-8")
    return f"class added to {module}"


ROUTE_DECORATORS = ("route", "get", "post", "put", "patch", "delete")


def route_added(tree: Tree) -> str:
    """Django first (a copy of a one-line urlpatterns entry), else a decorator route on a router
    made in the same module (`bp = Blueprint(...)`; not `@mock.get`)."""
    modules = sorted((m for m in tree.analysis["modules"] if not m["parse_error"]), key=lambda m: m["name"])
    for add in (_add_django_route, _add_decorated_route):
        for info in modules:
            described = add(tree.file_of(info["name"]))
            if described:
                return f"{info['name']}: {described}"
    raise SystemExit("no route to copy")


def _add_django_route(path: Path) -> str | None:
    """A copy of a one-line `path(...)`/`re_path(...)` entry of `urlpatterns`, with a new route."""
    for node in parsed(path).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "urlpatterns" for t in node.targets):
            for item in getattr(node.value, "elts", []):
                func = getattr(getattr(item, "func", None), "id", "")
                if func in ("path", "re_path", "url") and item.args and isinstance(item.args[0], ast.Constant) \
                        and item.lineno == item.end_lineno and isinstance(item.args[0].value, str):
                    line = path.read_text(encoding="utf-8").splitlines()[item.lineno - 1]
                    arg = item.args[0]
                    new = '"decompose-check/"' if func == "path" else 'r"^decompose-check/$"'
                    copy = line[:item.col_offset] + line[item.col_offset:arg.col_offset] + new + line[arg.end_col_offset:item.end_col_offset] + ","
                    insert_lines(path, item.lineno, [copy])
                    return f"new Django route copied from line {item.lineno}"
    return None


def _add_decorated_route(path: Path) -> str | None:
    module = parsed(path)
    routers = {t.id for n in module.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
               for t in n.targets if isinstance(t, ast.Name)}
    for node in module.body:
        for deco in getattr(node, "decorator_list", []):
            func = getattr(deco, "func", None)
            if isinstance(func, ast.Attribute) and func.attr in ROUTE_DECORATORS and getattr(func.value, "id", "") in routers:
                method = "get" if func.attr != "route" else "route"
                insert_lines(path, len(path.read_text(encoding="utf-8").splitlines()) + 1, [
                    "", "", f'@{func.value.id}.{method}("/decompose-check")', "def decompose_check_view():", '    return ""',
                ])
                return f"new @{func.value.id}.{method} route"
    return None


def syntax_error(tree: Tree) -> str:
    module = tree.app_modules()[4]["name"]
    path = tree.file_of(module)
    tree.saved = path.read_bytes()  # type: ignore[attr-defined]
    tree.saved_path = path  # type: ignore[attr-defined]
    path.write_text(path.read_text(encoding="utf-8") + "\ndef broken(:\n", encoding="utf-8")
    return f"syntax error in {module}"


def syntax_repaired(tree: Tree) -> str:
    tree.saved_path.write_bytes(tree.saved)  # type: ignore[attr-defined]
    return f"{tree.saved_path.name} repaired"  # type: ignore[attr-defined]


EDITS: dict[str, Edit] = {
    "comment-end": comment_end, "comment-top": comment_top, "function-body": function_body,
    "import-added": import_added, "import-removed": import_removed, "function-renamed": function_renamed,
    "route-added": route_added, "class-added": class_added, "syntax-error": syntax_error, "syntax-repaired": syntax_repaired,
}


def frozen_decompose(into: Path) -> dict[str, str]:
    """A copy of the decompose being checked, so that editing the source during a long check does
    not change the code half way (the cache would then be discarded and nothing tested)."""
    import decompose

    shutil.copytree(Path(decompose.__file__).parent, into / "decompose", ignore=shutil.ignore_patterns("__pycache__"))
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(into), os.environ.get("PYTHONPATH", "")]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--target", default=".", help="what to analyse, relative to the corpus")
    parser.add_argument("--only", nargs="*", choices=list(EDITS), help="run only these edits (in this order)")
    args = parser.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="decompose-check-") as tmp:
        work = Path(tmp)
        name = args.corpus.resolve().name  # a package is named after its folder
        shutil.copytree(args.corpus, work / name, symlinks=True)
        tree = Tree(work, str(Path(name) / args.target), {}, frozen_decompose(work / "code"))
        seconds, _ = analyze(tree, work / "out")
        tree.analysis = json.loads((work / "out" / "analysis.json").read_text(encoding="utf-8"))
        print(f"cold: {seconds:.2f} s, {len(tree.analysis['modules'])} modules")
        for number, name in enumerate(args.only or EDITS, 1):
            what = EDITS[name](tree)
            time.sleep(0.01)
            incremental, linked = analyze(tree, work / "out")
            cold, _ = analyze(tree, work / f"cold{number}", "--no-cache")
            verdict = compare(work / "out" / "analysis.json", work / f"cold{number}" / "analysis.json")
            failed += verdict != "identical"
            print(f"{name:17} {verdict:10} incremental {incremental:6.2f} s ({linked}), cold {cold:6.2f} s  ({what})", flush=True)
            shutil.rmtree(work / f"cold{number}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
