"""Parse one file into facts, or into a ParseFailure: never raises, whatever the file holds."""

from __future__ import annotations

import ast
import re
import warnings

import libcst as cst

from decompose.analysis import collector
from decompose.analysis.budget import code_only, over_budget
from decompose.analysis.facts import FileFacts
from decompose.analysis.sources import ParseFailure, SourceFile, failure
from decompose.analysis.visitor import FactWalker

# Python-2-only code, looked for in the code alone (strings and comments blanked, see
# budget.code_only): a print or exec statement, `except X, e:`, `raise E, "why"`, backticks, `<>`,
# an octal or long literal (0777, 10L), a `ur''` string. A Python 3 file never holds any of them,
# truncated or not, so a syntax error in one is never taken for Python 2.
PY2_MARKERS = re.compile(
    rb"^[ \t]*(?:print[ \t]*(?:>>|[ \t](?!\s*(?:if|else|for|and|or|in|is|not)\b)[ \t]*[\"'\w])"
    rb"|exec[ \t]+[\"'\w]|except[ \t]+\(?[\w., \t]+\)?[ \t]*,[ \t]*\w+[ \t]*:|raise[ \t]+[\w.]+[ \t]*,)"
    rb"|`|<>|(?<![\w.])0+[1-9]\d*[lL]?(?![\w.])|(?<![\w.])\d+[lL](?!\w)|\b[uU][rR]\"\"",
    re.MULTILINE,
)


def facts_from_bytes(source: SourceFile, data: bytes, sha256: str) -> FileFacts | ParseFailure:
    """Any exception is one file's finding, never the end of the run: libcst itself raises a bare
    TypeError on some valid code (`() if 0 else(lambda:())`, LibCST#1061), and a bug of ours in
    the walk must cost the file it met, not the other thousands."""
    costly = over_budget(data)
    if costly is not None:  # before libcst: its cost grows with tokens and nesting (see budget.py)
        return failure(source, costly.kind, costly.message, costly.line)
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as error:
        kind = "python2" if PY2_MARKERS.search(code_only(data)) else "syntax-error"
        return failure(source, kind, _syntax_message(error), _error_line(data, error))
    except cst.CSTValidationError as error:  # a SyntaxError too, but not the file's: libcst's check of its own tree
        return failure(source, "parser-error", f"libcst could not parse this file: {_describe(error)}")
    except (UnicodeDecodeError, LookupError, SyntaxError) as error:  # SyntaxError: a bad encoding declaration
        return failure(source, "undecodable", f"cannot decode the file: {error}")
    except RecursionError:
        return failure(source, "too-complex", "nesting too deep for the parser")
    except MemoryError:
        raise  # not the file's fault: it must not be cached as one
    except Exception as error:  # libcst's node validation among them (see skip_node_validation)
        return failure(source, "parser-error", f"libcst could not parse this file: {_describe(error)}")
    lines = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
    try:
        with collector.paused():  # the walk makes no cycles; collections would only traverse the tree again
            return FactWalker(source.module, source.is_package).run(module).result(source.rel, lines, sha256)
    except RecursionError:
        return failure(source, "too-complex", "nesting too deep to analyse")
    except MemoryError:
        raise
    except Exception as error:  # a bug of ours: reported, and the run goes on
        return failure(source, "analyzer-error", f"decompose could not analyse this file ({_describe(error)}): "
                       "please report it, with the file if you can share it")


def skip_node_validation() -> bool:
    """Build parsed trees without libcst's per-node validation; True if it is now skipped.

    libcst checks every node as it is constructed (`CSTNode.__post_init__` calls `_validate`), a
    check meant for trees built by hand: its own source says "it might make more sense to move
    validation work into the visitor, which would allow us to avoid validating the tree when
    parsing a file". For a tree that came out of the parser it finds nothing, costs 12-16% of
    the parse, and on some valid code raises a TypeError (LibCST#1061). Only parser worker
    processes call this: they build no node by hand. The process that imports decompose keeps
    libcst as it is (generate rewrites code, and there the check guards what it builds). When
    libcst's hook is anything but that one call (a newer libcst), it is left alone.
    """
    hook = cst.CSTNode.__dict__.get("__post_init__")
    if hook is _unvalidated:
        return True
    if not _only_validates(hook):
        return False
    cst.CSTNode.__post_init__ = _unvalidated  # type: ignore[method-assign]
    return True


def _validate_only(self: cst.CSTNode) -> None:  # what libcst's hook must be, to the bytecode
    self._validate()


def _only_validates(hook: object) -> bool:
    code, reference = getattr(hook, "__code__", None), _validate_only.__code__
    return (code is not None and code.co_code == reference.co_code and code.co_names == reference.co_names
            and code.co_consts == reference.co_consts and not getattr(hook, "__defaults__", None)
            and not getattr(hook, "__closure__", None))


def _unvalidated(self: cst.CSTNode) -> None:
    pass


def _describe(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _error_line(data: bytes, error: cst.ParserSyntaxError) -> int:
    """The line Python itself gives for the error: libcst's native parser often names the line after
    (`b = = 2` on line 2 is reported on line 3). Only an AST is built, nothing runs; the file has
    passed the budget check. libcst's line when CPython parses what libcst does not."""
    try:
        with warnings.catch_warnings():  # invalid escapes and the like: not ours to print
            warnings.simplefilter("ignore")
            compile(data, "<analysed>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as cpython:
        if cpython.lineno:
            return cpython.lineno
    except (ValueError, RecursionError):
        pass
    return error.raw_line


def _syntax_message(error: cst.ParserSyntaxError) -> str:
    return str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"


