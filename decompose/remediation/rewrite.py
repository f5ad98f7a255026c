"""The call sites of a remediated module, switched to the service's chalicelib/aws.py (one libcst pass).

    s3        open, io.open, os.makedirs/mkdir, os.remove/unlink, os.path.exists/isfile, shutil.copy/copyfile/
              copy2/move/rmtree, flask's send_file/send_from_directory -> aws.files.*;
              p.unlink()/write_bytes/write_text/read_bytes/read_text/touch(), Path(...).open()
              and x.save(<a path>) (werkzeug uploads, PIL images) -> aws.files.<method>(p, ...)
    dynamodb  a module-level dict (`X = {}`, `X: dict[...] = dict()`) -> aws.State("module:X")
    sqs       a module-level queue (deque(), queue.Queue(), []) -> aws.Queue("module:X");
              threading.Thread -> aws.Thread (start() sends the call), or aws.WorkerThread beside a queue
              (its messages drive the work: the thread that drained it never starts);
              FastAPI's `background_tasks.add_task(f, ...)` -> aws.background(f, ...) (sends the call);
              slow work: a statement of the same module storing (or dropping) what the slow function
              returns -> aws.later(_decompose_later_<caller>_<n>, <its locals>), the statement moved
              into that new module-level function, which the consumer Lambda runs after the commit

Only the globals the hazards name are replaced, and only when their value is an empty dict or queue:
anything else stays as it was and the report says so. Everything else in the module is untouched,
so behaviour outside the remediated state stays identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import libcst as cst

from decompose.analysis.hazards import FilesystemWrite, is_background_task

ALIAS = "_decompose_aws"
IMPORT = f"from chalicelib import aws as {ALIAS}  # decompose: [remediate], docs/remediation.md\n"
FILE_CALLS = {
    "open": "open", "io.open": "open", "os.makedirs": "makedirs", "os.mkdir": "makedirs",
    "os.remove": "remove", "os.unlink": "remove", "os.path.exists": "exists", "os.path.isfile": "exists",
    "shutil.copy": "copy", "shutil.copyfile": "copy", "shutil.copy2": "copy", "shutil.move": "move",
    "shutil.rmtree": "rmtree",
    # a file the monolith served from its folder: streamed from the bucket instead
    "flask.send_file": "send_file", "flask.helpers.send_file": "send_file",
    "flask.send_from_directory": "send_from_directory", "flask.helpers.send_from_directory": "send_from_directory",
}
PATH_TYPES = ("Path", "pathlib.Path", "PosixPath", "pathlib.PosixPath")
# pathlib's methods (names no other common object has): `p.unlink()` -> aws.files.unlink(p)
PATH_METHODS = ("unlink", "write_bytes", "write_text", "read_bytes", "read_text", "touch", "mkdir")
THREAD_IMPORT = re.compile(r"^from threading import [^\n]*\bThread\b", re.M)
EMPTY_DICTS = ("dict",)
QUEUES = ("deque", "collections.deque", "queue.Queue", "Queue", "queue.SimpleQueue", "SimpleQueue")


@dataclass(frozen=True)
class Wanted:
    """What to rewrite in one module (from its decisions and their hazards)."""
    module: str
    files: bool = False
    states: frozenset[str] = frozenset()
    queues: frozenset[str] = frozenset()
    threads: bool = False
    thread_name: bool = False  # `from threading import Thread`: the bare name is threading's
    slow: frozenset[str] = frozenset()  # functions doing slow work (sqs): their callers' statements are deferred


@dataclass
class Rewritten:
    source: str
    changes: list[str] = field(default_factory=list)  # "line 78: open -> aws.files.open", sorted by line
    queues: list[str] = field(default_factory=list)  # the globals that became a Queue
    thread_targets: list[str] = field(default_factory=list)  # "module:function" a Thread may send
    deferred: list[str] = field(default_factory=list)  # what a deferred statement stores ("photo.labels")


def rewrite(source: str, wanted: Wanted, import_line: str = IMPORT) -> Rewritten:
    """The module's source with its remediated call sites switched; unchanged when nothing matched.
    `import_line` brings the aws module in as _decompose_aws (the layer's copy imports its own)."""
    if wanted.threads and THREAD_IMPORT.search(source):
        wanted = replace(wanted, thread_name=True)
    module = cst.parse_module(source)
    if wanted.states:  # a decorator's registry is filled at import time with classes or functions: not state
        wanted = replace(wanted, states=wanted.states - registries(module))
    wrapper = cst.MetadataWrapper(module)
    switch = _Switch(wanted, _imported(module))
    changed = wrapper.visit(switch)
    if not switch.changes:
        return Rewritten(source)
    if switch.later:
        changed = changed.with_changes(body=[*changed.body, *switch.later])
    text = _with_import(changed.code, import_line)
    return Rewritten(text, [c for _, c in sorted(switch.changes)], sorted(switch.queues), sorted(switch.targets),
                     sorted(set(switch.deferred)))


class _Fills(cst.CSTVisitor):
    """In one function: the globals it fills with a parameter (`REGISTRY[key] = cls`) or with a class or
    function it defines (`cache[schema] = PaginatedSchema`), and what it returns."""

    def __init__(self, params: set[str]):
        self.params, self.filled, self.returned, self.defined = params, set(), set(), set()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.defined.add(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.defined.add(node.name.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if (isinstance(target.target, cst.Subscript) and isinstance(target.target.value, cst.Name)
                    and isinstance(node.value, cst.Name)):
                self.filled.add((target.target.value.value, node.value.value))

    def visit_Return(self, node: cst.Return) -> None:
        if isinstance(node.value, cst.Name):
            self.returned.add(node.value.value)


class _Registries(cst.CSTVisitor):
    def __init__(self):
        self.names: set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """A decorator's shape: it takes the decorated object first, stores it and returns it."""
        params = [p.name.value for p in (*node.params.posonly_params, *node.params.params)]
        fills = _Fills(set(params[:1]))
        node.body.visit(fills)
        self.names |= {name for name, value in fills.filled
                       if (value in fills.params and value in fills.returned) or value in fills.defined}


def registries(module: cst.Module) -> set[str]:
    """Module-level dicts of code, not data: filled by a decorator (a function storing its first
    parameter and returning it: CTFd's `JINJA_ENUMS[cls.__name__] = cls; return cls`) or by a factory
    memoising the class or function it builds (microblog-api's `paginated_schema_cache[schema] =
    PaginatedSchema`). They hold classes or functions, filled when the modules using them are imported,
    the same in every instance, and not JSON: left as they are."""
    found = _Registries()
    module.visit(found)
    return found.names


def _imported(module: cst.Module) -> dict[str, str]:
    """Names the module imports from a module (`from os import makedirs as md` -> {"md": "os.makedirs"})."""
    found: dict[str, str] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and small.module is not None and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    local = alias.asname.name.value if alias.asname else _dotted(alias.name)
                    found[local] = f"{_dotted(small.module)}.{_dotted(alias.name)}"
    return found


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


def _attr(*names: str) -> cst.BaseExpression:
    node: cst.BaseExpression = cst.Name(ALIAS)
    for name in names:
        node = cst.Attribute(node, cst.Name(name))
    return node


class _Switch(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (cst.metadata.PositionProvider,)

    def __init__(self, wanted: Wanted, imported: dict[str, str] | None = None):
        super().__init__()
        self.wanted = wanted
        self.imported = imported or {}  # `from shutil import rmtree` -> {"rmtree": "shutil.rmtree"}
        self.depth = 0
        self.changes: list[tuple[int, str]] = []
        self.queues: set[str] = set()
        self.targets: set[str] = set()
        self.threads = ("threading.Thread", "Thread") if wanted.thread_name else ("threading.Thread",)
        self.function: cst.FunctionDef | None = None  # the top-level function being walked
        self.later: list[cst.FunctionDef] = []  # the deferred statements, as module-level functions
        self.deferred: list[str] = []
        self.paths: set[str] = set()  # names bound to Path(...) in the function being walked: `p.open()` is a file's

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(cst.metadata.PositionProvider, node).start.line

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1
        self.paths = set()
        if self.depth == 1:
            self.function = node

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.depth -= 1
        if self.depth == 0:
            self.function = None
        return updated

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.depth -= 1
        return updated

    def visit_Assign(self, node: cst.Assign) -> None:
        if _is_path(node.value, set()):
            self.paths |= {n.value for t in node.targets for n in _target_names(t.target)}

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        """A statement of a top-level function that stores (or drops) what slow work returns: deferred."""
        function = self.function
        if not self.wanted.slow or function is None or self.depth != 1 or function.name.value in self.wanted.slow:
            return updated
        if len(original.body) != 1 or not _deferrable(original.body[0]) or not _calls(original, self.wanted.slow):
            return updated
        return self._defer(original, updated, function)

    def _defer(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine, function: cst.FunctionDef):
        line = self._line(original)
        name = f"_decompose_later_{function.name.value}_{sum(1 for f in self.later if f.name.value.startswith(f'_decompose_later_{function.name.value}_')) + 1}"
        free = _free(original, _locals(function))
        params = cst.Parameters([cst.Param(cst.Name(n)) for n in free])
        doc = cst.parse_statement(f'"""decompose: [remediate] slow-work sqs: line {line} of {function.name.value}, run by the consumer Lambda."""')
        self.later.append(cst.FunctionDef(cst.Name(name), params, cst.IndentedBlock([doc, updated.with_changes(leading_lines=[])]),
                                          leading_lines=[cst.EmptyLine(), cst.EmptyLine()]))
        self.targets.add(f"{self.wanted.module}:{name}")
        small = original.body[0]
        stored = cst.Module([]).code_for_node(small.targets[0].target) if isinstance(small, cst.Assign) else "(dropped)"
        self.deferred.append(stored)
        self.changes.append((line, f"line {line}: {stored} = ... -> aws.later({name}) (the consumer Lambda stores it)"))
        call = cst.Call(_attr("later"), [cst.Arg(cst.Name(name)), *[cst.Arg(cst.Name(n)) for n in free]])
        return updated.with_changes(body=[cst.Expr(call)])

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        name = _dotted(original.func)
        if self.imported.get(name) in FILE_CALLS:
            name = self.imported[name]
        if self.wanted.files and name in FILE_CALLS:
            self.changes.append((self._line(original), f"line {self._line(original)}: {name} -> aws.files.{FILE_CALLS[name]}"))
            return updated.with_changes(func=_attr("files", FILE_CALLS[name]))
        if self.wanted.files and isinstance(original.func, cst.Attribute):
            return self._method(original, updated)
        if self.wanted.threads and name in self.threads:
            return self._thread(original, updated, name)
        if self.wanted.threads and is_background_task(_dotted(original.func)):
            return self._background(original, updated)
        return updated

    def _background(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """`bg.add_task(f, *args)` -> aws.background(f, *args): the call leaves as a message after the answer's
        commit. `f` a module-level function of this module or imported by name: the consumer may run it."""
        target = original.args[0].value if original.args and original.args[0].keyword is None else None
        if isinstance(target, cst.Name):
            dotted = self.imported.get(target.value, f"{self.wanted.module}.{target.value}")
            self.targets.add(":".join(dotted.rsplit(".", 1)))
        line = self._line(original)
        self.changes.append((line, f"line {line}: {_dotted(original.func)} -> aws.background"))
        return updated.with_changes(func=_attr("background"))

    def _method(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        """`p.unlink()` -> aws.files.unlink(p); `upload.save(path)` / `image.save(path)` -> aws.files.save(upload, path)
        (a path-like first argument, as the hazard rule reads it)."""
        method = original.func.attr.value
        positional = [a for a in original.args if a.keyword is None and not a.star]
        is_save = method == "save" and positional and _looks_like_path(positional[0].value)
        is_open = method == "open" and _is_path(original.func.value, self.paths)
        if method not in PATH_METHODS and not is_save and not is_open:
            return updated
        line = self._line(original)
        self.changes.append((line, f"line {line}: .{method}() -> aws.files.{method}"))
        receiver = cst.Arg(updated.func.value)
        return cst.Call(_attr("files", method), [receiver, *updated.args])

    def _thread(self, original: cst.Call, updated: cst.Call, name: str) -> cst.Call:
        kind = "WorkerThread" if self.wanted.queues else "Thread"
        target = next((a.value for a in original.args if a.keyword and a.keyword.value == "target"), None)
        if kind == "Thread" and isinstance(target, cst.Name):
            self.targets.add(f"{self.wanted.module}:{target.value}")
        self.changes.append((self._line(original), f"line {self._line(original)}: {name} -> aws.{kind}"))
        return updated.with_changes(func=_attr(kind))

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        if self.depth or len(original.targets) != 1:
            return updated
        value = self._replacement(original.targets[0].target, original.value, original)
        return updated.with_changes(value=value) if value is not None else updated

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        if self.depth or original.value is None:
            return updated
        value = self._replacement(original.target, original.value, original)
        return updated.with_changes(value=value) if value is not None else updated

    def _replacement(self, target: cst.BaseExpression, value: cst.BaseExpression, node: cst.CSTNode):
        if not isinstance(target, cst.Name):
            return None
        name, line = target.value, self._line(node)
        if name in self.wanted.states and _empty_dict(value):
            self.changes.append((line, f"line {line}: {name} -> aws.State"))
            return _make("State", f"{self.wanted.module}:{name}")
        if name in self.wanted.queues and _empty_queue(value):
            self.queues.add(name)
            self.changes.append((line, f"line {line}: {name} -> aws.Queue"))
            return _make("Queue", f"{self.wanted.module}:{name}")
        return None


def _is_path(node: cst.BaseExpression, names: set[str]) -> bool:
    """`Path(...)` (pathlib's), or a name the function bound to one: its `.open()` opens a file (any
    other object's `open` is left alone: a zip member, a browser, a database)."""
    if isinstance(node, cst.Name):
        return node.value in names
    return isinstance(node, cst.Call) and _dotted(node.func) in PATH_TYPES


def _looks_like_path(node: cst.BaseExpression) -> bool:
    return FilesystemWrite()._looks_like_path(cst.Module([]).code_for_node(node)[:80])


def _deferrable(small: cst.BaseSmallStatement) -> bool:
    """`obj.attr = ...` / `obj[key] = ...` (the result is stored on something the consumer can load
    again) or a bare call (the result is dropped); a local variable's value is needed later in the request."""
    if isinstance(small, cst.Expr):
        return True
    return (isinstance(small, cst.Assign) and len(small.targets) == 1
            and isinstance(small.targets[0].target, (cst.Attribute, cst.Subscript)))


class _Names(cst.CSTVisitor):
    def __init__(self):
        self.used: list[str] = []
        self.bound: set[str] = set()
        self.called: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in self.used:
            self.used.append(node.value)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.bound |= {n.value for n in _target_names(node.target)}

    def visit_Call(self, node: cst.Call) -> None:
        self.called.add(_dotted(node.func).rsplit(".", 1)[-1])

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # an attribute's name is not a variable
        return False


def _calls(node: cst.CSTNode, names: frozenset[str]) -> bool:
    seen = _Names()
    node.visit(seen)
    return bool(seen.called & names)


def _free(node: cst.CSTNode, local: set[str]) -> list[str]:
    """The function's locals the statement reads, in order of appearance: the deferred call's arguments."""
    seen = _Names()
    node.visit(seen)
    return [n for n in seen.used if n in local and n not in seen.bound]


def _target_names(node: cst.CSTNode) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for element in node.elements for n in _target_names(element.value)]
    return []


class _Locals(cst.CSTVisitor):
    def __init__(self):
        self.names: set[str] = set()

    def visit_Param(self, node: cst.Param) -> None:
        self.names.add(node.name.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.names |= {n.value for n in _target_names(node.target)}

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.names |= {n.value for n in _target_names(node.target)}

    def visit_For(self, node: cst.For) -> None:
        self.names |= {n.value for n in _target_names(node.target)}

    def visit_AsName(self, node: cst.AsName) -> None:
        self.names |= {n.value for n in _target_names(node.name)}


def _locals(function: cst.FunctionDef) -> set[str]:
    found = _Locals()
    function.visit(found)
    return found.names


def _make(kind: str, name: str) -> cst.Call:
    return cst.Call(_attr(kind), [cst.Arg(cst.SimpleString(f'"{name}"'))])


def _empty_dict(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Dict):
        return not value.elements
    return isinstance(value, cst.Call) and _dotted(value.func) in EMPTY_DICTS and not value.args


def _empty_queue(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.List):
        return not value.elements
    return isinstance(value, cst.Call) and _dotted(value.func) in QUEUES and not value.args


def _with_import(code: str, line: str = IMPORT) -> str:
    """The alias imported after the module's docstring and `from __future__` imports (which must lead)."""
    module = cst.parse_module(code)
    body = list(module.body)
    at = 0
    for index, statement in enumerate(body):
        if _leading(statement, index):
            at = index + 1
        else:
            break
    body.insert(at, cst.parse_statement(line))
    return module.with_changes(body=body).code


def _leading(statement: cst.CSTNode, index: int) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString):
        return True
    return isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__"


# ---- what to rewrite, from the decisions and the hazards they decide ----

STATEFUL = ("global-mutable-state", "process-cache")  # hazards whose detail starts with the global's name
POPS = ("(.popleft())", "(.pop())", "(.get())", "(.get_nowait())")


def wanted(decisions, hazards) -> dict[str, Wanted]:
    """Path of the module (relative to the monolith's root) -> what to rewrite there."""
    found: dict[str, dict] = {}
    for decision, hazard in _decided(decisions, hazards):
        entry = found.setdefault(hazard.path, {"module": decision.target.split(":")[0], "files": False,
                                               "states": set(), "queues": set(), "threads": False, "slow": set()})
        name = hazard.detail.split(" ")[0] if decision.kind in STATEFUL else ""
        if decision.choice == "s3":
            entry["files"] = True
        elif decision.choice == "dynamodb" and name:
            entry["states"].add(name)
        elif decision.choice in ("sqs", "sns") and decision.kind == "background-thread":
            entry["threads"] = True
        elif decision.choice == "sqs" and decision.kind == "slow-work":
            entry["slow"].add(decision.target.split(":")[-1])
        elif decision.choice in ("sqs", "sns") and name:
            entry["queues"].add(name)
    return {path: Wanted(e["module"], e["files"], frozenset(e["states"]), frozenset(e["queues"]), e["threads"],
                         slow=frozenset(e["slow"]))
            for path, e in sorted(found.items())}


def drains(decisions, hazards, queues: dict[str, list[str]]) -> dict[str, list[str]]:
    """"module:queue" -> the functions that pop from it (decided sqs): what the consumer runs per item.
    `queues`: module -> the globals that became a Queue."""
    found: dict[str, set[str]] = {}
    for decision, hazard in _decided(decisions, hazards):
        module, name = decision.target.split(":")[0], hazard.detail.split(" ")[0]
        if decision.choice in ("sqs", "sns") and name in queues.get(module, ()) and hazard.detail.endswith(POPS):
            found.setdefault(f"{module}:{name}", set()).add(decision.target)
    return {queue: sorted(targets) for queue, targets in sorted(found.items())}


def _decided(decisions, hazards):
    by_key: dict[tuple[str, str], list] = {}
    for hazard in hazards:
        by_key.setdefault((hazard.kind, hazard.symbol), []).append(hazard)
    for decision in decisions:
        for hazard in by_key.get((decision.kind, decision.target), ()):
            yield decision, hazard
