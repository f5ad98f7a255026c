"""The local fleet: the monolith and every generated service as processes on 127.0.0.1.

    with Fleet(upstreams, logs=folder) as fleet:   # starts all, waits until each port answers
        fleet.url("orders")                        # http://127.0.0.1:<port>
Every process is started in its own session (so its own process group) and stopped as a tree on
exit: its group and every descendant seen in /proc get SIGTERM, then SIGKILL after a grace period,
also when startup fails half-way. While the fleet runs, SIGTERM, SIGHUP and SIGINT sent to this
process raise `Stopped` (a KeyboardInterrupt) in the main thread, so the `with` block unwinds and
stops the tree instead of the process dying with its children left running; a SIGKILL, which no
handler sees, still ends them: each child dies with this process (lifeline.py). Output goes to one log
file per process, quoted (with the exception line it ends on) when a process dies.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from decompose.errors import UserError
from decompose.gateway import lifeline
from decompose.gateway.lifeline import PARENT

HOST = "127.0.0.1"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*")


class Stopped(KeyboardInterrupt):
    """A stop signal received while a fleet runs: unwinds the `with` block like Ctrl-C does."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class Upstream:
    name: str
    command: list[str]
    cwd: Path
    port: int
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def chalice_local(name: str, folder: Path, port: int, env: dict[str, str] | None = None,
                  runner: ServiceRunner | None = None) -> Upstream:
    """`chalice local` for the project in `folder`, with Nagle's algorithm off (see chalice_local.py);
    in the monolith's interpreter when `runner` says so, else in decompose's."""
    args = ["local", "--no-autoreload", "--host", HOST, "--port", str(port), "--stage", "dev"]
    if runner is None:
        return Upstream(name, [sys.executable, "-m", "decompose.gateway.chalice_local", *args], folder, port, dict(env or {}))
    return Upstream(name, [runner.python, runner.launcher, *args], folder, port, runner.environment(env or {}))


@dataclass(frozen=True)
class ServiceRunner:
    """How a generated service runs locally in the monolith's interpreter (decompose.interpreter.service_runner):
    that python, the chalice local launcher, and how its environment is made from the fleet's."""

    python: str
    launcher: str
    prepare: Callable[[dict[str, str]], dict[str, str]]

    def environment(self, base: dict[str, str]) -> dict[str, str]:
        return self.prepare(dict(base))


def monolith(entry: str, framework: str, cwd: Path, port: int, env: dict[str, str] | None = None) -> Upstream:
    """The monolith's own development server for `module:attribute` (an app or an app factory)."""
    module, _, attribute = entry.partition(":")
    if framework == "flask":
        command = [sys.executable, "-m", "flask", "--app", f"{module}:{attribute}", "run", "--host", HOST,
                   "--port", str(port), "--no-reload", "--no-debugger"]
    elif framework == "fastapi":
        command = [sys.executable, "-m", "uvicorn", f"{module}:{attribute}", "--host", HOST, "--port", str(port),
                   "--log-level", "warning"]
    else:
        raise UserError(f"cannot start a {framework} monolith on its own yet",
                        "start it yourself and give its URL instead")
    return Upstream("monolith", command, cwd, port, dict(env or {}))


