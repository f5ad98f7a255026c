"""A fast walk over a libcst tree that knows which line it is on.

Speed matters here (it runs on every file of a 4,000-file monolith), so this is not a
`CSTVisitor`: libcst's generic dispatch costs ~1.6x the parse itself and PositionProvider another
~2.2x (measured on the sample monolith; see docs/performance.md). `LineWalker` walks dataclass
fields directly, dispatches on node type through tables built from a subclass's
`visit_<Node>`/`leave_<Node>` methods, and counts lines itself: a statement starts after its
`leading_lines`, and a statement's newlines are those inside its whitespace and string nodes.
Statement lines are checked against Python's `ast` in tests/analysis/test_lines.py; within a
statement, a node's line is approximate (fields are walked openers first, closers last).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from operator import attrgetter
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
# Punctuation and operators (Comma, Dot, parentheses, +, ==, ...): nothing but whitespace fields.
TOKEN_FIELDS = {
    t: tuple(f.name for f in dataclasses.fields(t))
    for t in NODE_TYPES
    if dataclasses.fields(t) and all(f.name.startswith("whitespace") for f in dataclasses.fields(t))
}
SimpleWhitespace = cst.SimpleWhitespace
SCALARS = (str, bool, int, float)  # MaybeSentinel and None are not: the same field may hold a node elsewhere
_SCALAR_FIELDS: set[tuple[type, str]] = set()
Getter = Callable[[cst.CSTNode], tuple]
_GETTERS: dict[type, Getter] = {}


def child_fields(kind: type) -> tuple[str, ...]:
    """node_fields minus those seen holding a plain value (str, bool, int): they never hold nodes."""
    return tuple(n for n in node_fields(kind) if (kind, n) not in _SCALAR_FIELDS)


def children_of(kind: type) -> Getter:
    """A function returning a node's child fields' values as a tuple: one `attrgetter` call (in C)
    instead of a `getattr` per field, on the walk's hottest line."""
    getter = _GETTERS.get(kind)
    if getter is None:
        names = child_fields(kind)
        if len(names) > 1:
            getter = attrgetter(*names)
        elif names:
            one = attrgetter(names[0])
            getter = lambda node: (one(node),)  # noqa: E731
        else:
            getter = lambda node: ()  # noqa: E731
        _GETTERS[kind] = getter
    return getter


def forget_scalars(kind: type, node: cst.CSTNode) -> None:
    """A str/bool field never holds a node: stop looking at those of `node`'s type."""
    for name in child_fields(kind):
        if type(getattr(node, name)) in SCALARS:
            _SCALAR_FIELDS.add((kind, name))
    _GETTERS.pop(kind, None)


@functools.cache
def header_fields(kind: type) -> tuple[str, ...]:
    return tuple(n for n in node_fields(kind) if n not in STATEMENT_SKIP)


W = TypeVar("W", bound="LineWalker")


class LineWalker:
    ENTER: ClassVar[dict[type, Callable]] = {}
    LEAVE: ClassVar[dict[type, Callable]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        methods = {name: m for klass in reversed(cls.__mro__) for name, m in vars(klass).items()}
        cls.ENTER = {getattr(cst, n[6:]): m for n, m in methods.items() if n.startswith("visit_")}
        cls.LEAVE = {getattr(cst, n[6:]): m for n, m in methods.items() if n.startswith("leave_")}

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
            self.walk_value(getattr(node, name))
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
        enter = self.ENTER.get(kind)
        if enter is not None and enter(self, node) is False:
            return
        for value in (_GETTERS.get(kind) or children_of(kind))(node):
            value_kind = type(value)
            if value_kind is SimpleWhitespace:  # a third of all children: counted inline
                if "\\" in value.value:
                    self.extra += value.value.count("\n")
            elif value_kind is tuple or value_kind is list:
                for item in value:
                    item_kind = type(item)
                    if item_kind in NODE_TYPES:
                        self._child(item, item_kind)
            elif value_kind in NODE_TYPES:
                self._child(value, value_kind)
            elif value_kind in SCALARS:
                forget_scalars(kind, node)
        leave = self.LEAVE.get(kind)
        if leave is not None:
            leave(self, node)

    def _child(self, node: cst.CSTNode, kind: type) -> None:
        """Whitespace and punctuation are counted here rather than walked: most nodes are one or the other."""
        if kind is cst.SimpleWhitespace:
            if "\\" in node.value:  # type: ignore[attr-defined]
                self.extra += node.value.count("\n")  # type: ignore[attr-defined]
        elif kind is cst.ParenthesizedWhitespace:
            self.extra += 1 + len(node.empty_lines)  # type: ignore[attr-defined]
        elif kind in TOKEN_FIELDS and kind not in self.ENTER:
            for name in TOKEN_FIELDS[kind]:
                space = getattr(node, name)
                if type(space) is cst.ParenthesizedWhitespace:
                    self.extra += 1 + len(space.empty_lines)
                elif "\\" in space.value:
                    self.extra += space.value.count("\n")
        else:
            self.walk(node)

    def walk_value(self, value: object) -> None:
        """A field of a compound statement's header: a node or a sequence of nodes."""
        for item in value if type(value) in (tuple, list) else (value,):  # type: ignore[attr-defined]
            if type(item) in NODE_TYPES:
                self._child(item, type(item))

    # ---- newlines inside a statement (whitespace is counted in `_child`) ---------------------

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> bool:
        self.extra += node.value.count("\n")
        return False
