"""The services' own environment: a venv built from their generated requirements, on the monolith's Python.

What flows through: services/shared/requirements.txt and services/<name>/requirements.txt (named and
pinned in the monolith's interpreter, with what those distributions depend on) + pytest for the
generated tests -> one requirement set, hashed with the Python version -> ROOT/.decompose/envs/<hash>/,
built once (uv when it is on PATH, else the monolith's own `venv` and pip) and reused while the set
is the same -> its python runs `chalice local`, the services' generated tests, `contracts verify
--target services` and `gateway up`'s services. ROOT/.decompose/services-venv points at the current one.

Why not the monolith's environment: it holds the app's development tools and their old pins (an
urllib3 1.x that botocore cannot use), and a service that runs there proves nothing about the file
that will be packaged for Lambda. In a venv built from that file, a missing or wrong requirement
fails here, locally, with the distribution's name.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion

from decompose.errors import UserError
from decompose.interpreter import Interpreter, installed, normalise

LINK = "services-venv"
SERVING = ("chalice", "apig-wsgi", "mangum")  # pinned from decompose's own environment (shared/requirements.txt)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class ServicesEnv:
    folder: Path
    built: bool  # False: an existing one was reused
    freed: tuple[str, ...] = ()  # the monolith's pins let go in this venv so that chalice runs beside them

    @property
    def python(self) -> Path:
        return self.folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def requirement_lines(services: Path) -> list[str]:
    """Every requirement of the layer and the services (comments dropped, one line per distribution)."""
    found: dict[str, str] = {}
    files = [services / "shared" / "requirements.txt", *sorted(services.glob("*/requirements.txt"))]
    for path in dict.fromkeys(files):
        for raw in path.read_text().splitlines() if path.is_file() else ():
            line = raw.split("#", 1)[0].strip()
            name = NAME.match(line)
            if name:
                found.setdefault(normalise(name.group(0)), line)
    return [found[key] for key in sorted(found)]


def with_pytest(lines: list[str], monolith: Interpreter) -> list[str]:
    """pytest for the generated tests: the monolith's own version when it has one (its suite's plugins
    and conftest were written for it), else the newest."""
    if _names(lines, "pytest"):
        return lines
    version = installed(monolith).version("pytest")
    return _added(lines, f"pytest=={version}" if version else "pytest")


def with_boto3(lines: list[str], services: Path) -> list[str]:
    """boto3 when a service uses AWS (a remediation's chalicelib/aws.py): Lambda's runtime provides it, so
    requirements.txt leaves it out, but locally the services reach moto_server and poll their queues
    through it. Unpinned: the resolver picks the newest that supports the monolith's Python."""
    if _names(lines, "boto3"):
        return lines
    if not uses_aws(services):
        return lines
    return _added(lines, "boto3")


def uses_aws(services: Path) -> bool:
    return any(services.glob("*/chalicelib/aws.py")) or (services / "shared" / "resources.json").is_file()


def _names(lines: list[str], distribution: str) -> bool:
    """Whether a requirement line already names `distribution` (the project's own line wins)."""
    return any(normalise(NAME.match(line).group(0)) == distribution for line in lines)


def _added(lines: list[str], line: str) -> list[str]:
    return sorted([*lines, line], key=str.lower)


def key(lines: list[str], monolith: Interpreter) -> str:
    text = "\n".join([".".join(map(str, monolith.version[:2])), *lines])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def relaxed(lines: list[str]) -> list[str]:
    """decompose's own pins of what serves a service locally, loosened to `<=`: an older Python may need
    an older chalice."""
    return [line.replace("==", "<=", 1) if normalise(NAME.match(line).group(0)) in SERVING else line for line in lines]


def shared_with_serving(lines: list[str], serving: set[str]) -> tuple[list[str], list[str]]:
    """(lines, the pins let go): the monolith's pins of what chalice itself depends on (its click, six,
    urllib3, PyYAML) left to the resolver, so the chalice that decompose_runtime and the generated tests
    are written for can run locally beside the monolith's old click. Only the local venv: the Lambda
    package, which carries chalice's runtime alone (no CLI), keeps every pin of requirements.txt."""
    kept, freed = [], []
    for line in lines:
        name = normalise(NAME.match(line).group(0))
        if name in serving and name not in SERVING and "==" in line:
            kept.append(line.split("==", 1)[0])
            freed.append(line)
        else:
            kept.append(line)
    return kept, freed


def contradicting(lines: list[str], wanted: dict[str, SpecifierSet]) -> tuple[list[str], list[str]]:
    """(lines, the pins let go): the monolith's exact pins that what serves a service locally cannot run
    beside (Flask 0.12's click 6.7 under chalice's click>=7) left to the resolver from the first attempt:
    no resolver spends minutes proving what the specifiers already say. Only the local venv."""
    kept, freed = [], []
    for line in lines:
        name = normalise(NAME.match(line).group(0))
        version = line.partition("==")[2].split(";")[0].strip()
        if name in wanted and name not in SERVING and version and not _allows(wanted[name], version):
            kept.append(line.split("==", 1)[0])
            freed.append(line)
        else:
            kept.append(line)
    return kept, freed


def _allows(specifier: SpecifierSet, version: str) -> bool:
    try:
        return specifier.contains(version, prereleases=True)
    except InvalidVersion:
        return True  # not a version packaging reads: the resolver decides


@functools.cache
def serving_specifiers() -> dict[str, SpecifierSet]:
    """What chalice, apig-wsgi and mangum require of each distribution they depend on, directly or not, in
    decompose's own environment (requirements under an extra or an environment marker left out)."""
    todo, found = list(SERVING), {}
    while todo:
        try:
            requires = metadata.requires(todo.pop()) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            name = normalise(req.name)
            if req.marker is None:
                todo += [] if name in found else [name]
                found[name] = found.get(name, SpecifierSet()) & req.specifier
    return found


@functools.cache
def serving_dependencies() -> frozenset[str]:
    """What chalice, apig-wsgi and mangum depend on, directly or not, in decompose's own environment."""
    todo, seen = list(SERVING), set()
    while todo:
        name = todo.pop()
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            dep = normalise(NAME.match(line).group(0))
            if "extra" not in line.partition(";")[2] and dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return frozenset(seen)


def ensure(monolith: Interpreter, services: Path, root: Path) -> ServicesEnv:
    """The services' venv for the current requirements, built when it does not exist yet."""
    # no moto: resolved from the monolith's old pins it can be older than botocore (flasky: moto 1.3.7); the
    # generated tests get decompose's own, served by `decompose test` (decompose.servicetests)
    lines = with_boto3(with_pytest(requirement_lines(services), monolith), services)
    home = root.resolve() / ".decompose"
    folder = home / "envs" / key(lines, monolith)
    wanted = "\n".join(lines) + "\n"
    ready = folder / ".decompose-ready"
    freed_file = folder / ".decompose-freed"
    built = not (ready.is_file() and ready.read_text() == wanted)
    if built:
        freed = _build(monolith, folder, lines)
        freed_file.write_text("".join(f"{line}\n" for line in freed))
        ready.write_text(wanted)
    _point(home / LINK, folder)
    freed = tuple(freed_file.read_text().split()) if freed_file.is_file() else ()
    return ServicesEnv(folder, built, freed)


def _point(link: Path, folder: Path) -> None:
    """`.decompose/services-venv` -> the current venv (a relative link: the project may move)."""
    if link.is_symlink() and link.resolve() == folder.resolve():
        return
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    elif link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(folder, link.parent))


