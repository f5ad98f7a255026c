"""The corpus scoreboard: every stage of decompose on real third-party monoliths, as a user runs it.

    python benchmarks/corpus.py CORPUS_DIR [--only APP ...] [--work DIR] [--reinstall] [--no-docs]

For each app of benchmarks/corpus/manifest.toml checked out at CORPUS_DIR/<app>/ (docs/corpus.md
says how to get them): its own environment (CORPUS_DIR/.envs/<app>, built once from the app's own
requirements or lock file with the manifest's commands), the servers it needs (PostgreSQL, Redis)
on 127.0.0.1, then benchmarks/pipeline.py on a fresh copy: analyze, plan, plan --check, generate,
each service imported alone, the generated tests, contracts record from the app's own suite, verify
against the monolith and the services, and the gateway with every route on its service. No hand
edit anywhere.

Prints one row per app and the seconds per stage; keeps each app's result in
CORPUS_DIR/.results/<app>.json (with the decompose commit that produced it) and writes the tables
of every app measured to docs/corpus.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pipeline import (RUNNING, STAGES, Monolith, Run, Stopped, first_error, load_toml,  # noqa: E402
                                 run_pipeline, started, stop_group, stoppable, tool_install)

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "benchmarks" / "corpus" / "manifest.toml"
DOCS = REPO / "docs" / "corpus.md"
TOOLS = ".decompose-tools"  # under the work folder: one tool install per run (tool_folder)
BEGIN, END = "<!-- corpus:begin -->", "<!-- corpus:end -->"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    corpus = args.corpus_dir.resolve()
    apps = load_toml(MANIFEST)["apps"]
    unknown = [name for name in args.only if name not in apps]
    if unknown:
        print(f"error: not in {MANIFEST.name}: {', '.join(unknown)} (have: {', '.join(apps)})", file=sys.stderr)
        return 2
    chosen = args.only or list(apps)
    work = (args.work or corpus / ".runs").resolve()
    try:
        with stoppable():
            _measure_all(chosen, apps, corpus, work, args.reinstall)
    except Stopped as stopped:
        print(f"stopped by {stopped}: every stage process and the app's servers were stopped", file=sys.stderr)
        return 128 + stopped.signum
    results = [r for r in (load_result(corpus, name) for name in apps) if r]
    print(_table(results))
    print(_times(results))
    if not args.no_docs:
        write_docs(results)
        print(f"wrote {DOCS.relative_to(REPO)}", file=sys.stderr)
    return 0


def _measure_all(chosen: list[str], apps: dict, corpus: Path, work: Path, reinstall: bool) -> None:
    print(f"== decompose: uv tool install {REPO}", file=sys.stderr, flush=True)
    with tool_folder(work) as home:
        decompose, problem = tool_install(REPO, home)
        if problem:
            print(f"warning: {problem}", file=sys.stderr)
        for name in chosen:
            result = measure(name, apps[name], corpus, work / name, reinstall, decompose)
            save(corpus, name, result)
            print(_table([result]), flush=True)


@contextlib.contextmanager
def tool_folder(work: Path) -> Iterator[Path]:
    """This run's own folder for decompose's tool install, removed at the end: two runs at once in one work
    folder (two apps measured side by side) each `uv tool install` into a folder of their own, where one
    shared folder had the second install replace the tool under the first run's feet."""
    (work / TOOLS).mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=work / TOOLS))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus_dir", type=Path, help="folder holding one checkout per app (CORPUS_DIR/<app>/)")
    parser.add_argument("--only", action="append", default=[], help="measure only this app (repeatable)")
    parser.add_argument("--work", type=Path, help="where the fresh copies go (default CORPUS_DIR/.runs)")
    parser.add_argument("--reinstall", action="store_true", help="rebuild the apps' environments")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/corpus.md")
    return parser.parse_args(argv)


# ---- one app ---------------------------------------------------------------------------------------

def measure(name: str, app: dict, corpus: Path, work: Path, reinstall: bool, decompose: list[str] | None = None) -> dict:
    """The row of one app: its stages, facts and first error; a missing checkout or a failed install is
    the row's error, never the end of the run."""
    print(f"== {name} ({app['repo']} @ {app['commit'][:10]})", file=sys.stderr, flush=True)
    row = {"app": name, "framework": app["framework"], "hand_routes": app.get("routes"), "commit": app["commit"],
           "decompose": _decompose_commit(), "date": datetime.date.today().isoformat(), "stages": {}, "facts": {}}
    source = corpus / name
    problem = _checkout_problem(source, app["commit"])
    if problem:
        row["error"] = problem
        return row
    started = time.perf_counter()
    venv, problem = ensure_env(name, app, source, corpus / ".envs" / name, reinstall)
    row["install_s"] = round(time.perf_counter() - started, 1)
    if problem:
        row["error"] = f"install: {problem}"
        return row
    labels = REPO / "benchmarks" / "corpus" / app["labels"] if app.get("labels") else None
    monolith = Monolith(name, source, app.get("root", "."), tuple(app.get("test", ())), dict(app.get("env", {})),
                        venv, app.get("routes"), labels, tuple(app.get("setup", ())))
    with Servers(app, corpus / ".servers" / name) as servers:
        if servers.problem:
            row["error"] = f"servers: {servers.problem}"
            return row
        before = installed(venv)
        run = run_pipeline(monolith, work, progress=lambda stage: print(f"   {stage}", file=sys.stderr, flush=True),
                           decompose=decompose)
    changed = sorted(before ^ installed(venv))
    row = _row(row, run)
    if changed:  # decompose puts its runtime on the path and builds the services their own venv: never this
        row["facts"]["app_env_changed"] = changed
        row["error"] = row["error"] or f"the app's environment changed during the run: {', '.join(changed[:5])}"
    return row


