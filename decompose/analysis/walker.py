"""A fast walk over a libcst tree that knows which line it is on.

Speed matters here (it runs on every file of a 4,000-file monolith), so this is not a
`CSTVisitor`: libcst's generic dispatch costs ~1.6x the parse itself and PositionProvider another
~2.2x (measured on the sample monolith; see docs/performance.md). `LineWalker` walks each node
type with a function written for it on first sight (`compile_walk`: the type's fields from
libcst's declarations, with the subclass's `visit_<Node>`/`leave_<Node>` methods called in
place), and counts lines itself: a statement starts after its
`leading_lines`, and a statement's newlines are those inside its whitespace and string nodes.
Statement lines are checked against Python's `ast` in tests/analysis/test_lines.py; within a
statement, a node's line is approximate (fields are walked openers first, closers last).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import ClassVar, TypeVar

import libcst as cst

BLOCK_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")
STATEMENT_SKIP = {"leading_lines", "decorators", "lines_after_decorators", "footer", *BLOCK_FIELDS}
OPENERS = ("lpar", "lbracket", "lbrace", "whitespace_after_func", "whitespace_before_args", "whitespace_before_params")
CLOSERS = ("rpar", "rbracket", "rbrace")
_FIELDS: dict[type, tuple[str, ...]] = {}


def node_fields(kind: type) -> tuple[str, ...]:
    """A node type's child fields, openers first and closers last so newlines count in source order."""
    names = _FIELDS.get(kind)
    if names is None:
        all_names = [f.name for f in dataclasses.fields(kind)]
        first = [n for n in OPENERS if n in all_names]
        last = [n for n in CLOSERS if n in all_names]
        names = _FIELDS[kind] = (*first, *(n for n in all_names if n not in first and n not in last), *last)
    return names


def _subclasses(kind: type) -> set[type]:
    found = set()
    for sub in kind.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


NODE_TYPES = frozenset(t for t in _subclasses(cst.CSTNode) if not getattr(t, "__abstractmethods__", None))
SimpleWhitespace, ParenthesizedWhitespace = cst.SimpleWhitespace, cst.ParenthesizedWhitespace
Walk = Callable[["LineWalker", cst.CSTNode], None]


def count_whitespace(walker: LineWalker, space: cst.BaseParenthesizableWhitespace) -> None:
    """Newlines inside whitespace: a backslash continuation, or a parenthesized line break."""
    if type(space) is ParenthesizedWhitespace:
        walker.extra += 1 + len(space.empty_lines)
    elif type(space) is SimpleWhitespace and "\\" in space.value:
        walker.extra += space.value.count("\n")


def compile_walk(cls: type[LineWalker], kind: type) -> Walk:
    """`cls`'s walk of one node type, written out once as Python and kept in `cls.WALKS`.

    A generic walk asks every node for its fields, then each value what it is. This one knows the
    type's fields from libcst's declarations: `str`/`bool` fields are skipped, sequences looped
    over, whitespace counted inline, anything else dispatched on its type (walk and facts of 400
    NetBox files: 1.9-2.1 s before, 1.3-1.5 s after; see docs/performance.md). A sequence walks its
    items; other values that are not nodes walk to nothing.
    """
    if kind is SimpleWhitespace or kind is ParenthesizedWhitespace:
        walk: Walk = count_whitespace  # type: ignore[assignment]
    elif kind is tuple or kind is list:  # a field declared as a Union that holds a sequence
        walk = _items
    elif kind not in NODE_TYPES:
        walk = _nothing
    else:
        namespace = {"WALKS": cls.WALKS, "compile_walk": compile_walk, "cls": cls, "SW": SimpleWhitespace,
                     "count_whitespace": count_whitespace, "ENTER": cls.ENTER.get(kind), "LEAVE": cls.LEAVE.get(kind)}
        exec(walk_source(kind, kind in cls.ENTER, kind in cls.LEAVE), namespace)  # noqa: S102 - text made here
        walk = namespace["walk"]
    cls.WALKS[kind] = walk
    return walk


def walk_source(kind: type, enter: bool, leave: bool) -> str:
    """The source of `kind`'s walk: its fields in `node_fields` order (so newlines count in order)."""
    declared = {f.name: f.type for f in dataclasses.fields(kind)}
    lines = ["def walk(walker, node):"]
    if enter:
        lines.append("    if ENTER(walker, node) is False: return")
    for name in node_fields(kind):
        lines += _field_source(f"node.{name}", declared[name])
    if leave:
        lines.append("    LEAVE(walker, node)")
    return "\n".join([*lines, "    return None", ""])


# `count_whitespace` with its common case inlined: a third of all children are SimpleWhitespace.
WHITESPACE_SOURCE = [
    "    if type(v) is SW:",
    "        if '\\\\' in v.value: walker.extra += v.value.count('\\n')",
    "    else: count_whitespace(walker, v)",
]
DISPATCH_SOURCE = [
    "    f = WALKS.get(type(v))",
    "    if f is None: f = compile_walk(cls, type(v))",
    "    f(walker, v)",
]


