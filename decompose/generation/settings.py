"""What a service's deployment needs: the environment variables its code reads, its third-party
distributions (named and pinned from the monolith's environment, read in its interpreter; else from
decompose's own), and the Lambda
memory and timeout its hazards call for.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata

import libcst as cst

from decompose.analysis.syntax import string_value
from decompose.generation.source import Parsed
from decompose.interpreter import Installed, normalise

SECRET_WORDS = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|_KEY$|^KEY$|PRIVATE|CREDENTIAL|DATABASE_URL|DSN", re.IGNORECASE)
BASE_MEMORY_MB = 512
BASE_TIMEOUT_S = 15
LONG_TIMEOUT_S = 29  # API Gateway's integration limit: a longer Lambda timeout would never be seen
SLOW_HAZARDS = frozenset({"sleep", "unbounded-loop", "subprocess", "slow-work"})
HEAVY_HAZARDS = frozenset({"subprocess", "background-thread"})


def env_reads(parsed: Parsed) -> set[str]:
    """Names of environment variables the module reads with a literal (or a module-level literal constant)."""
    if "env" not in parsed.cache:
        parsed.cache["env"] = _env_reads(parsed)
    return parsed.cache["env"]


def _env_reads(parsed: Parsed) -> set[str]:
    constants = _string_constants(parsed)
    found: set[str] = set()

    class Reads(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if _is_env_call(node.func) and node.args:
                _add(node.args[0].value, _is_bare(node.func.value))

        def visit_Subscript(self, node: cst.Subscript) -> None:
            if _is_environ(node.value) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                _add(node.slice[0].slice.value, _is_bare(node.value))

    def _add(expr: cst.BaseExpression, bare: bool) -> None:
        name = string_value(expr) if isinstance(expr, cst.SimpleString) else \
            constants.get(expr.value) if isinstance(expr, cst.Name) else None
        if isinstance(name, str) and not (bare and _is_wsgi_key(name)):  # None: a literal Python cannot evaluate
            found.add(name)

    parsed.tree.visit(Reads())
    found |= settings_fields(parsed.tree)
    return {n for n in found if isinstance(n, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n)}


def settings_fields(tree: cst.Module) -> set[str]:
    """The environment variables a pydantic `BaseSettings` class of the module reads: each annotated field,
    upper-cased (pydantic matches names case-insensitively by default), after its `env_prefix`
    (`model_config = SettingsConfigDict(env_prefix=...)`, pydantic 1's `class Config: env_prefix = ...`)."""
    found: set[str] = set()

    class Classes(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            if any(_ends_with(base.value, "BaseSettings") for base in node.bases):
                prefix = _env_prefix(node)
                found.update((prefix + name).upper() for name in _fields(node))

    tree.visit(Classes())
    return found


def _fields(node: cst.ClassDef) -> list[str]:
    lines = [s for s in node.body.body if isinstance(s, cst.SimpleStatementLine)]
    return [small.target.value for line in lines for small in line.body
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name)
            and not small.target.value.startswith("_") and small.target.value != "model_config"
            and "ClassVar" not in cst.Module([]).code_for_node(small.annotation.annotation)]


def _env_prefix(node: cst.ClassDef) -> str:
    found = ""

    class Prefix(cst.CSTVisitor):
        def visit_Arg(self, arg: cst.Arg) -> None:  # SettingsConfigDict(env_prefix="SHOP_")
            nonlocal found
            if arg.keyword is not None and arg.keyword.value == "env_prefix" and isinstance(arg.value, cst.SimpleString):
                found = string_value(arg.value) or ""

        def visit_Assign(self, assign: cst.Assign) -> None:  # class Config: env_prefix = "SHOP_"
            nonlocal found
            names = [t.target.value for t in assign.targets if isinstance(t.target, cst.Name)]
            if "env_prefix" in names and isinstance(assign.value, cst.SimpleString):
                found = string_value(assign.value) or ""

        def visit_DictElement(self, element: cst.DictElement) -> None:  # model_config = {"env_prefix": "SHOP_"}
            nonlocal found
            if isinstance(element.key, cst.SimpleString) and string_value(element.key) == "env_prefix" \
                    and isinstance(element.value, cst.SimpleString):
                found = string_value(element.value) or ""

    node.body.visit(Prefix())
    return found


WSGI_KEYS = frozenset({"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
                       "SERVER_PORT", "SERVER_PROTOCOL", "REMOTE_ADDR", "REMOTE_USER", "RAW_URI", "REQUEST_URI"})


def _is_environ(expr: cst.BaseExpression) -> bool:
    """`os.environ`, or a bare `environ` (`from os import environ`, or a WSGI environ: see _is_wsgi_key);
    never another object's (`request.environ`, `request.headers.environ`: the WSGI request's keys)."""
    if isinstance(expr, cst.Attribute):
        return expr.attr.value == "environ" and isinstance(expr.value, cst.Name) and expr.value.value == "os"
    return _is_bare(expr)


def _is_bare(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "environ"


def _is_wsgi_key(name: str) -> bool:
    return name.startswith(("HTTP_", "wsgi.")) or name in WSGI_KEYS


def _is_env_call(func: cst.BaseExpression) -> bool:
    if isinstance(func, cst.Attribute) and func.attr.value == "getenv":
        return _ends_with(func.value, "os")
    return isinstance(func, cst.Attribute) and func.attr.value == "get" and _is_environ(func.value)


def _ends_with(expr: cst.BaseExpression, name: str) -> bool:
    return (isinstance(expr, cst.Name) and expr.value == name) or (isinstance(expr, cst.Attribute) and expr.attr.value == name)


def _string_constants(parsed: Parsed) -> dict[str, str]:
    found: dict[str, str] = {}
    for piece in parsed.pieces:
        if piece.kind == "symbol" and isinstance(piece.node, cst.SimpleStatementLine):
            for small in piece.node.body:
                value = string_value(small.value) if isinstance(small, cst.Assign) and isinstance(small.value, cst.SimpleString) else None
                if value is not None:
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            found[target.target.value] = value
    return found


def is_secret(name: str) -> bool:
    return bool(SECRET_WORDS.search(name))


# --- requirements ----------------------------------------------------------------------------------------

DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SETTING = re.compile(r"[A-Z][A-Z0-9_]*")


def string_imports(parsed: Parsed) -> set[str]:
    """Top-level names the module's settings import by name only: dotted paths in the strings of its
    UPPERCASE assignments (MIDDLEWARE, REST_FRAMEWORK's classes, a BACKEND) and bare names in an
    INSTALLED_APPS. Django imports them at setup: a service without their distribution fails there."""
    if "string-imports" not in parsed.cache:
        found: set[str] = set()
        for piece in parsed.pieces:
            if piece.kind == "symbol" and isinstance(piece.node, cst.SimpleStatementLine):
                for small in piece.node.body:
                    found |= _setting_strings(small)
        parsed.cache["string-imports"] = found
    return parsed.cache["string-imports"]


def _setting_strings(small: cst.BaseSmallStatement) -> set[str]:
    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
        [small.target] if isinstance(small, (cst.AnnAssign, cst.AugAssign)) and small.value is not None else []
    names = [t.value for t in targets if isinstance(t, cst.Name) and SETTING.fullmatch(t.value)]
    if not names:
        return set()
    apps = any("APPS" in name for name in names)
    found: set[str] = set()

    class Strings(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            value = string_value(node)
            if isinstance(value, str) and (DOTTED.fullmatch(value) or (apps and BARE.fullmatch(value))):
                found.add(value.split(".")[0])

    small.value.visit(Strings())
    return found


def owned_strings(parsed: Iterable[Parsed], owners: Mapping[str, list[str]]) -> set[str]:
    """string_imports of these modules that an installed distribution provides (a dotted string naming a
    model, "auth.User", names no distribution and stays out)."""
    return {top for module in parsed for top in string_imports(module) if top in owners}


def owners_here() -> Mapping[str, list[str]]:
    return _import_owners()

@dataclass(frozen=True)
class Requirement:
    name: str  # distribution
    version: str | None  # installed here, or None (then unpinned and reported)
    imports: tuple[str, ...]
    via: str = ""  # a dependency of this distribution the code imports (not itself imported)
    provided: bool = True  # False: no distribution of the monolith's environment provides the import
    spec: str = ""  # instead of ==version: decompose's own chalice for the services' Python (decompose.serving)

    def line(self) -> str:
        return f"{self.name}{self.spec}" if self.spec else f"{self.name}=={self.version}" if self.version else self.name


def requirements(imports: Iterable[str], internal_tops: set[str], installed: Installed | None = None) -> list[Requirement]:
    """Third-party distributions for these top-level import names (stdlib and internal skipped), named and
    pinned from `installed` (the monolith's environment, read in its interpreter), else from decompose's own.
    With the monolith's environment, what they depend on there comes too, pinned as well: a venv or a
    Lambda package built from the file gets the versions the monolith runs on (Flask 0.12 beside its
    Werkzeug 0.12, not beside the newest Werkzeug its loose `Werkzeug>=0.7` would let pip take).
    An import that no distribution of the monolith's environment provides is listed (provided=False), not
    required: a distribution named after an import is often another project (`jwt`, `slugify`)."""
    owners = installed.owners if installed else _import_owners()
    version = installed.version if installed else _version
    found: dict[str, set[str]] = {}
    missing: list[Requirement] = []
    for name in sorted(set(imports)):
        if name in sys.stdlib_module_names or name in internal_tops or name == "__future__":
            continue
        if installed and name not in owners and not installed.name(name) and not installed.locked.get(normalise(name)):
            missing.append(Requirement(name, None, (name,), provided=False))
            continue
        for dist in owners.get(name, [name]):
            found.setdefault(dist, set()).add(name)
    direct = [Requirement(dist, version(dist), tuple(sorted(names))) for dist, names in found.items()] + missing
    pulled = installed.closure(sorted(found)) if installed else {}
    pulled = {dist: top for dist, top in pulled.items() if not any(normalise(dist) == normalise(d) for d in found)}
    indirect = [Requirement(dist, version(dist), (), top) for dist, top in pulled.items()]
    return sorted(direct + indirect, key=lambda r: r.name.lower())


@cache
def _import_owners() -> Mapping[str, list[str]]:
    """Top-level import name -> distributions (scans every installed distribution: once per run)."""
    return metadata.packages_distributions()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


# --- Lambda runtime -------------------------------------------------------------------------------------

LAMBDA_PYTHONS = ((3, 9), (3, 10), (3, 11), (3, 12), (3, 13))  # the python3.X runtimes Lambda offers
LAMBDA_DEPRECATED = ((3, 9), (3, 10), (3, 11))  # past their Lambda deprecation date (cfn-lint's data)
DEFAULT_RUNTIME = "python3.12"  # without the monolith's interpreter


def lambda_runtime(python: tuple[int, ...]) -> tuple[str, str]:
    """(runtime, why it is not the monolith's own Python, or ""): its pins were resolved for that Python, so
    its wheels (compiled ones above all) fit only that runtime; a Python Lambda lacks gets the nearest one."""
    if not python:
        return DEFAULT_RUNTIME, ""
    minor = tuple(python[:2])
    if minor in LAMBDA_DEPRECATED:
        return "python%d.%d" % minor, (f"python{minor[0]}.{minor[1]} (the monolith's Python) is deprecated on Lambda "
                                       "(cfn-lint warns, new functions may be refused): move the monolith to 3.12 or newer")
    if minor in LAMBDA_PYTHONS:
        return "python%d.%d" % minor, ""
    nearest = min(LAMBDA_PYTHONS, key=lambda v: (abs(v[1] - minor[1]) if v[0] == minor[0] else 99, -v[1]))
    runtime = "python%d.%d" % nearest
    return runtime, (f"the monolith runs Python {minor[0]}.{minor[1]}, which Lambda has no runtime for: {runtime} "
                     "instead; check that every pinned distribution has a wheel for it")


# --- Lambda sizing ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sizing:
    memory_mb: int
    timeout_s: int
    why: tuple[str, ...]


def sizing(hazard_kinds: Iterable[str]) -> Sizing:
    kinds = set(hazard_kinds)
    memory, timeout, why = BASE_MEMORY_MB, BASE_TIMEOUT_S, []
    if kinds & HEAVY_HAZARDS:
        memory = 1024
        why.append(f"{', '.join(sorted(kinds & HEAVY_HAZARDS))} in its code: 1024 MB (more memory is more CPU on Lambda)")
    if kinds & SLOW_HAZARDS:
        timeout = LONG_TIMEOUT_S
        why.append(f"{', '.join(sorted(kinds & SLOW_HAZARDS))} in a request path: timeout {LONG_TIMEOUT_S} s")
    return Sizing(memory, timeout, tuple(why))
