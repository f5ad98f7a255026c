"""The local fleet: the monolith and every generated service as processes on 127.0.0.1.

    with Fleet(upstreams, logs=folder) as fleet:   # starts all, waits until each port answers
        fleet.url("orders")                        # http://127.0.0.1:<port>
Every process is started in its own process group and stopped by PID on exit (SIGTERM, then
SIGKILL after a grace period), also when startup fails half-way. Output goes to one log file
per process, quoted in the error when a process dies before it listens.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from decompose.errors import UserError

HOST = "127.0.0.1"


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


def chalice_local(name: str, folder: Path, port: int, env: dict[str, str] | None = None) -> Upstream:
    """`chalice local` for the project in `folder`, with Nagle's algorithm off (see chalice_local.py)."""
    command = [sys.executable, "-m", "decompose.gateway.chalice_local", "local", "--no-autoreload", "--host", HOST,
               "--port", str(port), "--stage", "dev"]
    return Upstream(name, command, folder, port, dict(env or {}))


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
    def __init__(self, upstreams: list[Upstream], logs: Path, startup_s: float = 60.0, grace_s: float = 5.0) -> None:
        self.upstreams = {u.name: u for u in upstreams}
        self.logs = logs
        self.startup_s = startup_s
        self.grace_s = grace_s
        self.processes: dict[str, subprocess.Popen] = {}

    def url(self, name: str) -> str:
        return self.upstreams[name].url

    def __enter__(self) -> Fleet:
        try:
            self.start()
            self.wait()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        for upstream in self.upstreams.values():
            log = open(self.logs / f"{upstream.name}.log", "wb")  # noqa: SIM115 (closed by the child's exit)
            with log:
                self.processes[upstream.name] = subprocess.Popen(
                    upstream.command, cwd=upstream.cwd, env={**os.environ, **upstream.env}, stdout=log,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def wait(self) -> None:
        """Until every port accepts a connection; a clear error naming the log if a process dies first."""
        deadline = time.monotonic() + self.startup_s
        waiting = dict(self.upstreams)
        while waiting:
            for name, upstream in list(waiting.items()):
                if self.processes[name].poll() is not None:
                    raise UserError(f"{name} exited with code {self.processes[name].returncode} before listening",
                                    f"see {self.logs / (name + '.log')}:\n{self.tail(name)}")
                if _listening(upstream.port):
                    del waiting[name]
            if waiting and time.monotonic() > deadline:
                raise UserError(f"{', '.join(sorted(waiting))} not listening after {self.startup_s:.0f} s",
                                f"see the logs in {self.logs}")
            if waiting:
                time.sleep(0.1)

    def stop(self) -> None:
        for process in self.processes.values():
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal(process, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def watch(self, every_s: float = 0.5) -> None:
        """Until interrupted; a UserError naming the log as soon as one process exits."""
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise UserError(f"{name} exited with code {process.returncode}",
                                    f"see {self.logs / (name + '.log')}:\n{self.tail(name)}")
            time.sleep(every_s)

    def kill(self, name: str) -> None:
        """Stop one upstream now (fault tests)."""
        process = self.processes.pop(name)
        _signal(process, signal.SIGKILL)
        process.wait()

    def tail(self, name: str, lines: int = 20) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((HOST, port)) == 0


def _signal(process: subprocess.Popen, signum: int) -> None:
    """The whole process group: `chalice local` and the dev servers may start children."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass
