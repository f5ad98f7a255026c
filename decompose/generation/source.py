"""Module source -> the part of it one service keeps, and what that part needs from elsewhere.

A module's top-level statements are split into pieces a plan can place:
    header   docstring and `from __future__` imports (every copy keeps them)
    imports  import statements, `if TYPE_CHECKING:` blocks of imports (kept, then pruned)
    symbol   a def, class or assignment (kept where the plan puts that symbol)
    body     any other statement (kept where the plan puts the module body)

`select` builds the kept module; `needs` reads it back with libcst's ScopeProvider (per module, at
generation time only, so its cost is paid on a few files) and says which names it uses from which
internal modules and which of its own module's names it uses without defining them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst import metadata as meta

from decompose.errors import UserError


@dataclass(frozen=True)
class Piece:
    kind: str  # header | imports | symbol | body
    names: tuple[str, ...]  # the symbols a `symbol` piece defines
    node: cst.CSTNode


@dataclass(frozen=True)
class Parsed:
    module: str  # dotted name
    is_package: bool
    tree: cst.Module
    pieces: tuple[Piece, ...]
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def symbols(self) -> set[str]:
        return {n for p in self.pieces if p.kind == "symbol" for n in p.names}


def parse(module: str, text: str, is_package: bool, path: str) -> Parsed:
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise UserError(f"{path}: cannot be parsed any more ({error.message}, line {error.raw_line})",
                        "fix the file or analyze again, then generate") from None
    except Exception as error:  # libcst's node validation rejects some valid code (LibCST#1061)
        raise UserError(f"{path}: libcst cannot build this file's tree ({type(error).__name__}: {error}); "
                        "analyze reads it, but generate rewrites code and needs libcst's checks",
                        "rewrite the construct libcst trips on (docs/generation.md, 'Files libcst cannot "
                        "rewrite'), or keep this module's routes in the monolith") from None
    return Parsed(module, is_package, tree, tuple(piece_of(stmt, i) for i, stmt in enumerate(tree.body)))


def piece_of(stmt: cst.CSTNode, index: int) -> Piece:
    """What the module's `index`-th top-level statement is: header, imports, symbol or body."""
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return Piece("symbol", (stmt.name.value,), stmt)
    if isinstance(stmt, cst.SimpleStatementLine):
        return _simple(stmt, index)
    if isinstance(stmt, cst.If) and only_imports(stmt):
        return Piece("imports", (), stmt)
    return Piece("body", (), stmt)


def _simple(stmt: cst.SimpleStatementLine, index: int) -> Piece:
    first = stmt.body[0]
    if index == 0 and isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
        return Piece("header", (), stmt)
    if isinstance(first, cst.ImportFrom) and _relative_name(first) == "__future__":
        return Piece("header", (), stmt)
    if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
        return Piece("imports", (), stmt)
    names = tuple(n for s in stmt.body for n in _assigned(s))
    return Piece("symbol", names, stmt) if names else Piece("body", (), stmt)


def _assigned(small: cst.BaseSmallStatement) -> list[str]:
    if isinstance(small, cst.Assign):
        return [n for t in small.targets for n in _target_names(t.target)]
    if isinstance(small, cst.AnnAssign):
        return _target_names(small.target)
    return []


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    return []


def only_imports(stmt: cst.If) -> bool:
    """`if TYPE_CHECKING:` (or any `if`) whose branches hold nothing but imports."""
    branches = [stmt.body]
    orelse = stmt.orelse
    while orelse is not None:
        branches.append(orelse.body)
        orelse = orelse.orelse if isinstance(orelse, cst.If) else None
    lines = [line for b in branches for line in b.body]
    return bool(lines) and all(
        isinstance(line, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in line.body)
        for line in lines)


def _relative_name(node: cst.ImportFrom) -> str:
    return "." * len(node.relative) + (code(node.module) if node.module else "")


