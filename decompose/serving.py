"""decompose's own distributions in the services (chalice, apig-wsgi, mangum: what decompose_runtime serves a
service with), pinned for the Python the services run on.

    for_python((3, 9), pip) -> Serving({"chalice": "==1.32.0", "mangum": "==0.21.0", ...}, problem)

What flows through: decompose's own version of each and its Requires-Python (importlib.metadata of
decompose's environment) -> kept when it supports that Python (nothing asked) -> otherwise pip (the
monolith's) asked, without installing anything, for the newest release up to decompose's own that
supports that Python, as pip itself chooses (`install --dry-run --report -` for that `--python-version`)
-> `==version`. Without an answer (offline index, no pip) the line becomes `<=own` and the problem is said:
never a pin that does not exist for that Python (chalice 1.34 and mangum 0.22 need 3.10; a 3.9 monolith
gets chalice 1.32 and mangum 0.21).
"""

from __future__ import annotations

import json
from subprocess import CompletedProcess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from decompose import wheels
from decompose.interpreter import normalise

DISTRIBUTIONS = ("apig-wsgi", "chalice", "mangum")
Runner = Callable[[Sequence[str]], CompletedProcess]


@dataclass(frozen=True)
class Serving:
    specs: dict[str, str] = field(default_factory=dict)  # normalised name -> "==1.32.0" (or "<=1.34.0" unasked)
    problem: str = ""  # why some could not be chosen for that Python (they got `<=` decompose's own)


def own_versions() -> dict[str, tuple[str, str]]:
    """name -> (decompose's own version, its Requires-Python or "") for the serving distributions installed here."""
    found = {}
    for name in DISTRIBUTIONS:
        try:
            meta = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue
        found[name] = (meta["Version"], meta.get("Requires-Python") or "")
    return found


def supports(requires_python: str, python: tuple[int, ...]) -> bool:
    """Whether a Requires-Python admits this Python (an unreadable one is taken as yes, as pip does)."""
    try:
        return SpecifierSet(requires_python).contains(".".join(map(str, python)), prereleases=True)
    except InvalidSpecifier:
        return True


def for_python(python: tuple[int, ...], pip: Sequence[str], own: dict[str, tuple[str, str]] | None = None,
               run: Runner | None = None) -> Serving:
    """The spec of each serving distribution for `python` (major, minor[, micro]); pip: the command that
    runs pip (the monolith's `python -m pip`)."""
    own = own_versions() if own is None else own
    specs = {normalise(name): f"=={version}" for name, (version, _) in own.items()}
    if not python:
        return Serving(specs)
    unfit = {name: version for name, (version, needs) in own.items() if not supports(needs, python)}
    if not unfit:
        return Serving(specs)
    minor = ".".join(map(str, python[:2]))
    chosen, problem = _ask(pip, minor, [f"{name}<={version}" for name, version in sorted(unfit.items())], run)
    for name, version in unfit.items():
        specs[normalise(name)] = f"=={chosen[normalise(name)]}" if normalise(name) in chosen else f"<={version}"
    if problem:
        problem = (f"{', '.join(sorted(unfit))}: decompose's own versions do not support Python {minor} and pip could not "
                   f"choose one that does ({problem}); services/shared/requirements.txt says `<=` instead of a pin")
    return Serving(specs, problem)


def _ask(pip: Sequence[str], python: str, wanted: list[str], run: Runner | None) -> tuple[dict[str, str], str]:
    """(normalised name -> the version pip would install for that Python, why not all were answered)."""
    done = (run or wheels.run_pip)([*wheels.command(pip, python, wanted), "--report", "-"])
    try:
        report = json.loads(done.stdout)
        chosen = {normalise(item["metadata"]["name"]): item["metadata"]["version"] for item in report["install"]}
    except (ValueError, KeyError, TypeError):
        said = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        return {}, " ".join(said[-2:])[-300:] if said else f"exit {done.returncode}"
    missing = [w for w in wanted if normalise(w.split("<=")[0]) not in chosen]
    return chosen, (f"no release of {', '.join(missing)} supports it" if missing else "")
