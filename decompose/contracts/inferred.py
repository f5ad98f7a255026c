"""The [contracts] world, inferred from the suite's own run instead of written by hand.

The recorder notes which app each test's first request reached and how it was built (the factory and
its arguments, or the module global: decompose.contracts.sightings), and the environment every test
saw. After recording, `contracts record` takes the app most tests reached, checks in the monolith's
interpreter that the spec builds an app from a fresh process, and writes the table into the plan,
commented, when the plan names no app yet (a table the user wrote is never changed):

    found = infer(recording_paths)                        # Inferred(spec, tests, env) or None
    problem = loads(found, root, interpreter, scratch)    # None, or why the spec does not build an app
    write(plan, found)                                    # [contracts] app = ..., [contracts.env]
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from decompose.interpreter import Interpreter, environment, runtime_path
from decompose.planning.planfile import load_document

TEMPORARY = ("pytest-of-", "/tmp/pytest")  # a value naming one run's temporary folder cannot be replayed
CHECK = "import sys; from decompose_runtime.host import load_app; load_app(sys.argv[1], __import__('pathlib').Path(sys.argv[2]))"


@dataclass(frozen=True)
class Inferred:
    spec: str
    tests: int  # tests whose first request reached this app
    total: int  # tests that sent a request
    env: dict[str, str] = field(default_factory=dict)


def infer(recordings: list[Path]) -> Inferred | None:
    """The app most tests reached in the first recording that says (ties: the spec's name), or None."""
    for path in recordings:
        try:
            world = json.loads(path.read_text(encoding="utf-8")).get("world") or {}
        except (OSError, ValueError, AttributeError):
            continue
        apps = [a for a in world.get("apps", []) if isinstance(a, dict) and isinstance(a.get("spec"), str)]
        if not apps:
            continue
        best = min(apps, key=lambda a: (-int(a.get("tests", 0)), a["spec"]))
        env = {str(k): str(v) for k, v in sorted((world.get("env") or {}).items())
               if not any(mark in str(v) for mark in TEMPORARY)}
        return Inferred(best["spec"], int(best.get("tests", 0)), sum(int(a.get("tests", 0)) for a in apps), env)
    return None


def loads(found: Inferred, root: Path, interpreter: Interpreter, scratch: Path) -> str | None:
    """None when the spec builds an app in a fresh process of the monolith's interpreter; else the last
    line it printed (an argument that does not import, a factory that needs a fixture's state)."""
    env = environment(interpreter, [runtime_path(scratch), root.resolve()])
    env.update(found.env)
    try:
        done = subprocess.run([str(interpreter.path), "-c", CHECK, found.spec, str(root.resolve())], capture_output=True,
                              text=True, timeout=120, check=False, env=env, cwd=root)
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode == 0:
        return None
    return (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]


def write(plan: Path, found: Inferred) -> bool:
    """Add the inferred world to the plan's [contracts] table unless it names an app; True when written."""
    document = load_document(plan)
    table = document.get("contracts")
    if table is not None and table.get("app"):
        return False
    if table is None:
        table = tomlkit.table()
        document.add(tomlkit.nl())
        document["contracts"] = table
    table.add(tomlkit.comment(f"inferred by 'decompose contracts record': the app {found.tests} of the suite's "
                              f"{found.total} tests sent their first request to; edit freely"))
    table.add(tomlkit.comment("docs/contracts.md#the-contracts-table says what else the world can hold (reset hooks, budgets)"))
    table["app"] = found.spec
    if found.env and "env" not in table:
        env = tomlkit.table()
        env.add(tomlkit.comment("the environment every test of the suite saw set (as its conftest or fixtures set it)"))
        for key, value in found.env.items():
            env[key] = value
        table["env"] = env
    plan.write_text(tomlkit.dumps(document), encoding="utf-8")
    return True
