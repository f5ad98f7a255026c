"""Contract verdicts under machine load: the sample's contracts verified again and again while a CPU
burner saturates one of the two cores.

    python benchmarks/contracts_load.py [--runs 10] [--targets monolith,services] [--no-burner] [--work DIR]

What flows through: the sample, planned with --converge, generated, given its [contracts] world and
recorded from its own suite once (as tests/conftest.py does) in a fresh folder -> a burner process
(a busy loop pinned to CPU 0 where the OS allows) -> `decompose contracts verify --target T --json`
`--runs` times per target -> one row per run (exit code, routes ok / failing / not verified, answers
broken, the worst route's p95 over its budget, seconds) and a pass count per target, printed as a
Markdown table (docs/contracts.md keeps the last one). Latency is judged as `verify` judges it by
default: the services against the monolith replayed in the same run, the monolith not against itself.
A route over its latency budget at first and measured again (docs/contracts.md) is listed under the
table with both measures. The burner is stopped by its PID on exit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pipeline import RUNNING, Shell, Stopped, started, stoppable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_monolith"
BURNER = "import os\ntry:\n    os.sched_setaffinity(0, {0})\nexcept (AttributeError, OSError):\n    pass\nwhile True:\n    pass\n"


def decompose(where: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """One decompose command in a process group of its own: a stopped run stops its whole tree (the
    replays' pytest and the services it started), not only the `decompose` process."""
    shell = Shell(where, dict(os.environ), [sys.executable, "-m", "decompose"], sys.executable)
    return shell.decompose_cmd(*args, timeout=timeout)


def prepare(where: Path) -> None:
    """The sample as the e2e tests use it: planned, generated with its world, recorded once."""
    steps = [["analyze", str(SAMPLE), "-q"], ["plan", "--converge", "-q"], ["generate", "-q"]]
    for step in steps:
        _must(decompose(where, *step), step)
    plan = where / "decompose.toml"
    plan.write_text(plan.read_text() + "\n" + (SAMPLE / "contracts.toml").read_text())
    suite = [str(SAMPLE / "tests"),  # the polling test sends a different number of requests each run (docs/contracts.md)
             "--deselect=sample_monolith/tests/test_sm_notifications.py::test_background_worker_delivers_after_commit"]
    for step in (["generate", "-q"], ["contracts", "record", "-q", "--root", str(ROOT), "--", *suite]):
        _must(decompose(where, *step), step)


def _must(done: subprocess.CompletedProcess, step: list[str]) -> None:
    if done.returncode != 0:
        raise SystemExit(f"decompose {' '.join(step)} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")


@contextmanager
def burner(on: bool):
    process = started([sys.executable, "-c", BURNER]) if on else None
    try:
        yield process
    finally:
        if process is not None:
            process.kill()
            process.wait(timeout=30)
            RUNNING.discard(process)


def verify(where: Path, target: str) -> dict:
    started = time.perf_counter()
    done = decompose(where, "contracts", "verify", "--target", target, "--root", str(ROOT), "--json", "-q")
    seconds = time.perf_counter() - started
    try:
        results = json.loads(done.stdout)
    except ValueError:
        return {"target": target, "exit": done.returncode, "error": (done.stderr.strip().splitlines() or ["?"])[-1],
                "seconds": seconds}
    routes = results["routes"]
    ratios = [r["p95_ms"] / r["budget_ms"] for r in routes if r.get("budget_ms") and r.get("p95_ms") is not None]
    return {"target": target, "exit": done.returncode, "seconds": seconds,
            "ok": sum(r.get("state") == "ok" for r in routes), "failing": sum(r.get("state") == "FAIL" for r in routes),
            "not_verified": sum(r.get("state") == "not verified" for r in routes),
            "broken": sum(r["failed"] + r["errors"] for r in routes),
            "worst": max(ratios) if ratios else None, "judged": results.get("reference") or
            ("recorded" if results.get("latency_baseline") else "not judged"),
            "failed_routes": sorted(_named(r) for r in routes if r.get("state") == "FAIL"),
            "measured_again": sorted(_again(r) for r in routes if r.get("first_p95_ms") is not None)}


def _again(route: dict) -> str:
    """A route over its budget at first and measured again (decompose.contracts.verify._remeasure): both measures."""
    return (f"{route.get('service')} {route.get('route')}: at first p95 {route['first_p95_ms']:.0f} ms / budget "
            f"{route['first_budget_ms']:.0f} ms, measured again p95 {route['p95_ms']:.0f} ms / budget "
            f"{route['budget_ms']:.0f} ms ({route.get('state')})")


def _named(route: dict) -> str:
    """A failing route as the table's notes name it: which, and why (its answers or its p95 against its budget)."""
    over = f", p95 {route['p95_ms']:.0f} ms / budget {route['budget_ms']:.0f} ms" \
        if route.get("budget_ms") and route.get("p95_ms") is not None else ""
    return f"{route.get('service')} {route.get('route')}: {route['failed'] + route['errors']} answers broken{over}"


def table(rows: list[dict], runs: int, burning: bool) -> str:
    lines = [f"CPU burner on one of {os.cpu_count()} cores: {'yes' if burning else 'no'}; {runs} runs per target.", "",
             "| target | run | exit | routes ok | failing | not verified | answers broken | worst p95/budget | latency judged against | s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    numbers = _numbers(rows)
    for number, row in zip(numbers, rows):
        if "error" in row:
            lines.append(f"| {row['target']} | {number} | {row['exit']} | error: {row['error'][:80]} | | | | | | {row['seconds']:.0f} |")
            continue
        worst = "-" if row["worst"] is None else f"{row['worst']:.2f}"
        lines.append(f"| {row['target']} | {number} | {row['exit']} | {row['ok']} | {row['failing']} | {row['not_verified']} "
                     f"| {row['broken']} | {worst} | {row['judged']} | {row['seconds']:.0f} |")
    lines.append("")
    for number, row in zip(numbers, rows):
        for named in row.get("failed_routes", []):
            lines.append(f"- {row['target']} run {number} failed on {named}")
        for named in row.get("measured_again", []):
            lines.append(f"- {row['target']} run {number} measured a route again: {named}")
    for target in dict.fromkeys(r["target"] for r in rows):
        mine = [r for r in rows if r["target"] == target]
        lines.append(f"- `--target {target}`: {sum(r['exit'] == 0 for r in mine)} of {len(mine)} runs passed")
    return "\n".join(lines)


def _numbers(rows: list[dict]) -> list[int]:
    """Each row's run number within its target (1, 2, ... for the monolith, then 1, 2, ... for the services)."""
    seen: dict[str, int] = {}
    numbers = []
    for row in rows:
        seen[row["target"]] = seen.get(row["target"], 0) + 1
        numbers.append(seen[row["target"]])
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--targets", default="monolith,services")
    parser.add_argument("--no-burner", action="store_true")
    parser.add_argument("--work", type=Path, default=None, help="Folder to prepare the sample in (default: a temporary one).")
    options = parser.parse_args(argv)
    work = options.work or Path(tempfile.mkdtemp(prefix="contracts-load-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    try:
        with stoppable():  # SIGTERM, SIGHUP, Ctrl-C: every command's group and the burner are stopped
            if not (work / "contracts").is_dir():
                prepare(work)
            with burner(not options.no_burner):
                for target in options.targets.split(","):
                    for number in range(options.runs):
                        rows.append(verify(work, target))
                        print(f"{target} run {number + 1}: {json.dumps(rows[-1], sort_keys=True)}", file=sys.stderr,
                              flush=True)
    except Stopped as stopped:
        print(f"stopped by {stopped} after {len(rows)} run(s): every command's process group was stopped",
              file=sys.stderr)
        return 128 + stopped.signum
    print(table(rows, options.runs, not options.no_burner))
    return 0 if all(r["exit"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
