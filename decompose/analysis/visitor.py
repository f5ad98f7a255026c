"""The facts of one module from one walk over its libcst tree: symbols, imports, name usages,
framework call sites, hazards.

It avoids libcst's ScopeProvider/QualifiedNameProvider (about 10x slower): light frames of
function locals keep a local variable or parameter from being mistaken for a module-level name,
and cross-module resolution is left to `decompose.analysis.link`. The walk itself, and its line
numbers, come from `decompose.analysis.walker`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst

from decompose.analysis import facts as f
from decompose.analysis.hazards import (
    ARGS_WATCH,
    CPU_WORK,
    REFERENCE_WATCH,
    CallEvent,
    FileEvents,
    LoopEvent,
    MutationEvent,
    find_hazards,
)
from decompose.analysis.syntax import (
    SEQUENCES,
    arg_source,
    arg_text,
    chain_nodes,
    concat_template,
    dotted,
    is_dotted_string,
    literal_str,
    resolve_relative,
    split_args,
    string_list,
    string_value,
    template_str,
)
from decompose.analysis.sql import looks_like_sql
from decompose.analysis.sql import tables as sql_tables
from decompose.analysis.walker import LineWalker

ROUTING_CALLS = {
    "add_url_rule", "register_blueprint", "include_router", "register", "add_api_route", "mount", "from_object",
    "add_resource", "init_app", "add_namespace", "add_router", "add_api_operation",
}
# on a plain name: @api_view(["GET", "POST"]), @require_http_methods([...]), DRF's @action(detail=True, ...)
METHOD_DECORATORS = {"api_view", "require_http_methods", "action"}
MUTATORS = {
    "append", "extend", "insert", "pop", "popleft", "appendleft", "remove", "clear", "update",
    "setdefault", "add", "discard", "put", "put_nowait", "popitem",
}
MUTABLE_CONSTRUCTORS = {
    "list", "dict", "set", "deque", "defaultdict", "OrderedDict", "Counter", "collections.deque",
    "collections.defaultdict", "collections.OrderedDict", "collections.Counter", "queue.Queue",
    "Queue", "weakref.WeakValueDictionary",
}
MAX_LINES_PER_USAGE = 5
# A call of one of these (on any receiver) marks its scope as writing what it reads from the ORM.
PERSIST_METHODS = {"commit", "flush", "save", "add_all", "bulk_create", "bulk_update", "bulk_save_objects", "merge"}
CORE_WRITES = {"delete", "update", "insert"}  # SQLAlchemy Core statements: `session.execute(delete(Model))`
CORE_RECEIVERS = {"", "sa", "sqlalchemy", "db"}


@dataclass
class Frame:
    """Names local to one function body (parameters and assignments, minus `global` names)."""

    locals: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)

    def is_local(self, name: str) -> bool:
        return name in self.locals and name not in self.globals


# A name used before it is known whether a local shadows it: (scope, dotted, kind, line, frames).
# A plain tuple, not a dataclass: a 4,000-file monolith has millions of them.
RawUsage = tuple[str | None, str, str, int, tuple[Frame, ...]]


class FactWalker(LineWalker):
    """Facts of one module. Hooks named `visit_<Node>`/`leave_<Node>` run as the walk reaches nodes."""

    def __init__(self, module: str, is_package: bool) -> None:
        super().__init__()
        self.module = module
        self.is_package = is_package
        self.scope: str | None = None
        self.depth = 0  # function/class nesting
        self.frames: list[Frame] = []
        self.stack: tuple[Frame, ...] = ()  # `frames` as a tuple, shared by every usage recorded in it
        self.consumed: set[int] = set()
        self.decorator_calls: set[int] = set()
        self.bindings: dict[str, str] = {}  # local name -> absolute dotted (any scope)
        self.has_star_import = False
        self.symbols: list[f.Symbol] = []
        self.classes: list[f.ClassInfo] = []
        self.imports: list[f.Import] = []
        self.dynamic: list[f.DynamicImport] = []
        self.unresolved_dynamic: list[tuple[int, str]] = []
        self.string_refs: list[f.StringRef] = []
        self.raw_usages: list[RawUsage] = []
        self.method_calls: dict[tuple[str | None, str], int] = {}
        self.assigned_calls: list[f.AssignedCall] = []
        self.call_sites: list[f.CallSite] = []
        self.url_entries: list[f.UrlEntry] = []
        self.events = FileEvents()
        self.raw_mutations: list[tuple[MutationEvent, tuple[Frame, ...]]] = []
        self.loop_aliases: list[tuple[str | None, str, str]] = []
        self.range_loops: list[str] = []  # per enclosing `for`: "range(n)" for a computed count, else ""
        self.sequences: list[tuple[str, tuple[str, ...]]] = []
        self.returns: dict[str, set[str | None]] = {}  # top-level function -> what its returns call
        self.sql: list[f.SqlUse] = []
        self.sql_parts: set[int] = set()  # strings read as part of a concatenation
        self.constants: dict[str, str] = {}
        self.functions: list[tuple[str, tuple[str, ...]]] = []
        self.local_strings: list[tuple[str, str, str]] = []
        self.local_strips: list[tuple[str, str, str, str]] = []
        self.in_annotation = 0

    # ---- scopes ---------------------------------------------------------------------------
    def bind_local(self, name: str) -> None:
        if self.frames:
            self.frames[-1].locals.add(name)

    def bind_target(self, target: cst.BaseExpression) -> None:
        """Record names bound by an assignment/for/with target; consume them as non-usages."""
        if isinstance(target, cst.Name):
            self.consumed.add(id(target))
            self.bind_local(target.value)
            if self.depth == 0:
                self._add_assignment_symbol(target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.bind_target(element.value)
        elif isinstance(target, cst.StarredElement):
            self.bind_target(target.value)

    def statement(self, node: cst.CSTNode) -> None:
        """A module-level assignment's symbol spans its whole statement (`X = (\n a,\n b,\n)`)."""
        if self.depth or type(node) is not cst.SimpleStatementLine:
            super().statement(node)
            return
        count = len(self.symbols)
        super().statement(node)
        end = self.next_line - 1
        for index in range(count, len(self.symbols)):
            symbol = self.symbols[index]
            if symbol.kind == "assignment" and end > symbol.end_line:
                self.symbols[index] = f.Symbol(symbol.name, symbol.kind, symbol.line, end)

    def _add_assignment_symbol(self, target: cst.Name) -> None:
        if self.scope is None:
            line = self.line(target)
            self.symbols.append(f.Symbol(target.value, "assignment", line, line))

    # ---- definitions ----------------------------------------------------------------------
    def decorated(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        """Called by `compound` before the decorators are walked: the scope is the decorated symbol."""
        if self.depth == 0:
            self.scope = node.name.value

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        name = node.name.value
        self.consumed.add(id(node.name))
        if self.depth == 0:
            self.symbols.append(f.Symbol(name, "function", self.line(), self.line()))
            params = node.params
            self.functions.append((name, tuple(p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params))))
        else:
            self.bind_local(name)
        self.depth += 1
        self._push(Frame(locals=_param_names(node.params)))
        for param in _all_params(node.params):
            self.consumed.add(id(param.name))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1
        self._pop()
        self._close_symbol()

    def _push(self, frame: Frame) -> None:
        self.frames.append(frame)
        self.stack = tuple(self.frames)

    def _pop(self) -> None:
        self.frames.pop()
        self.stack = tuple(self.frames)

    def _close_symbol(self) -> None:
        if self.depth == 0:
            self.scope = None
            last = self.symbols[-1]
            self.symbols[-1] = f.Symbol(last.name, last.kind, last.line, max(last.line, self.next_line - 1))

    def visit_Return(self, node: cst.Return) -> None:
        """What a top-level function returns when it is a call (`return Settings()`): a factory whose
        result's class defaults the linker can read (`get_settings().API_V1_STR`)."""
        if self.depth == 1 and self.scope is not None and not self.frames[1:]:
            value = node.value
            callee = dotted(value.func) if isinstance(value, cst.Call) else None
            self.returns.setdefault(self.scope, set()).add(callee)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._push(Frame(locals=_param_names(node.params)))
        for param in _all_params(node.params):
            self.consumed.add(id(param.name))

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        name = node.name.value
        self.consumed.add(id(node.name))
        if self.depth == 0:
            self.symbols.append(f.Symbol(name, "class", self.line(), self.line()))
            self.classes.append(_class_info(node))
        else:
            self.bind_local(name)
        for base in node.bases:
            self._record_chain(base.value, "inherit")
        self.depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.depth -= 1
        self._close_symbol()

    def decorator(self, decorator: cst.Decorator, name: str) -> None:
        expr = decorator.decorator
        func = expr.func if isinstance(expr, cst.Call) else expr
        text = dotted(func)
        if text is None:
            return
        self.events.decorators.append(CallEvent(self.scope, self._expand(text), self.line(), (), ()))
        if isinstance(expr, cst.Call):
            self.consumed.add(id(expr))
            if isinstance(expr.func, cst.Attribute) or text.rsplit(".", 1)[-1] in METHOD_DECORATORS:
                self.decorator_calls.add(id(expr))
                self.call_sites.append(self._call_site(expr, decorates=name))
        self._record_chain(func, "decorator")

    # ---- imports --------------------------------------------------------------------------
    def _context(self) -> str:
        if self.type_checking:
            return "type-checking"
        return "lazy" if self.depth else "top"

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._consume_alias(alias)
            name = _import_name(alias.name)
            bound = alias.asname.name.value if alias.asname else name.split(".")[0]  # type: ignore[union-attr]
            self.bindings[bound] = name if alias.asname else bound
            self.imports.append(f.Import(name, (), bound, self._context(), self.line(node), self.scope))

    def _consume_alias(self, alias: cst.ImportAlias) -> None:
        for part in chain_nodes(alias.name):
            self.consumed.add(id(part))
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            self.consumed.add(id(alias.asname.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None:
            self.consumed.update(id(part) for part in chain_nodes(node.module))
        target = _import_name(node.module) if node.module else None
        module = resolve_relative(self.module, self.is_package, len(node.relative), target)
        names: list[tuple[str, str]] = []
        if isinstance(node.names, cst.ImportStar):
            self.has_star_import = True
            names.append(("*", "*"))
        else:
            for alias in node.names:
                self._consume_alias(alias)
                name = _import_name(alias.name)
                bound = alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
                self.bindings[bound] = f"{module}.{name}"
                names.append((name, bound))
        self.imports.append(f.Import(module, tuple(names), None, self._context(), self.line(node), self.scope))

    def visit_If(self, node: cst.If) -> None:
        if dotted(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self.type_checking_blocks.add(id(node.body))

    # ---- assignments ----------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assign_target(target.target, node.value)
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self._assigned(node.targets[0].target.value, node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign_target(node.target, node.value)
            if isinstance(node.target, cst.Name):
                self._assigned(node.target.value, node.value, node)
        elif isinstance(node.target, cst.Name):
            self.bind_target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.consumed.add(id(node.target))
            self._maybe_mutation(node.target.value, "augmented assignment", node, rebinding=True)
            if self.depth == 0:
                self._urlpatterns(node.value, node.target.value)
        else:
            self._subscript_write(node.target, node)

    def _assign_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and self.frames:
            frame = self.frames[-1]
            if target.value in frame.globals:
                self._maybe_mutation(target.value, "rebinds global", target, rebinding=True)
        if isinstance(target, (cst.Subscript, cst.Attribute)):
            self._subscript_write(target, target)
        self.bind_target(target)

    def _subscript_write(self, target: cst.BaseExpression, node: cst.CSTNode) -> None:
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self._maybe_mutation(target.value.value, "item assignment", node)

    def _assigned(self, name: str, value: cst.BaseExpression, node: cst.CSTNode) -> None:
        if self.depth == 0 and self.scope is None and _is_mutable_value(value):
            self.events.mutable_globals[name] = (self.line(node), _value_kind(value))
        if self.depth == 0 and self.scope is None:
            self._urlpatterns(value, name)
        if self.depth == 0 and self.scope is None and isinstance(value, (cst.List, cst.Tuple)):
            items = tuple(dotted(el.value) for el in value.elements)
            if items and all(items):
                self.sequences.append((name, tuple(i for i in items if i)))
        if self.depth == 0 and self.scope is None and (text := literal_str(value)) is not None:
            self.constants[name] = text
        if self.depth == 1 and self.scope is not None:
            self._local_string(name, value)
        if isinstance(value, cst.Call) and self.depth <= 1:
            callee = dotted(value.func)
            if callee:
                positional, keywords = split_args(value)
                text = arg_source if self.depth == 0 else arg_text  # source text costs a codegen
                self.assigned_calls.append(
                    f.AssignedCall(
                        name, self._expand(callee), tuple(text(a) for a in positional),
                        tuple((k, text(v)) for k, v in keywords.items()), self.line(node), self.scope,
                        _literals(positional, keywords),
                    )
                )

    def _local_string(self, name: str, value: cst.BaseExpression) -> None:
        """A string a top-level function builds from its names (`rule = "/" + base_path + "/<path:path>"`), or a
        name it strips (`base_path = base_path.strip("/")`): a helper registering a caller's route (CTFd's
        `register_plugin_assets_directory(app, base_path="/plugins/flags/assets/")`)."""
        if isinstance(value, (cst.BinaryOperation, cst.FormattedString)):
            template = concat_template(value)
            if template is not None and "${" in template:
                self.local_strings.append((self.scope, name, template))
            return
        strip = _strip_of(value, name)
        if strip is not None:
            self.local_strips.append((self.scope, name, *strip))

    def visit_Global(self, node: cst.Global) -> None:
        if self.frames:
            self.frames[-1].globals.update(item.name.value for item in node.names)
        for item in node.names:
            self.consumed.add(id(item.name))

    def visit_Del(self, node: cst.Del) -> None:
        self._subscript_write(node.target, node)

    def _maybe_mutation(self, name: str, how: str, node: cst.CSTNode, rebinding: bool = False) -> None:
        if not self.frames:
            return
        if rebinding and name not in self.frames[-1].globals:
            return
        event = MutationEvent(self.scope, name, how, self.line(node))
        self.raw_mutations.append((event, self.stack))

    # ---- loops, comprehension and with targets ---------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        self.bind_target(node.target)
        source = dotted(node.iter) or ""
        if source and isinstance(node.target, cst.Name):
            self.loop_aliases.append((self.scope, node.target.value, source))
        if self.frames and _unbounded_query(node.iter, source):
            self.events.loops.append(LoopEvent(self.scope, "for-all", f"for ... in {source}", self.line(node)))
        self.range_loops.append(_computed_range(node.iter) if self.frames else "")

    def leave_For(self, node: cst.For) -> None:
        self.range_loops.pop()

    def visit_While(self, node: cst.While) -> None:
        test = node.test
        forever = (isinstance(test, cst.Name) and test.value == "True") or (
            isinstance(test, cst.Integer) and test.value == "1"
        )
        if forever and self.frames:
            self.events.loops.append(LoopEvent(self.scope, "while-true", "while True", self.line(node)))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.bind_target(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.bind_target(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.bind_target(node.name.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bind_target(node.target)

    # ---- usages ---------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        text = dotted(node.func)
        if text is None:
            return
        expanded = self._expand(text)
        if id(node) not in self.consumed:
            self._record_chain(node.func, "call")
        if isinstance(node.func, cst.Attribute):  # `self._queries.get_user(...)`: aiosql's named queries (link.py)
            self.method_calls.setdefault((self.scope, node.func.attr.value), self.line(node))
        self._call_event(node, expanded)
        self._special_call(node, text, expanded)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.consumed.add(id(node.attr))
        if id(node) not in self.consumed:
            self._record_chain(node, "reference")

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self.in_annotation += 1

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self.in_annotation -= 1

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.consumed.add(id(node.keyword))

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.consumed.add(id(item.name))

    def visit_Name(self, node: cst.Name) -> None:
        """A bare name is a chain of one: no `dotted` or `chain_nodes` (a third of all nodes walked are names)."""
        if id(node) in self.consumed:
            return
        self.consumed.add(id(node))
        self._record(node.value, node.value, "reference")

    def _record_chain(self, node: cst.BaseExpression, kind: str) -> None:
        text = dotted(node)
        if text is None:
            return
        for part in chain_nodes(node):
            self.consumed.add(id(part))
        self._record(text, text.rsplit(".", 1)[-1], kind)

    def _record(self, text: str, last: str, kind: str) -> None:
        """One raw usage of `text` (whose last part is `last`); a watched reference is also an event."""
        if kind == "reference":
            if self.in_annotation:
                kind = "annotation"
            elif last in REFERENCE_WATCH:
                self.events.references.append(CallEvent(self.scope, self._expand(text), self.line(), (), ()))
        self.raw_usages.append((self.scope, text, kind, self.line(), self.stack))

    def _expand(self, text: str) -> str:
        head, _, rest = text.partition(".")
        target = self.bindings.get(head)
        if target is None:
            return text
        return f"{target}.{rest}" if rest else target

    def _call_event(self, node: cst.Call, expanded: str) -> None:
        """Every call, for the hazard rules; its arguments as text only where a rule reads them."""
        args: tuple[str, ...] = ()
        kwargs: tuple[tuple[str, str], ...] = ()
        first_src = ""
        if expanded in ARGS_WATCH:
            positional, keywords = split_args(node)
            args = tuple(arg_text(a) for a in positional)
            kwargs = tuple((k, arg_text(v)) for k, v in keywords.items())
        elif expanded.endswith(".save"):
            positional, _ = split_args(node)
            first_src = cst.Module([]).code_for_node(positional[0])[:80] if positional else ""
        self.events.calls.append(CallEvent(self.scope, expanded, self.line(node), args, kwargs, first_src))
        if self.range_loops and self.range_loops[-1] and expanded.startswith(CPU_WORK) and "(" not in expanded:
            detail = f"{expanded} repeated in for ... in {self.range_loops[-1]}"
            self.events.loops.append(LoopEvent(self.scope, "cpu", detail, self.line(node)))
            self.range_loops[-1] = ""  # one hazard per loop
        method = text_method(node)
        if method in MUTATORS and isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name):
            self._maybe_mutation(node.func.value.value, f".{method}()", node)

    def _special_call(self, node: cst.Call, text: str, expanded: str) -> None:
        method = text.rsplit(".", 1)[-1]
        if expanded in ("importlib.import_module", "__import__"):
            self._dynamic_import(node)
        elif method in ("relationship", "ForeignKey", "patch") and node.args:
            self._hinted_string(node, method)
        if id(node) in self.decorator_calls:
            return
        if (method in ROUTING_CALLS and isinstance(node.func, cst.Attribute)) or _passes_view(node) or _passes_path(node):
            self.call_sites.append(self._call_site(node))

    def _dynamic_import(self, node: cst.Call) -> None:
        positional, keywords = split_args(node)
        target = literal_str(positional[0]) if positional else None
        if target is None:
            code = cst.Module([]).code_for_node(node)
            self.unresolved_dynamic.append((self.line(node), code[:120]))
            return
        if target.startswith("."):
            level = len(target) - len(target.lstrip("."))
            target = resolve_relative(self.module, self.is_package, level, target.lstrip(".") or None)
        self.dynamic.append(f.DynamicImport(target, self.line(node), self.scope))
        self.consumed.add(id(positional[0]))

    def _hinted_string(self, node: cst.Call, method: str) -> None:
        first = node.args[0].value
        value = literal_str(first)
        if value is None:
            return
        hint = {"ForeignKey": "foreign-key", "relationship": "relationship"}.get(method, "patch")
        if hint == "patch" and not is_dotted_string(value):
            return
        self.consumed.add(id(first))
        self.string_refs.append(f.StringRef(value, self.line(node), self.scope, hint))

    # ---- SQL in strings ----------------------------------------------------------------------
    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if id(node) not in self.sql_parts:  # the outermost concatenation holds the whole text
            text = literal_str(node) if not _has_fstring(node) else sql_text(node)
            if text is not None:
                self._sql(text, node)
        self.sql_parts.update(id(part) for part in (node.left, node.right))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if id(node) not in self.sql_parts and (text := sql_text(node)) is not None:
            self._sql(text, node)

    def _sql(self, text: str, node: cst.CSTNode) -> None:
        found = sql_tables(text) if looks_like_sql(text) else None
        if found is not None and (found.reads or found.writes or found.creates):
            self.sql.append(f.SqlUse(self.scope, self.line(node), found.reads, found.writes, found.creates))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) not in self.sql_parts and node.value[-1:] in "\"'" and "b" not in node.prefix.lower():
            text = string_value(node)
            if text is not None and looks_like_sql(text):
                self._sql(text, node)
        if "." in node.value and id(node) not in self.consumed:
            value = string_value(node)
            if value is not None and "." in value and is_dotted_string(value):
                self.string_refs.append(f.StringRef(value, self.line(node), self.scope))
        self.extra += node.value.count("\n")

    def _call_site(self, node: cst.Call, decorates: str | None = None) -> f.CallSite:
        """A framework-relevant call: `bp.route(...)`, `app.register_blueprint(...)`, or a call
        handing a view to a helper (`register_view(bp, routes=[...], view_func=V.as_view(...))`)."""
        positional, keywords = split_args(node)
        named = {**{str(i): a for i, a in enumerate(positional)}, **keywords}
        lists = tuple((k, v) for k, val in named.items() if (v := string_list(val)) is not None)
        receiver, _, method = (dotted(node.func) or "").rpartition(".")
        return f.CallSite(
            target=receiver,
            method=method,
            args=tuple(arg_source(a) for a in positional),
            kwargs=tuple((k, arg_source(v)) for k, v in keywords.items()),
            line=self.line(node),
            scope=self.scope,
            decorates=decorates,
            list_args=lists,
            literals=_literals(positional, keywords),
        )

    # ---- Django urlpatterns -------------------------------------------------------------------
    def _urlpatterns(self, value: cst.BaseExpression, group: str) -> None:
        """`path()` entries of a module-level list: `urlpatterns`, or a list it includes by name."""
        if isinstance(value, cst.BinaryOperation):
            self._urlpatterns(value.left, group)
            self._urlpatterns(value.right, group)
        elif isinstance(value, (cst.List, cst.Tuple)):
            for element in value.elements:
                self._url_entry(element.value, (), group)
        elif isinstance(value, cst.Call) and (dotted(value.func) or "").endswith("i18n_patterns"):
            # served under the request's language code (/en/..., /es/...): a path variable, which
            # LocaleMiddleware reads; `prefix_default_language=False` serves the default language bare too
            prefixes = [(("path", f"<{f.I18N_LANGUAGE}>/"),)]
            if any(arg.keyword is not None and arg.keyword.value == "prefix_default_language"
                   and isinstance(arg.value, cst.Name) and arg.value.value == "False" for arg in value.args):
                prefixes.append(())
            for prefix in prefixes:
                for arg in value.args:
                    if arg.keyword is None:
                        self._url_entry(arg.value, prefix, group)
        elif group == "urlpatterns" and (text := dotted(value)) is not None and text != group:
            # (`urlpatterns = [...] + urlpatterns` extends the list, it does not include it)
            self.url_entries.append(f.UrlEntry("include", "", f"include-expr:{text}", self.line(value)))

    def _url_entry(self, node: cst.BaseExpression, prefix: tuple[tuple[str, str], ...], group: str) -> None:
        if not isinstance(node, cst.Call) or not node.args:
            return
        func = (dotted(node.func) or "").rsplit(".", 1)[-1]
        if func not in ("path", "re_path", "url"):
            return
        positional, keywords = split_args(node)
        route_node = positional[0] if positional else keywords.get("route")
        view = positional[1] if len(positional) > 1 else keywords.get("view")
        if route_node is None or view is None:
            return
        # a literal, or `${name}` markers for names the linker may know the value of (`path(prefix, ...)`,
        # `path(f"{prefix}admin/", ...)`); else the expression, known only at run time (`settings.BASE_PATH`)
        route = "${" + route_node.value + "}" if isinstance(route_node, cst.Name) else template_str(route_node)
        if route is None:
            route = "${" + arg_source(route_node) + "}"
        inline = _inline_include(view)
        if inline is not None:  # path("event/<slug>/", include([path(...), ...]))
            for element in inline.elements:
                self._url_entry(element.value, (*prefix, (func, route)), group)
            return
        self.url_entries.append(f.UrlEntry(func, route, _view_text(view), self.line(node), prefix, group))

    # ---- result -------------------------------------------------------------------------------
    def result(self, path: str, lines: int, sha256: str) -> f.FileFacts:
        self.events.mutations = self._mutations()
        return f.FileFacts(
            module=self.module, path=path, is_package=self.is_package, lines=lines, sha256=sha256,
            symbols=tuple(_dedupe_symbols(self.symbols)), classes=tuple(self.classes),
            imports=tuple(self.imports), dynamic_imports=tuple(self.dynamic),
            string_refs=tuple(self.string_refs), usages=self._usages(),
            method_calls=tuple(sorted(((s, n, line) for (s, n), line in self.method_calls.items()),
                                      key=lambda c: (c[0] or "", c[1]))),
            assigned_calls=tuple(self.assigned_calls), call_sites=tuple(self.call_sites),
            url_entries=tuple(self.url_entries), hazards=find_hazards(self.events),
            unresolved_dynamic=tuple(self.unresolved_dynamic),
            persisting_scopes=self._persisting_scopes(),
            loop_aliases=tuple(self.loop_aliases),
            sequences=tuple(self.sequences),
            sql=tuple(self.sql),
            returns=tuple(sorted((f, c) for f, called in self.returns.items() if len(called) == 1 for c in called if c)),
            constants=tuple(sorted(self.constants.items())),
            functions=tuple(self.functions),
            local_strings=tuple(self.local_strings),
            local_strips=tuple(self.local_strips),
        )

    def _persisting_scopes(self) -> tuple[str, ...]:
        scopes = set()
        for call in self.events.calls:
            method = call.name.rsplit(".", 1)[-1]
            receiver = call.name.rsplit(".", 1)[0] if "." in call.name else ""
            if "." in call.name and (method in PERSIST_METHODS or (method in ("add", "delete") and "session" in receiver)) or method in CORE_WRITES and receiver in CORE_RECEIVERS:
                scopes.add(call.scope or "")
        return tuple(sorted(scopes))

    def _mutations(self) -> list[MutationEvent]:
        out = []
        for event, frames in self.raw_mutations:
            global_decl = any(event.name in frame.globals for frame in frames)
            shadowed = any(frame.is_local(event.name) for frame in frames)
            if global_decl or (event.name in self.events.mutable_globals and not shadowed):
                out.append(event)
        return out

    def _usages(self) -> tuple[f.Usage, ...]:
        known = set(self.bindings) | {s.name for s in self.symbols}
        grouped: dict[tuple[str | None, str, str], list[int]] = defaultdict(list)
        local: dict[tuple[int, str], bool] = {}  # (id of a frame stack, name) -> a local there
        for scope, text, kind, line, frames in self.raw_usages:
            head = text.partition(".")[0].removesuffix("()")
            if frames:
                key = (id(frames), head)  # the stacks live as long as raw_usages holds them
                shadowed = local.get(key)
                if shadowed is None:
                    shadowed = local[key] = any(frame.is_local(head) for frame in frames)
                if shadowed:
                    continue
            if head not in known and not self.has_star_import:
                continue
            grouped[(scope, text, kind)].append(line)
        return tuple(
            f.Usage(scope, text, kind, len(lines), tuple(sorted(set(lines))[:MAX_LINES_PER_USAGE]))
            for (scope, text, kind), lines in sorted(grouped.items(), key=lambda kv: (kv[0][0] or "", kv[0][1], kv[0][2]))
        )


QUERY_ENDS = (".all()", ".iterator()", ".scalars()", ".execute()", ".yield_per()")


def _computed_range(node: cst.BaseExpression) -> str:
    """`range(rounds)`, `range(config["N"])`: a count known only at run time (a literal count is bounded
    by the code itself); "" for anything else."""
    if not (isinstance(node, cst.Call) and dotted(node.func) == "range" and node.args):
        return ""
    if all(isinstance(a.value, (cst.Integer, cst.UnaryOperation)) for a in node.args):
        return ""
    return cst.Module([]).code_for_node(node)[:60]


def _unbounded_query(node: cst.BaseExpression, source: str) -> bool:
    """`for x in Model.query.all()` / `Model.objects.all()` / `session.scalars(select(M))` /
    `qs.iterator()` with no limit or pagination. `order.items.all()` is a related manager, bounded
    by one row's relations, so a lower-case head needs `.iterator()` (Django's large-queryset idiom)."""
    if not source.endswith(QUERY_ENDS):
        return False
    head = source.split(".", 1)[0]
    table_level = head[:1].isupper() or any(w in source for w in (".objects.", ".query.", "session.", ".iterator()"))
    if not table_level:
        return False
    text = cst.Module([]).code_for_node(node)
    return not any(word in text for word in (".limit(", ".paginate(", ".first(", "[:", ".slice("))


def text_method(node: cst.Call) -> str:
    return node.func.attr.value if type(node.func) is cst.Attribute else ""  # type: ignore[attr-defined]


def _import_name(node: cst.BaseExpression) -> str:
    return dotted(node) or ""


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    out = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            out.append(star)
    return out


def _param_names(params: cst.Parameters) -> set[str]:
    return {p.name.value for p in _all_params(params)}


def _is_mutable_value(value: cst.BaseExpression) -> bool:
    if isinstance(value, (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)):
        return True
    return isinstance(value, cst.Call) and (dotted(value.func) or "") in MUTABLE_CONSTRUCTORS


def _value_kind(value: cst.BaseExpression) -> str:
    if isinstance(value, cst.Call):
        return dotted(value.func) or "call"
    return type(value).__name__.lower()


def _inline_include(view: cst.BaseExpression) -> cst.List | cst.Tuple | None:
    """The pattern list of `include([...])` or `include(([...], "namespace"))`, if it is inline."""
    if not isinstance(view, cst.Call) or (dotted(view.func) or "").rsplit(".", 1)[-1] != "include" or not view.args:
        return None
    first = view.args[0].value
    if isinstance(first, cst.Tuple) and first.elements and isinstance(first.elements[0].value, (cst.List, cst.Tuple)):
        first = first.elements[0].value
    return first if isinstance(first, cst.List) else None


def _view_text(view: cst.BaseExpression) -> str:
    if isinstance(view, cst.Call) and (dotted(view.func) or "").rsplit(".", 1)[-1] == "include":
        positional, _ = split_args(view)
        first = positional[0] if positional else None
        if isinstance(first, cst.Tuple) and first.elements:
            first = first.elements[0].value
        module = literal_str(first) if first is not None else None
        if module is not None:
            return f"include:{module}"
        return f"include-expr:{dotted(first) if first is not None else ''}"
    text = dotted(view) or ""
    return text.removesuffix(".as_view()")


def _passes_path(node: cst.Call) -> bool:
    """A function called with an app-like name first and a path-like string literal (`/...` or `.../`):
    a helper that may build a route from it (`register_plugin_assets_directory(app, base_path="/plugins/x/")`).
    Methods (`client.get("/x")`) and calls without a name first are left out."""
    if not isinstance(node.func, cst.Name) or not node.args or node.args[0].keyword is not None \
            or not isinstance(node.args[0].value, cst.Name):
        return False
    texts = (literal_str(arg.value) for arg in node.args[1:])
    return any(text is not None and len(text) > 1 and (text.startswith("/") or text.endswith("/")) for text in texts)


def _passes_view(node: cst.Call) -> bool:
    """A call that hands a view or a list of paths to a helper: `view_func=`, an `X.as_view(...)`
    argument, or a list of "/..." strings. (Single path strings are left out: test clients would
    flood the facts with `client.get("/x")`.)"""
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == "view_func":
            return True
        kind = type(arg.value)
        if kind is cst.Call and (dotted(arg.value) or "").endswith(".as_view()"):
            return True
        if kind in SEQUENCES and (paths := string_list(arg.value)) and all(p.startswith("/") for p in paths):
            return True
    return False


def _literals(positional: list[cst.BaseExpression], keywords: dict[str, cst.BaseExpression]) -> tuple[str, ...]:
    """Which arguments were string literals (so "settings.PREFIX" the text is told from the name)."""
    return tuple(
        [str(i) for i, arg in enumerate(positional) if literal_str(arg) is not None]
        + [k for k, arg in keywords.items() if literal_str(arg) is not None]
    )


def _has_fstring(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.ConcatenatedString):
        return _has_fstring(node.left) or _has_fstring(node.right)
    return isinstance(node, cst.FormattedString)


def sql_text(node: cst.BaseExpression) -> str | None:
    """An f-string (or a concatenation with one) as SQL text, each field read as a parameter `?`."""
    if isinstance(node, cst.SimpleString):
        return string_value(node)
    if isinstance(node, cst.ConcatenatedString):
        left, right = sql_text(node.left), sql_text(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, cst.FormattedString) and "b" not in node.prefix.lower():
        return "".join(p.value if isinstance(p, cst.FormattedStringText) else "?" for p in node.parts)
    return None


def _class_info(node: cst.ClassDef) -> f.ClassInfo:
    bases = tuple(t for b in node.bases if b.keyword is None and (t := dotted(b.value)))
    keywords = tuple((k.keyword.value, arg_text(k.value)) for k in node.keywords if k.keyword is not None)
    methods: list[str] = []
    constants: dict[str, str] = {}
    lists: dict[str, tuple[str, ...]] = {}
    tablename: str | None = None
    abstract = False
    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef):
            methods.append(stmt.name.value)
        elif isinstance(stmt, cst.ClassDef) and stmt.name.value == "Meta":
            meta = _class_assignments(stmt)
            tablename = literal_str(meta.get("db_table")) or tablename
            abstract = abstract or _is_true(meta.get("abstract"))
        elif isinstance(stmt, cst.SimpleStatementLine):
            assigns = _simple_assignments(stmt)
            tablename = literal_str(assigns.get("__tablename__")) or tablename
            abstract = abstract or _is_true(assigns.get("__abstract__"))
            constants.update((k, v) for k, value in assigns.items() if (v := literal_str(value)) is not None)
            lists.update((k, v) for k, value in assigns.items() if (v := string_list(value)) is not None)
    return f.ClassInfo(node.name.value, bases, tuple(methods), tablename, abstract, keywords, tuple(sorted(constants.items())),
                       tuple(sorted(lists.items())))


def _simple_assignments(stmt: cst.SimpleStatementLine) -> dict[str, cst.BaseExpression]:
    out: dict[str, cst.BaseExpression] = {}
    for small in stmt.body:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    out[target.target.value] = small.value
        elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
            out[small.target.value] = small.value
    return out


def _class_assignments(node: cst.ClassDef) -> dict[str, cst.BaseExpression]:
    out: dict[str, cst.BaseExpression] = {}
    for stmt in node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            out.update(_simple_assignments(stmt))
    return out


def _is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _dedupe_symbols(symbols: list[f.Symbol]) -> list[f.Symbol]:
    """A name defined twice at module level (e.g. in try/except ImportError) is one symbol."""
    seen: dict[str, f.Symbol] = {}
    for symbol in symbols:
        if symbol.name in seen:
            first = seen[symbol.name]
            seen[symbol.name] = f.Symbol(first.name, first.kind, first.line, max(first.end_line, symbol.end_line))
        else:
            seen[symbol.name] = symbol
    return sorted(seen.values(), key=lambda s: (s.line, s.name))


STRIPS = ("strip", "lstrip", "rstrip")


def _strip_of(value: cst.BaseExpression, name: str) -> tuple[str, str] | None:
    """(method, chars) of `name.strip("/")` (`lstrip`, `rstrip`; no argument: whitespace, as "")."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and isinstance(value.func.value, cst.Name) and value.func.value.value == name
            and value.func.attr.value in STRIPS and len(value.args) <= 1):
        return None
    chars = literal_str(value.args[0].value) if value.args and not value.args[0].keyword else ("" if not value.args else None)
    return None if chars is None else (value.func.attr.value, chars)
