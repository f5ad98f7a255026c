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
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from decompose.errors import UserError

RUNTIME_PACKAGE = "decompose_runtime"
HERE = Path(__file__).resolve().parent
# the services' runtime (reset endpoint, auth, ...), the recorder plugin and the monolith's host: each
# imports only the standard library, its siblings (relative imports), and pytest or the monolith's own server
RUNTIME_MODULES = {**{p.name: p for p in sorted((HERE / "generation" / "runtime").glob("*.py"))},
                   "recorder.py": HERE / "contracts" / "recorder.py", "sightings.py": HERE / "contracts" / "sightings.py",
                   "startdata.py": HERE / "contracts" / "startdata.py", "ninja_client.py": HERE / "contracts" / "ninja_client.py",
                   "django_data.py": HERE / "contracts" / "django_data.py",
                   "host.py": HERE / "gateway" / "host.py"}
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
from importlib import metadata
owners, versions = {}, {}
for dist in metadata.distributions():
    name = dist.metadata["Name"]
    if not name:
        continue
    versions.setdefault(name, dist.version)
    tops = (dist.read_text("top_level.txt") or "").split()
    if not tops:  # what importlib.metadata.packages_distributions infers (3.10+), on 3.9 too
        tops = {f.parts[0] if len(f.parts) > 1 else f.name[:-3] for f in dist.files or () if f.suffix == ".py"}
    for top in sorted(set(tops)):
        owners.setdefault(top, [])
        if name not in owners[top]:
            owners[top].append(name)
print(json.dumps({"owners": owners, "versions": versions}, sort_keys=True))
"""


@dataclass(frozen=True)
class Installed:
    """The distributions of one environment: top-level import name -> distributions, name -> version."""
    owners: dict[str, list[str]]
    versions: dict[str, str]

    def version(self, dist: str) -> str | None:
        wanted = normalise(dist)
        return next((v for name, v in sorted(self.versions.items()) if normalise(name) == wanted), None)


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
    return Installed(found["owners"], found["versions"])


# --- what the services need to run locally that the monolith lacks: a folder appended to its path -----------

SERVING = {"chalice": "chalice", "apig-wsgi": "apig_wsgi", "mangum": "mangum"}  # distribution -> import name
SUPPORT_ENV = "DECOMPOSE_SUPPORT_PATH"  # read by the generated tests' conftest and the chalice local launcher
LAUNCHER = "decompose_chalice_local.py"


def lacking(interpreter: Interpreter, modules: list[str]) -> list[str]:
    """Which of `modules` the interpreter cannot import (found by spec: nothing is imported)."""
    code = ("import importlib.util, json, sys; "
            "print(json.dumps([m for m in sys.argv[1:] if importlib.util.find_spec(m) is None]))")
    done = subprocess.run([str(interpreter.path), "-c", code, *modules], capture_output=True, text=True, timeout=120,
                          check=False, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    try:
        return json.loads(done.stdout)
    except ValueError:
        said = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise UserError(f"{interpreter.describe()}: probing its modules failed: {said}", NEXT) from None


def serving_pins(lacks: list[str]) -> list[str]:
    """decompose's own versions of the serving distributions whose import names are in `lacks`."""
    from importlib import metadata

    return [f"{dist}=={metadata.version(dist)}" for dist, module in SERVING.items() if module in lacks]


def install_command(interpreter: Interpreter, folder: Path, pins: list[str]) -> list[str]:
    """The monolith's own pip when it has one (its exact wheel tags), else uv for that interpreter, else
    decompose's pip for its Python version (binary wheels only)."""
    if not lacking(interpreter, ["pip"]):
        return [str(interpreter.path), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--target",
                str(folder), *pins]
    uv = shutil.which("uv")
    if uv:
        return [uv, "pip", "install", "-q", "--python", str(interpreter.path), "--target", str(folder), *pins]
    return [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--target", str(folder),
            "--python-version", ".".join(map(str, interpreter.version[:2])), "--implementation", "cp",
            "--only-binary=:all:", *pins]


def support_path(interpreter: Interpreter, scratch: Path) -> Path | None:
    """The folder holding what a service needs to run locally (chalice, apig-wsgi, mangum) that the
    monolith's environment lacks, installed there once per Python minor and pins (decompose's own
    versions, else the newest older ones that Python has); None when it lacks nothing. It goes at the END of the path (SUPPORT_ENV), so the monolith's own versions always win:
    nothing of its environment is upgraded or shadowed."""
    pins = [] if interpreter.own else serving_pins(lacking(interpreter, sorted(SERVING.values())))
    if not pins:
        return None
    folder = scratch.resolve() / "support" / "cp{}{}".format(*interpreter.version[:2])
    marker = folder / ".pins"
    if marker.is_file() and marker.read_text() == "\n".join(pins):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for wanted in (pins, [pin.replace("==", "<=") for pin in pins]):  # an older Python: the newest it has
        command = install_command(interpreter, folder, wanted)
        done = _install(command)
        if done.returncode == 0:
            break
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise UserError(f"{interpreter.describe()}: installing {', '.join(pins)} into {folder} failed: {said}",
                        f"run it yourself: {' '.join(command)}; or install them into the monolith's environment")
    marker.write_text("\n".join(pins))
    return folder


def _install(command: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False,
                              env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess(command, 1, "", str(error))


def launcher(scratch: Path) -> Path:
    """A script running `chalice local` (decompose.gateway.chalice_local, standalone), alone in its folder:
    run as a file, its folder is the only one it adds to the path."""
    folder = scratch.resolve() / "launch"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / LAUNCHER
    shutil.copyfile(HERE / "gateway" / "chalice_local.py", target)
    return target


def service_environment(interpreter: Interpreter, support: Path | None, base: Mapping[str, str]) -> dict[str, str]:
    """A service's process in the monolith's interpreter: its venv active, nothing of decompose on the path,
    and the support folder (if any) for the launcher and the tests to append."""
    env = environment(interpreter, [], base)
    if not env.get("PYTHONPATH"):
        env.pop("PYTHONPATH", None)
    if support is not None:
        env[SUPPORT_ENV] = str(support)
    else:
        env.pop(SUPPORT_ENV, None)
    return env


def support_home(root: Path) -> Path:
    """Where the support folders live: the project's .decompose/ (the generated tests look there too)."""
    return root / ".decompose"


def service_runner(interpreter: Interpreter, root: Path, scratch: Path):
    """How `chalice local` runs a generated service: None in decompose's own interpreter (as before);
    else in the monolith's, through the launcher, with the support folder it needs."""
    if interpreter.own:
        return None
    from decompose.gateway.upstreams import ServiceRunner

    support = support_path(interpreter, support_home(root))
    return ServiceRunner(str(interpreter.path), str(launcher(scratch)),
                         functools.partial(service_environment, interpreter, support))