def import_source(node: cst.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute name of the module a `from ... import` statement in `module` reads."""
    return absolute(_relative_name(node), module, is_package)


def bound_name(alias: cst.ImportAlias) -> str:
    """The local name an import alias binds (`x` for `import a as x`, `a` for `from m import a`)."""
    return alias.asname.name.value if alias.asname else code(alias.name)


def string_value(node: cst.CSTNode) -> str | None:
    """The text of a plain string literal (`"a"`, `r'b'`); None for anything else (bytes, f-strings, names)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


# --- selection -------------------------------------------------------------------------------------------

def kept_indexes(parsed: Parsed, keep: Iterable[str], body: bool) -> list[int]:
    """The top-level statements a cut keeps: header and imports, the kept symbols, the body if asked."""
    keep = set(keep)
    return [i for i, p in enumerate(parsed.pieces) if p.kind in ("header", "imports")
            or (p.kind == "symbol" and keep.intersection(p.names)) or (p.kind == "body" and body)]


def select(parsed: Parsed, keep: Iterable[str], body: bool) -> cst.Module:
    """The module with only the kept symbols (and its other statements when it keeps the body)."""
    return parsed.tree.with_changes(body=[parsed.pieces[i].node for i in kept_indexes(parsed, keep, body)])


# --- what a kept module needs ----------------------------------------------------------------------------

@dataclass
class Needs:
    """What a (kept) module uses from outside itself.

    `imported`: (module, name) pairs used through `from module import name` (name may be a submodule);
    `modules`: modules used through `import a.b` / `import a.b as c`;
    `attributes`: (prefix, name) pairs used as `prefix.name` where prefix may be an imported module;
    `undefined`: names the module uses but no longer defines (their definitions went elsewhere);
    `star`: modules read with `from module import *` (every public name of theirs is needed).
    """

    imported: set[tuple[str, str]] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)
    attributes: set[tuple[str, str]] = field(default_factory=set)
    undefined: set[str] = field(default_factory=set)
    star: set[str] = field(default_factory=set)

    def add(self, other: Needs) -> None:
        self.imported |= other.imported
        self.modules |= other.modules
        self.attributes |= other.attributes
        self.undefined |= other.undefined
        self.star |= other.star


@dataclass
class _Facts:
    """Per top-level statement: its needs, and the module-level names of other statements it uses."""

    needs: list[Needs]
    uses: list[set[str]]


def needs(parsed: Parsed, keep: Iterable[str], body: bool) -> Needs:
    """What the module, cut down to `select(parsed, keep, body)`, uses from elsewhere.

    The module is scoped once (libcst ScopeProvider over the whole file); a cut's needs are the
    union of its statements' needs plus the module-level names it uses whose definitions it dropped.
    """
    return _needs_of(parsed, _facts(parsed), keep, body)


def _needs_of(parsed: Parsed, facts: _Facts, keep: Iterable[str], body: bool) -> Needs:
    kept = kept_indexes(parsed, keep, body)
    defined = {n for i in kept for n in parsed.pieces[i].names}
    found = Needs()
    for i in kept:
        found.add(facts.needs[i])
        found.undefined |= facts.uses[i] - defined
    return found


def import_time_needs(parsed: Parsed, keep: Iterable[str], body: bool) -> Needs:
    """What the cut uses while its module imports: `needs` counting only the uses outside function and
    lambda bodies (what runs later). Annotations, defaults and decorators count: Python evaluates them at
    `def`, and django-ninja and FastAPI read a route's parameter types as it is declared, even under
    `from __future__ import annotations`. A class another service owns that a kept statement instantiates,
    subclasses, holds or annotates with cannot be a stand-in (kuma: `admin_auth = AdminAuth()`)."""
    return _needs_of(parsed, _facts(parsed, early=True), keep, body)


def _facts(parsed: Parsed, early: bool = False) -> _Facts:
    """Per statement, every use (`early=False`) or the uses that run while the module imports (`early`):
    both from one scope analysis of the file, the costliest step of `generate` on a large app."""
    if "facts" not in parsed.cache:
        parsed.cache["facts"] = _scan(parsed)
    return parsed.cache["facts"][early]


def _scan(parsed: Parsed) -> tuple[_Facts, _Facts]:
    index = _Index(parsed)
    wrapper = meta.MetadataWrapper(parsed.tree, unsafe_skip_copy=True)
    scopes = wrapper.resolve(meta.ScopeProvider)
    every, early = (_Facts([Needs() for _ in parsed.pieces], [set() for _ in parsed.pieces]) for _ in range(2))
    for i, piece in enumerate(parsed.pieces):
        every.needs[i].star |= _star_sources(piece.node, parsed)
        early.needs[i].star |= every.needs[i].star
    symbol_names = parsed.symbols()
    for scope in {s for s in scopes.values() if s is not None}:
        for assignment in scope.assignments:
            if isinstance(assignment, meta.ImportAssignment):
                for ref in assignment.references:
                    for facts in _facts_of(ref, every, early):
                        _import_use(assignment, ref, parsed, index, facts)
            elif isinstance(scope, meta.GlobalScope) and assignment.name in symbol_names:
                for ref in assignment.references:
                    piece = index.piece.get(id(ref.node))
                    if piece is not None:
                        for facts in _facts_of(ref, every, early):
                            facts.uses[piece].add(assignment.name)
    for access in _all_accesses(scopes):
        if not access.referents and isinstance(access.node, cst.Name) and access.node.value not in _BUILTINS:
            piece = index.piece.get(id(access.node))
            if piece is not None:
                for facts in _facts_of(access, every, early):
                    facts.uses[piece].add(access.node.value)
    return every, early


def _facts_of(access: meta.Access, every: _Facts, early: _Facts) -> tuple[_Facts, ...]:
    """A use inside a function or lambda body runs when it is called; any other (class bodies,
    decorators, defaults and annotations, which libcst scopes outside the function) runs at import."""
    return (every,) if _later(access.scope) else (every, early)