class Fleet:
    def __init__(self, upstreams: list[Upstream], logs: Path, startup_s: float = 120.0, grace_s: float = 5.0,
                 limit_s: float = 900.0) -> None:
        self.upstreams = {u.name: u for u in upstreams}
        self.logs = logs
        self.startup_s = startup_s
        self.limit_s = max(limit_s, startup_s)
        self.grace_s = grace_s
        self.processes: dict[str, subprocess.Popen] = {}
        self.signals = _Signals()

    def url(self, name: str) -> str:
        return self.upstreams[name].url

    def __enter__(self) -> Fleet:
        self.signals.install()
        try:
            self.start()
            self.wait()
        except BaseException:
            self.stop()
            self.signals.restore()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.stop()
        finally:
            self.signals.restore()

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        for upstream in self.upstreams.values():
            # held: a stop signal acts once the child is recorded, so the stop that follows finds it
            with self.signals.held(), open(self.logs / f"{upstream.name}.log", "wb") as log:
                self.processes[upstream.name] = subprocess.Popen(
                    upstream.command, cwd=upstream.cwd, env={**os.environ, "PYTHONUNBUFFERED": "1", **upstream.env, PARENT: str(os.getpid())},
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                    preexec_fn=lifeline.die_with_parent if lifeline.linux() else None)

    def wait(self) -> None:
        """Until every port accepts a connection; a clear error naming the log if a process dies first.

        `startup_s` is how long a process may stay silent before listening: an app whose startup prints
        its progress (a migration per line, as mealie's lifespan does on a fresh database) gets more, up to
        `limit_s` in all; one that never listens and never writes a line fails after `startup_s`."""
        started = time.monotonic()
        waiting = dict(self.upstreams)
        heard = {name: (self._logged(name), started) for name in waiting}
        while waiting:
            now = time.monotonic()
            for name, upstream in list(waiting.items()):
                if self.processes[name].poll() is not None:
                    raise self.died(name, "before listening")
                if _listening(upstream.port):
                    del waiting[name]
                    continue
                size = self._logged(name)
                if size != heard[name][0]:
                    heard[name] = (size, now)
            late = sorted(name for name in waiting if now - heard[name][1] > self.startup_s or now - started > self.limit_s)
            if late:
                raise UserError(f"{', '.join(late)} not listening after {now - started:.0f} s "
                                f"({self.startup_s:.0f} s without a line in its log, or {self.limit_s:.0f} s in all)",
                                f"see the logs in {self.logs}")
            if waiting:
                time.sleep(0.1)

    def _logged(self, name: str) -> int:
        try:
            return (self.logs / f"{name}.log").stat().st_size
        except OSError:
            return 0

    def stop(self) -> None:
        """Every process tree: the groups and the descendants found before the first signal (a child
        that left its group with setsid is still found), SIGTERM, then SIGKILL after `grace_s`."""
        with self.signals.held(drop=True):
            trees = {name: _descendants(p.pid) for name, p in self.processes.items() if p.poll() is None}
            for process in self.processes.values():
                _signal(process, signal.SIGTERM)
            _terminate(set().union(*trees.values()), signal.SIGTERM)
            deadline = time.monotonic() + self.grace_s
            for process in self.processes.values():
                try:
                    process.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal(process, signal.SIGKILL)
                    process.wait()
            _reap(set().union(*trees.values()), deadline)
            self.processes.clear()

    def watch(self, every_s: float = 0.5) -> None:
        """Until interrupted; a UserError naming the process, its exit and its log as soon as one exits."""
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise self.died(name, "on its own; stopping the others")
            time.sleep(every_s)

    def died(self, name: str, when: str) -> UserError:
        code = self.processes[name].returncode
        how = f"was killed by {signal.Signals(-code).name}" if code < 0 and -code in signal.valid_signals() else f"exited with code {code}"
        tail = self.tail(name)
        found = [line.strip() for line in tail.splitlines() if EXCEPTION_LINE.match(line.strip())]
        return UserError(f"{name} {how} {when}" + (f": {found[-1]}" if found else ""),
                         f"see {self.logs / (name + '.log')}; its last lines:\n{tail}")

    def kill(self, name: str) -> None:
        """Stop one upstream now (fault tests)."""
        process = self.processes.pop(name)
        _signal(process, signal.SIGKILL)
        process.wait()

    def tail(self, name: str, lines: int = 20) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class _Signals:
    """Stop signals as `Stopped` while a fleet runs (main thread only: Python delivers signals there).
    `held()` defers one to the end of a critical step (a child started but not yet recorded) or,
    while stopping, drops it: the tree is being stopped already, and a second Ctrl-C must not cut
    the stop short."""

    def __init__(self) -> None:
        self.previous: dict[int, object] = {}
        self.depth = 0
        self.pending: int | None = None
        self.dropping = False

    def install(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self.previous = {s: signal.signal(s, self._raise) for s in STOP_SIGNALS}

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous = {}

    def _raise(self, signum: int, _frame: object) -> None:
        if self.depth:
            self.pending = self.pending if self.dropping else (self.pending or signum)
            return
        raise Stopped(signum)

    @contextlib.contextmanager
    def held(self, drop: bool = False) -> Iterator[None]:
        self.depth += 1
        self.dropping = self.dropping or drop
        try:
            yield
        finally:
            self.depth -= 1
            if not self.depth:
                pending, self.pending, self.dropping = self.pending, None, False
                if pending and not drop:
                    raise Stopped(pending)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((HOST, port)) == 0


def _signal(process: subprocess.Popen, signum: int) -> None:
    """The whole process group: `chalice local` and the dev servers may start children. A group outlives
    its leader when children are left: it is signalled while any member runs (its id cannot be reused then)."""
    if process.poll() is None or _group_runs(process.pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signum)


def _group_runs(pgid: int) -> bool:
    return any(_stat(entry)[2] == str(pgid) for entry in Path("/proc").glob("[0-9]*/stat") if _stat(entry))


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` now, from /proc (empty where there is no /proc: groups still stop)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat(entry)
        if fields:
            children.setdefault(int(fields[1]), []).append(int(entry.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _terminate(pids: set[int], signum: int) -> None:
    for pid in sorted(pids):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def _reap(pids: set[int], deadline: float) -> None:
    """Descendants outside the groups: wait for them until `deadline`, then SIGKILL the rest. They are
    not our children, so they are polled, not waited for."""
    alive = {pid for pid in pids if _alive(pid)}
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = {pid for pid in alive if _alive(pid)}
    _terminate(alive, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent counts as gone)."""
    fields = _stat(Path(f"/proc/{pid}/stat"))
    return bool(fields) and fields[0] != "Z"


def _stat(path: Path) -> list[str]:
    """/proc/PID/stat after the command name (which may hold spaces): state, ppid, pgrp, ...; [] once gone."""
    try:
        stat = path.read_text()
    except OSError:
        return []
    return stat[stat.rfind(")") + 2:].split()
