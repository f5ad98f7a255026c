"""What one scenario's resets cost a fleet of Django processes sharing one test database (decompose_runtime.django_data).

    python benchmarks/django_fleet_reset.py APP_DIR --python APP_PYTHON [--processes 13] [--env KEY=VALUE ...]

Run with the app's settings in the environment (DJANGO_SETTINGS_MODULE and what they read, e.g. djangogirls' POSTGRES_*).
Each of N processes, one after another as the verifier's resets come, sets Django up and calls `django_data.fresh()` for
one scenario, timed inside the process: first with no scenario named (every process flushes, as before), then with one
(`DECOMPOSE_CONTRACT_SCENARIO`: the first flushes, the others keep it). The fleet's test database is made by a first round
and dropped at the end. Prints one line per round: each process's milliseconds and their sum.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "decompose" / "contracts"
PROCESS = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from decompose_runtime import django_data
if sys.argv[2] == "drop":
    from django.db import connection
    name = django_data.shared_test_name(connection.vendor, connection.settings_dict["NAME"],
                                        django_data.fleet_name(os.environ), "default")
    if connection.vendor != "sqlite":  # a SQLite fleet database is a file in the scratch folder, removed with it
        with connection.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS " + connection.ops.quote_name(name))
    raise SystemExit(0)
started = time.perf_counter()
django_data.fresh()
print(json.dumps({"ms": round((time.perf_counter() - started) * 1000, 1)}))
"""


def runtime(folder: Path) -> Path:
    """django_data and startdata as the services carry them (a package decompose_runtime), nothing else."""
    package = folder / "decompose_runtime"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for name in ("django_data.py", "startdata.py"):
        shutil.copy(HERE / name, package / name)
    return folder


def one(python: str, app: Path, env: dict[str, str], what: str = "fresh") -> float:
    done = subprocess.run([python, "-c", PROCESS, str(app), what], env=env, cwd=app, capture_output=True, text=True,
                          timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["ms"] if what == "fresh" else 0.0


def rounds(python: str, app: Path, processes: int, base: dict[str, str]) -> list[tuple[str, list[float]]]:
    named = {**base, "DECOMPOSE_CONTRACT_SCENARIO": "scenario-1"}
    done = [("make and join", [one(python, app, base) for _ in range(processes)])]
    done.append(("every process flushes (no scenario)", [one(python, app, base) for _ in range(processes)]))
    done.append(("one flush per scenario", [one(python, app, named) for _ in range(processes)]))
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", type=Path)
    parser.add_argument("--python", required=True)
    parser.add_argument("--processes", type=int, default=13)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="django-fleet-reset-") as scratch:
        folder = runtime(Path(scratch) / "runtime")
        base = {k: v for k, v in os.environ.items() if k != "DECOMPOSE_CONTRACT_SCENARIO"}
        base.update({"PYTHONPATH": str(folder), "DECOMPOSE_CONTRACT_RESET": "1", "TMPDIR": scratch,
                     "DECOMPOSE_INTERNAL_SECRET": secrets.token_hex(8)})
        try:
            for label, times in rounds(args.python, args.app.resolve(), args.processes, base):
                print(f"{label}: {len(times)} processes, ms each {times}, sum {round(sum(times))}")
        finally:
            one(args.python, args.app.resolve(), base, "drop")


if __name__ == "__main__":
    main()