def installed(venv: Path) -> set[str]:
    """The distributions in an environment, as name-version (their .dist-info/.egg-info folders and files)."""
    return {path.name.rsplit(".", 1)[0] for path in venv.glob("lib/python3*/site-packages/*")
            if path.name.endswith((".dist-info", ".egg-info", ".egg-link"))}


def _row(row: dict, run: Run) -> dict:
    row["stages"] = {s.name: {"state": s.state, "seconds": round(s.seconds, 1), "error": s.error}
                     for s in run.stages.values()}
    row["facts"] = run.facts
    failed = run.first_failure()
    row["error"] = f"{failed.name}: {failed.error}" if failed else ""
    logs = run.work / ".decompose" / "corpus-logs"
    logs.mkdir(parents=True, exist_ok=True)
    for stage in run.stages.values():
        if stage.log:
            (logs / f"{stage.name}.log").write_text(stage.log)
    row["logs"] = str(logs)
    return row


def _checkout_problem(source: Path, commit: str) -> str:
    if not source.is_dir():
        return f"no checkout at {source}: fetch the repository and check out {commit} there (docs/corpus.md)"
    if (source / ".git").exists():
        head = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        if head and head != commit:
            return f"{source} is at {head[:10]}, the manifest measures {commit[:10]}: git -C {source} checkout {commit}"
    return ""


def ensure_env(name: str, app: dict, source: Path, venv: Path, reinstall: bool) -> tuple[Path, str]:
    """The app's own environment, built once with its own install commands; (venv, problem)."""
    if (venv / "bin" / "python").exists() and not reinstall:
        return venv, ""
    python = _pyenv_python(app["python"])
    if python is None:
        return venv, f"no CPython {app['python']} under {PYENV}"
    shutil.rmtree(venv, ignore_errors=True)
    steps = [f"{python} -m venv {venv}"] + [c.replace("{tool_python}", sys.executable) for c in app.get("install", [])]
    env = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    for step in steps:
        print(f"   install: {step[:100]}", file=sys.stderr, flush=True)
        process = started(["bash", "-c", step], cwd=source / app.get("root", "."), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, errors="replace")
        try:
            out, err = process.communicate()
        finally:
            RUNNING.discard(process)
        if process.returncode != 0:
            return venv, f"{step[:60]}: {first_error(err + out, process.returncode)}"
    return venv, ""


def _pyenv_python(minor: str) -> Path | None:
    found = sorted(PYENV.glob(f"{minor}.*/bin/python"), key=lambda p: [int(x) for x in p.parts[-3].split(".")[:3]])
    return found[-1] if found else None


def _decompose_commit() -> str:
    done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return done.stdout.strip() + ("+dirty" if dirty else "")