def _build(monolith: Interpreter, folder: Path, lines: list[str]) -> list[str]:
    """Create the venv and install `lines`; returns the monolith's pins let go to make room for chalice."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    where = f"the services' environment {folder}"
    done = _run(_venv_command(monolith, folder))
    if done.returncode != 0:
        raise UserError(f"{where}: creating it with {monolith.path} failed: {_last(done)}",
                        f"check that {monolith.path} -m venv works (Debian: apt install python3-venv), or put uv on PATH")
    wants = folder / "requirements.txt"
    first, contradicted = contradicting(lines, serving_specifiers())
    freeing, freed = shared_with_serving(lines, set(serving_dependencies()))
    for attempt, let_go in ((first, contradicted), (relaxed(freeing), freed)):
        wants.write_text("\n".join(attempt) + "\n")
        done = _run(_install_command(folder, wants))
        if done.returncode == 0:
            return let_go
    raise UserError(f"{where}: installing the services' requirements failed at {culprit(done.stderr, lines)}: "
                    f"{_last(done)}",
                    f"fix that pin in services/*/requirements.txt (or in the monolith's environment, then generate "
                    f"again); the command was: {' '.join(_install_command(folder, wants))}")


def find_uv() -> str | None:
    """uv, wherever the user has it: `$UV` (set by `uv run`), PATH, beside decompose's own interpreter (a
    venv with `pip install uv`), or the `uv` package's own binary. A `uv tool install`ed decompose has no
    uv in its environment, and the shell that runs it may not put uv's folder on PATH either."""
    candidates = [os.environ.get("UV"), shutil.which("uv"), str(Path(sys.executable).parent / "uv")]
    for found in candidates:
        if found and os.access(found, os.X_OK) and Path(found).is_file():
            return found
    try:
        from uv import find_uv_bin  # the PyPI `uv` package, when installed beside decompose
    except ImportError:
        return None
    try:
        return find_uv_bin()
    except FileNotFoundError:
        return None


def _venv_command(monolith: Interpreter, folder: Path) -> list[str]:
    uv = find_uv()
    if uv:
        return [uv, "venv", "-q", "--seed", "--python", str(monolith.path), str(folder)]
    return [str(monolith.path), "-m", "venv", str(folder)]


def _install_command(folder: Path, wants: Path) -> list[str]:
    python = ServicesEnv(folder, False).python
    uv = find_uv()
    if uv:
        return [uv, "pip", "install", "-q", "--python", str(python), "-r", str(wants)]
    return [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(wants)]


def culprit(stderr: str, lines: list[str]) -> str:
    """The requirement the installer's message names first (uv: "Because flask==0.12.2 depends on ...",
    pip: "Could not find a version that satisfies the requirement X"), else every requirement."""
    names = {normalise(NAME.match(line).group(0)): line for line in lines}
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9._-]*", stderr):
        if normalise(word) in names:
            return names[normalise(word)]
    return "one of " + ", ".join(lines)


def _last(done: subprocess.CompletedProcess) -> str:
    lines = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    return " ".join(lines[-3:])[-400:] if lines else f"exit {done.returncode}"


def _run(command: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV")}
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess(command, 1, "", str(error))
