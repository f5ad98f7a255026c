"""The monolith's interpreter: found, probed, and given the small runtime decompose puts on its path.

decompose runs in its own environment (a tool install, its own venv); the monolith keeps its own
interpreter and pins. Everything that imports the monolith runs in that interpreter, chosen in this
order (the first that applies):

    1. --python PATH                      what the user said
    2. $VIRTUAL_ENV/bin/python            the environment active in the user's shell, unless it is decompose's own
    3. ROOT/.venv/bin/python, ROOT/venv/bin/python   the project's environment (uv, Poetry in-project, python -m venv)
    4. decompose's own interpreter        decompose installed into the monolith's environment (the old way)

The code that runs there (the recorder plugin, the monolith's host for `gateway up`, and the services'
runtime they share) is copied into a folder under the scratch directory
as the standalone package `decompose_runtime` and put first on PYTHONPATH: it imports only the
standard library and pytest, never `decompose`, and nothing is installed into the monolith's env.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from decompose.contracts import MONOLITH_RUNTIME
from decompose.errors import UserError

RUNTIME_PACKAGE = "decompose_runtime"
HERE = Path(__file__).resolve().parent
# the services' runtime (reset endpoint, auth, ...), the recorder plugin and the monolith's host: each
# imports only the standard library, its siblings (relative imports), and pytest or the monolith's own server
RUNTIME_MODULES = {**{p.name: p for p in sorted((HERE / "generation" / "runtime").glob("*.py"))},
                   **{p.name: p for p in MONOLITH_RUNTIME},
                   "host.py": HERE / "gateway" / "host.py", "lifeline.py": HERE / "gateway" / "lifeline.py"}
PROBE = "import json, sys; print(json.dumps([list(sys.version_info[:3]), sys.prefix]))"
OLDEST = (3, 9)
NEXT = "pass --python PATH: the python of the monolith's environment (e.g. .venv/bin/python)"


@dataclass(frozen=True)
class Interpreter:
    path: Path
    source: str  # how it was found: "--python", "$VIRTUAL_ENV", ".venv", "decompose's own"
    version: tuple[int, ...] = ()
    prefix: str = ""

    @property
    def own(self) -> bool:
        """decompose's own interpreter (the monolith shares decompose's environment)."""
        return Path(self.prefix or "-").resolve() == Path(sys.prefix).resolve()

    def describe(self) -> str:
        return f"monolith interpreter: {self.path} {'.'.join(map(str, self.version))} ({self.source})"


def _bin(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def choose(python: Path | None, root: Path, environ: Mapping[str, str] = os.environ,
           own_prefix: str = sys.prefix) -> Interpreter:
    """Which interpreter to use (pure: nothing is run; see the module docstring for the order)."""
    if python is not None:
        return Interpreter(python, "--python")
    active = environ.get("VIRTUAL_ENV")
    if active and Path(active).resolve() != Path(own_prefix).resolve():
        return Interpreter(_bin(Path(active)), "$VIRTUAL_ENV")
    for name in (".venv", "venv"):
        if _bin(root / name).exists():
            return Interpreter(_bin(root / name), name)
    return Interpreter(Path(sys.executable), "decompose's own")


def probe(chosen: Interpreter) -> Interpreter:
    """Run it once: its version and prefix, or a UserError saying what is wrong with it."""
    where = f"the monolith's interpreter {chosen.path} (from {chosen.source})"
    if not chosen.path.exists():
        raise UserError(f"{where}: no such file", NEXT)
    try:
        done = subprocess.run([str(chosen.path), "-c", PROBE], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UserError(f"{where} does not run ({error})", NEXT) from None
    try:
        version, prefix = json.loads(done.stdout)
    except ValueError:
        said = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise UserError(f"{where} does not run: {said}", NEXT) from None
    if tuple(version[:2]) < OLDEST:
        raise UserError(f"{where} is Python {'.'.join(map(str, version))}: decompose's runtime needs 3.9 or newer",
                        "pass --python to a Python 3.9+ environment of the monolith")
    return Interpreter(chosen.path, chosen.source, tuple(version), prefix)


def find(python: Path | None, root: Path) -> Interpreter:
    return probe(choose(python, root))


def require(interpreter: Interpreter, module: str, why: str) -> None:
    """A UserError unless `module` imports in the interpreter (e.g. pytest for the monolith's suite)."""
    if not has_module(interpreter, module):
        raise UserError(f"{interpreter.describe()}: no module {module!r} there ({why})",
                        f"install it in the monolith's environment ({interpreter.path} -m pip install {module}), "
                        "or pass --python to an environment that has it")


def has_module(interpreter: Interpreter, module: str) -> bool:
    """Whether `module` imports in the interpreter."""
    done = subprocess.run([str(interpreter.path), "-c", f"import {module}"], capture_output=True, text=True,
                          timeout=120, check=False)
    return done.returncode == 0


def runtime_path(scratch: Path) -> Path:
    """The folder holding `decompose_runtime` (written fresh from decompose's own files): put it on PYTHONPATH."""
    folder = scratch.resolve() / "runtime"
    package = folder / RUNTIME_PACKAGE
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    for name, source in RUNTIME_MODULES.items():
        shutil.copyfile(source, package / name)
    return folder


def environment(interpreter: Interpreter, path: list[Path], base: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment of a process in the monolith's interpreter: `path` first on PYTHONPATH, and its
    venv active (a test that starts `python` gets the monolith's)."""
    env = dict(base)
    home = Path(__file__).resolve().parent.parent  # where `decompose` imports from: never on a foreign path
    inherited = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if not interpreter.own:
        inherited = [p for p in inherited if Path(p).resolve() != home]
    entries = [str(p) for p in path] + inherited
    env["PYTHONPATH"] = os.pathsep.join(entries)
    if not interpreter.own and interpreter.prefix:
        env["VIRTUAL_ENV"] = interpreter.prefix
        env["PATH"] = f"{interpreter.path.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


# --- what is installed there: import names -> distributions, and their versions -------------------------

INSTALLED = r"""
import json
import re
from importlib import metadata
owners, versions, requires = {}, {}, {}
DEVELOPMENT = re.compile(r"extra\s*==\s*['\"][^'\"]*(?:dev|test|doc|lint|typing|mypy|coverage|bench)[^'\"]*['\"]")
try:  # the environment's own packaging, else pip's copy: markers judged for this Python (never installed here)
    from packaging.markers import Marker
except Exception:
    try:
        from pip._vendor.packaging.markers import Marker
    except Exception:
        Marker = None
def applies(marker):
    # a dependency under a marker this Python does not meet (SQLAlchemy's importlib-metadata for
    # python_version < "3.8") is no dependency here, even when something else installed it
    if not marker.strip() or "extra" in marker or Marker is None:
        return True
    try:
        return Marker(marker).evaluate()
    except Exception:
        return True
for dist in metadata.distributions():
    name = dist.metadata["Name"]
    if not name or name in versions:
        continue
    versions[name] = dist.version
    # what it depends on; under an extra, marked "[extra]name" (see Installed.closure); never what only
    # its test, dev, docs or lint extra needs (tenacity[test]'s pytest: installed for the project's tests)
    requires[name] = sorted({("[extra]" if "extra" in r.partition(";")[2] else "")
                             + re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r).group(0)
                             for r in dist.requires or () if re.match(r"[A-Za-z0-9]", r)
                             and not DEVELOPMENT.search(r.partition(";")[2]) and applies(r.partition(";")[2])})
    tops = (dist.read_text("top_level.txt") or "").split()
    if not tops:  # what importlib.metadata.packages_distributions infers (3.10+), on 3.9 too
        tops = {f.parts[0] if len(f.parts) > 1 else f.name[:-3] for f in dist.files or () if f.suffix == ".py"}
    for top in sorted(set(tops)):
        owners.setdefault(top, [])
        if name not in owners[top]:
            owners[top].append(name)
print(json.dumps({"owners": owners, "versions": versions, "requires": requires}, sort_keys=True))
"""


@dataclass(frozen=True)
class Installed:
    """The distributions of one environment: top-level import name -> distributions, name -> version."""
    owners: dict[str, list[str]]
    versions: dict[str, str]
    requires: dict[str, list[str]] = field(default_factory=dict)  # name -> the distributions it depends on
    python: tuple[int, ...] = ()  # the version of the environment's Python
    locked: dict[str, str] = field(default_factory=dict)  # the project's own pins (normalised name -> version)
    locked_from: tuple[str, ...] = ()  # the files they were read from (decompose.generation.locks)
    development: frozenset[str] = frozenset()  # what the project declares for development only (normalised)
    serving: dict[str, str] = field(default_factory=dict)  # decompose's chalice, apig-wsgi, mangum for this Python
    serving_problem: str = ""  # why some of them are not pinned (decompose.serving)

    def version(self, dist: str) -> str | None:
        """The project's own pin first (its lock or requirements file), the version installed second."""
        return self.locked.get(normalise(dist)) or self.versions.get(self.name(dist) or "")

    def with_pins(self, versions: dict[str, str], files: tuple[str, ...], development: frozenset[str] = frozenset()) -> Installed:
        return replace(self, locked=dict(versions), locked_from=tuple(files), development=frozenset(development))

    def name(self, dist: str) -> str | None:
        """The installed distribution's own spelling of `dist` (PEP 503 comparison), None when absent."""
        wanted = normalise(dist)
        return next((name for name in sorted(self.versions) if normalise(name) == wanted), None)

    def closure(self, dists: list[str]) -> dict[str, str]:
        """Each distribution `dists` depend on, directly or not, that this environment holds -> the first of
        `dists` that pulls it in. What is not installed is left out: that is how a dependency under a
        marker this Python does not meet (`python_version < "3.8"`) or under an extra nobody installed
        stays out. The installed extras of the distributions the code imports come (pwdlib[argon2]'s
        argon2-cffi: the app may need them); those of their dependencies do not (bcrypt[tests]). Nor does
        what the project declares for development only, nor what only that pulls in (SQLAlchemy[mypy]'s
        mypy is installed because mypy is a dev tool of the project)."""
        via: dict[str, str] = {}
        for top in dists:
            todo = [top]
            while todo:
                current = todo.pop()
                for dep in self.requires.get(self.name(current) or "", []):
                    if dep.startswith("[extra]") and current != top:
                        continue  # an extra of what the code imports only (pwdlib[argon2]), not bcrypt[tests]
                    found = self.name(dep.removeprefix("[extra]"))
                    if found and normalise(found) in self.development:
                        continue
                    if found and found not in via and found not in dists:
                        via[found] = top
                        todo.append(found)
        return via


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return "-".join(name.replace("_", "-").replace(".", "-").lower().split("-"))


def installed(interpreter: Interpreter) -> Installed:
    """What the monolith's environment holds, read there (importlib.metadata of its own Python)."""
    # -I: the environment's own path, not the working folder's (a checkout's *.egg-info is no install)
    done = subprocess.run([str(interpreter.path), "-I", "-c", INSTALLED], capture_output=True, text=True, timeout=120,
                          check=False, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    try:
        found = json.loads(done.stdout)
    except ValueError:
        said = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise UserError(f"{interpreter.describe()}: listing its distributions failed: {said}", NEXT) from None
    return Installed(found["owners"], found["versions"], found.get("requires", {}),
                     interpreter.version)


# --- how a service runs locally: its own venv (decompose.services_env), through chalice's CLI -------------

LAUNCHER = "decompose_chalice_local.py"


def launcher(scratch: Path) -> Path:
    """A script running `chalice local` (decompose.gateway.chalice_local, standalone) in its own folder, with
    the lifeline it imports beside it: run as a file, that folder is the only one it adds to the path."""
    folder = scratch.resolve() / "launch"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / LAUNCHER
    shutil.copyfile(HERE / "gateway" / "chalice_local.py", target)
    shutil.copyfile(HERE / "gateway" / "lifeline.py", folder / "decompose_lifeline.py")
    return target


def service_environment(interpreter: Interpreter, venv: Path, base: Mapping[str, str]) -> dict[str, str]:
    """A service's process in the services' own venv (decompose.services_env): that venv active, nothing of
    decompose on the path."""
    env = environment(interpreter, [], base)
    if not env.get("PYTHONPATH"):
        env.pop("PYTHONPATH", None)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def service_runner(interpreter: Interpreter, services: Path, root: Path, scratch: Path):
    """How `chalice local` runs a generated service: None in decompose's own interpreter (as before); else in
    the venv built from the services' requirements on the monolith's Python, through the launcher."""
    if interpreter.own:
        return None
    from decompose.gateway.upstreams import ServiceRunner
    from decompose.services_env import ensure

    venv = ensure(interpreter, services, root)
    return ServiceRunner(str(venv.python), str(launcher(scratch)),
                         functools.partial(service_environment, interpreter, venv.folder))