class Servers:
    """PostgreSQL and Redis for the apps that need them: throwaway, on 127.0.0.1, stopped after the app.
    PostgreSQL gets a fresh database each run; the cluster runs as the `postgres` user when we are root
    (initdb refuses root)."""

    def __init__(self, app: dict, folder: Path) -> None:
        self.app, self.folder = app, folder
        self.problem = ""
        self.redis: subprocess.Popen | None = None
        self.pg_data: Path | None = None

    def __enter__(self) -> Servers:
        try:
            if "postgres" in self.app:
                self._postgres(self.app["postgres"])
            if "redis" in self.app:
                self._redis(self.app["redis"])
        except (OSError, subprocess.CalledProcessError) as error:
            self.problem = str(error) + (f": {error.stderr.strip()[-300:]}" if getattr(error, "stderr", None) else "")
        return self

    def __exit__(self, *_exc) -> None:
        if self.redis is not None:
            stop_group(self.redis, grace_s=5)
        if self.pg_data is not None:
            self._as_postgres(["pg_ctl", "-D", str(self.pg_data), "-m", "fast", "-w", "stop"], check=False)

    def _as_postgres(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(prefix + args, capture_output=True, text=True, check=check)

    def _postgres(self, spec: dict) -> None:
        data = self.folder / "pg"
        port = str(spec.get("port", 55432))
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(data, "postgres", "postgres")
            self._as_postgres(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust"])
        options = f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(["pg_ctl", "-D", str(data), "-o", options, "-l", str(data / "server.log"), "-w", "start"])
        self.pg_data = data
        user, password, db = spec["user"], spec["password"], spec["db"]
        for sql in (f"DROP DATABASE IF EXISTS \"{db}\"",
                    f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') THEN "
                    f"CREATE ROLE \"{user}\" LOGIN SUPERUSER; END IF; END$$",
                    f"ALTER ROLE \"{user}\" PASSWORD '{password}'",
                    f"CREATE DATABASE \"{db}\" OWNER \"{user}\""):
            self._as_postgres(["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "postgres", "-v",
                               "ON_ERROR_STOP=1", "-c", sql])

    def _redis(self, spec: dict) -> None:
        self.redis = subprocess.Popen(["redis-server", "--port", str(spec.get("port", 6379)), "--bind", "127.0.0.1",
                                       "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(0.5)


# ---- results and tables ------------------------------------------------------------------------------

def save(corpus: Path, name: str, row: dict) -> None:
    folder = corpus / ".results"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(row, indent=1, sort_keys=True))


def load_result(corpus: Path, name: str) -> dict | None:
    path = corpus / ".results" / f"{name}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _state(row: dict, stage: str) -> str:
    return (row.get("stages", {}).get(stage) or {}).get("state", "-")


def _pair(value) -> str:
    return f"{value[0]}/{value[1]}" if isinstance(value, (list, tuple)) else "-"


def _n(value) -> str:
    return "-" if value is None else str(value)


def _mojo(facts: dict) -> str:
    ours, base = facts.get("mojofm"), facts.get("mojofm_baseline")
    return "-" if ours is None else f"{ours:.1f} ({base:.1f})" if base is not None else f"{ours:.1f}"


def _routes(row: dict) -> str:
    facts = row.get("facts", {})
    found = facts.get("routes")
    text = f"{_n(found)}/{_n(row.get('hand_routes'))}"
    return text + (f" ({facts['unresolved_paths']} `${{}}`)" if facts.get("unresolved_paths") else "")


def _scenarios(facts: dict) -> str:
    return " / ".join(_n(facts.get(k)) for k in ("recorded", "replayable", "verify-monolith", "verify-services", "gateway"))


COLUMNS = ("app", "fw", "routes found/hand", "tables", "services", "MoJoFM (baseline)", "plan", "check", "generate",
           "pins as app / differ / env only / none", "importing", "generated tests",
           "scenarios rec / repl / mono / svc / gw", "internal calls per request (median / most)", "first error")


def _cells(row: dict) -> list[str]:
    facts = row.get("facts", {})
    return [row["app"], row["framework"], _routes(row), _n(facts.get("tables")), _n(facts.get("services")), _mojo(facts),
            _state(row, "plan"), _state(row, "check"), _state(row, "generate"), _pins(facts.get("requirements")),
            _pair(facts.get("importing")),
            _pair(facts.get("tests")), _scenarios(facts), _calls(facts.get("internal_calls")),
            (row.get("error") or "").replace("|", "\\|")]


def _calls(counted: dict | None) -> str:
    """Internal calls per request on the generated services (`contracts verify --target services`)."""
    return "-" if not counted else f"{counted['median']:g} / {counted['max']}"


def _pins(found: dict | None) -> str:
    """The generated requirements against the app's own files (pipeline.compare_requirements)."""
    if not found:
        return "-"
    counts = " / ".join(str(len(found[k])) for k in ("same", "differ", "environment", "unpinned"))
    return counts if found["files"] else f"{counts} (no pin file)"


def _markdown(header: tuple[str, ...], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def _table(results: list[dict]) -> str:
    return _markdown(COLUMNS, [_cells(r) for r in results])


def _times(results: list[dict]) -> str:
    header = ("app", *STAGES, "total s", "decompose", "date")
    rows = []
    for row in results:
        stages = row.get("stages", {})
        seconds = [stages.get(s, {}).get("seconds") for s in STAGES]
        shown = [("-" if v is None or stages[s]["state"] == "blocked" else f"{v:.0f}") for s, v in zip(STAGES, seconds, strict=True)]
        total = sum(v for v in seconds if v)
        rows.append([row["app"], *shown, f"{total:.0f}", row.get("decompose", "?"), row.get("date", "?")])
    return _markdown(header, rows)


def write_docs(results: list[dict]) -> None:
    text = DOCS.read_text() if DOCS.exists() else f"# The corpus\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    body = f"{BEGIN}\n{_table(results)}\n\nSeconds per stage:\n\n{_times(results)}\n{END}"
    DOCS.write_text(head + body + tail)


if __name__ == "__main__":
    sys.exit(main())