def _field_source(value: str, declared: object) -> list[str]:
    if declared is str or declared is bool:
        return []
    if declared is SimpleWhitespace or declared is cst.BaseParenthesizableWhitespace:
        return [f"    v = {value}", *WHITESPACE_SOURCE]
    if getattr(declared, "__origin__", None) is Sequence:
        return [f"    for v in {value}:", *("    " + line for line in DISPATCH_SOURCE)]
    return [f"    v = {value}", *DISPATCH_SOURCE]


def _nothing(walker: LineWalker, value: object) -> None:
    return None


def _items(walker: LineWalker, items: Sequence[cst.CSTNode]) -> None:
    for item in items:
        walker.walk(item)


@functools.cache
def header_fields(kind: type) -> tuple[str, ...]:
    return tuple(n for n in node_fields(kind) if n not in STATEMENT_SKIP)


W = TypeVar("W", bound="LineWalker")


class LineWalker:
    ENTER: ClassVar[dict[type, Callable]] = {}
    LEAVE: ClassVar[dict[type, Callable]] = {}
    WALKS: ClassVar[dict[type, Walk]] = {}  # node type -> its walk (see `compile_walk`), per subclass

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        methods = {name: m for klass in reversed(cls.__mro__) for name, m in vars(klass).items()}
        cls.ENTER = {getattr(cst, n[6:]): m for n, m in methods.items() if n.startswith("visit_")}
        cls.LEAVE = {getattr(cst, n[6:]): m for n, m in methods.items() if n.startswith("leave_")}
        cls.WALKS = {}

    def __init__(self) -> None:
        self.next_line = 1  # the line the next statement's leading_lines start on
        self.stmt_line = 1  # first line of the statement being walked
        self.extra = 0  # newlines seen so far inside that statement
        self.type_checking_blocks: set[int] = set()
        self.type_checking = 0

    def line(self, node: cst.CSTNode | None = None) -> int:
        """The line of what is being walked (exact for statements, approximate inside them)."""
        return self.stmt_line + self.extra

    def decorated(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        """Hook: a def/class is about to have its decorators walked."""

    def decorator(self, decorator: cst.Decorator, name: str) -> None:
        """Hook: one decorator of `name`, before its expression is walked."""

    # ---- the walk ---------------------------------------------------------------------------
    def run(self: W, tree: cst.Module) -> W:
        self.next_line = 1 + len(tree.header)
        for statement in tree.body:
            self.statement(statement)
        return self

    def statement(self, node: cst.CSTNode) -> None:
        if type(node) is cst.SimpleStatementLine:
            self.next_line += len(node.leading_lines)
            self.begin(self.next_line)
            for small in node.body:
                self.walk(small)
            self.next_line = self.stmt_line + self.extra + 1
        else:
            self.compound(node)

    def begin(self, line: int) -> None:
        self.stmt_line, self.extra = line, 0

    def compound(self, node: cst.CSTNode) -> None:
        """def/class/if/for/while/try/with/match and their clauses: header line, then blocks."""
        self.next_line += len(getattr(node, "leading_lines", ()))
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.decorated(node)
        for decorator in getattr(node, "decorators", ()):
            self.next_line += len(decorator.leading_lines)
            self.begin(self.next_line)
            self.decorator(decorator, node.name.value)  # type: ignore[attr-defined]
            self.walk(decorator.decorator)
            self.next_line = self.stmt_line + self.extra + 1
        self.next_line += len(getattr(node, "lines_after_decorators", ()))
        self.begin(self.next_line)
        enter = self.ENTER.get(type(node))
        if enter is not None:
            enter(self, node)
        for name in header_fields(type(node)):
            self.walk(getattr(node, name))  # a node, a sequence of nodes, or nothing
        header_end = self.stmt_line + self.extra
        self.blocks(node, header_end)
        leave = self.LEAVE.get(type(node))
        if leave is not None:
            leave(self, node)

    def blocks(self, node: cst.CSTNode, header_end: int) -> None:
        is_match = type(node) is cst.Match
        if is_match:
            self.next_line = header_end + 1
        for name in BLOCK_FIELDS:
            value = getattr(node, name, None)
            if value is None:
                continue
            kind = type(value)
            if name == "body" and id(value) in self.type_checking_blocks:  # only an `if`'s body is marked
                self.type_checking += 1
                self.block(value, header_end)
                self.type_checking -= 1
            elif kind is tuple or kind is list:
                for clause in value:
                    self.compound(clause)
            elif kind is cst.IndentedBlock or kind is cst.SimpleStatementSuite:
                self.block(value, header_end)
            else:
                self.compound(value)  # else / elif / finally
        self.next_line += len(node.footer or ()) if is_match else 0  # type: ignore[attr-defined]

    def block(self, block: cst.BaseSuite, header_end: int) -> None:
        if type(block) is cst.SimpleStatementSuite:  # `if x: return 1`
            self.begin(header_end)
            for small in block.body:
                self.walk(small)
            self.next_line = self.stmt_line + self.extra + 1
            return
        self.next_line = header_end + 1
        for statement in block.body:
            self.statement(statement)
        self.next_line += len(block.footer)

    def walk(self, node: cst.CSTNode) -> None:
        kind = type(node)
        walk = self.WALKS.get(kind)
        if walk is None:
            walk = compile_walk(type(self), kind)
        walk(self, node)

    # ---- newlines inside a statement (whitespace is counted by the walks, see `compile_walk`) -

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> bool:
        self.extra += node.value.count("\n")
        return False