def _later(scope: meta.Scope) -> bool:
    while not isinstance(scope, meta.GlobalScope):
        if isinstance(scope, meta.FunctionScope):
            return True
        scope = scope.parent
    return False


def _star_sources(node: cst.CSTNode, parsed: Parsed) -> set[str]:
    """`from .students import *` at the top level: scopes bind no name for it, so it is read here."""
    if not isinstance(node, cst.SimpleStatementLine):
        return set()
    return {import_source(small, parsed.module, parsed.is_package) for small in node.body
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar)}


class _Index(cst.CSTVisitor):
    """id(Name or Attribute node) -> its top-level statement; id(Name) -> the dotted chain it starts."""

    def __init__(self, parsed: Parsed) -> None:
        super().__init__()
        self.piece: dict[int, int] = {}
        self.chain: dict[int, list[str]] = {}
        self._current = 0
        for i, p in enumerate(parsed.pieces):
            self._current = i
            p.node.visit(self)

    def visit_Name(self, node: cst.Name) -> None:
        self.piece[id(node)] = self._current

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.piece[id(node)] = self._current
        if id(node) in self.chain:
            return  # an inner part of a chain already recorded from its outermost attribute
        parts: list[str] = []
        nested: list[cst.Attribute] = []
        current: cst.BaseExpression = node
        while isinstance(current, cst.Attribute):
            parts.append(current.attr.value)
            nested.append(current)
            current = current.value
        if isinstance(current, cst.Name):
            chain = [current.value, *reversed(parts)]
            for part in (current, *nested):
                if len(chain) > len(self.chain.get(id(part), ())):
                    self.chain[id(part)] = chain


def _all_accesses(scopes) -> Iterable[meta.Access]:  # noqa: ANN001
    seen: set[int] = set()
    for scope in {s for s in scopes.values() if s is not None}:
        for access in scope.accesses:
            if id(access) not in seen:
                seen.add(id(access))
                yield access


def _import_use(assignment: meta.ImportAssignment, ref: meta.Access, parsed: Parsed, index: _Index,
                facts: _Facts) -> None:
    piece = index.piece.get(id(ref.node))
    if piece is None:
        return
    node, found = assignment.node, facts.needs[piece]
    chain = index.chain.get(id(ref.node)) or [assignment.name]
    if isinstance(node, cst.ImportFrom):
        source = import_source(node, parsed.module, parsed.is_package)
        original = _alias_original(node, assignment.name)
        if source and original:
            found.imported.add((source, original))
            found.attributes |= _chain_pairs([*source.split("."), original, *chain[1:]])
        return
    dotted = _import_target(node, assignment.name)
    if dotted is not None:
        found.modules.add(dotted)
        full = [*dotted.split("."), *chain[1:]] if _has_alias(node, assignment.name) else chain
        found.attributes |= _chain_pairs(full)


def _chain_pairs(parts: Sequence[str]) -> set[tuple[str, str]]:
    """a.b.c.f -> every (prefix, next) pair; the caller keeps those whose prefix is a module."""
    return {(".".join(parts[:i]), parts[i]) for i in range(1, len(parts))}


def _alias_original(node: cst.ImportFrom, bound: str) -> str | None:
    if isinstance(node.names, cst.ImportStar):
        return None
    return next((code(alias.name) for alias in node.names if bound_name(alias) == bound), None)


def _import_target(node: cst.Import, bound: str) -> str | None:
    for alias in node.names:
        name = code(alias.name)
        if alias.asname and alias.asname.name.value == bound:
            return name
        if not alias.asname and bound in (name, name.split(".")[0]):
            return name
    return None


def _has_alias(node: cst.Import, bound: str) -> bool:
    return any(a.asname and a.asname.name.value == bound for a in node.names)


def imported_names(parsed: Parsed) -> dict[str, tuple[str, str]]:
    """bound name -> (internal source module, original name) of the module's top-level `from` imports."""
    found = {}
    for statement in parsed.tree.body:
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.ImportFrom):
            node = statement.body[0]
            if not isinstance(node.names, cst.ImportStar):
                source = import_source(node, parsed.module, parsed.is_package)
                found.update({bound_name(a): (source, code(a.name)) for a in node.names})
    return found


def absolute(name: str, module: str, is_package: bool) -> str:
    """A relative import's module, made absolute (`..x` from a.b.c -> a.x)."""
    level = len(name) - len(name.lstrip("."))
    if not level:
        return name
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    rest = name[level:]
    return ".".join([*base, rest] if rest else base)


_BUILTINS = frozenset(dir(__import__("builtins"))) | {"__file__", "__name__", "__path__", "__doc__", "__spec__",
                                                       "__package__", "__loader__", "__builtins__", "__annotations__",
                                                       "__dict__", "__module__", "__qualname__", "__class__"}
