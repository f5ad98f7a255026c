"""`decompose test`: each generated service's own tests, in the python the services run on, with the AWS of
its remediations served from decompose's side.

    services/<name>/tests  -->  <services' python> -m pytest tests  (cd services/<name>)
        python: .decompose/services-venv (built by generate from the services' requirements on the monolith's
                Python), or decompose's own interpreter when the monolith shares it
    services/<name>/.chalice/layer.json declares AWS  -->  moto behind decompose's front (aws_front, from
        decompose's own environment, on 127.0.0.1, this run's key only), the service's bucket, queue, table
        and topic made there (aws_local), the environment naming them given to pytest; stopped after

Why from decompose's side: the services' venv is resolved from the monolith's own pins on its Python, and
moto resolved there can be years older than the botocore beside it (flasky's Jinja2 2.9.6 left moto 1.3.7,
which cannot answer botocore 1.42's SQS). decompose's moto is the one the contracts and the gateway use.
The generated conftest (decompose_runtime.localaws.local) takes the endpoint from DECOMPOSE_LOCAL_AWS.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from decompose.errors import UserError
from decompose.generation.runtime.localaws import LOCAL_AWS

STOP_GRACE_S = 5.0


@dataclass(frozen=True)
class Outcome:
    service: str
    code: int  # pytest's exit code
    aws: bool  # local AWS was served to it


def service_names(services: Path, wanted: list[str]) -> list[str]:
    """The generated services to test (folders holding app.py and tests/), `wanted` checked against them."""
    found = sorted(p.name for p in services.iterdir() if (p / "app.py").is_file() and (p / "tests").is_dir()) \
        if services.is_dir() else []
    if not found:
        raise UserError(f"{services}: no generated service with tests there",
                        "run 'decompose generate' first, or pass --services to the folder it wrote")
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise UserError(f"no generated service named {', '.join(unknown)} in {services}",
                        f"choose among: {', '.join(found)}")
    return wanted or found


def pytest_environment(aws: Mapping[str, str], base: Mapping[str, str]) -> dict[str, str]:
    """pytest's environment: `base` plus the service's AWS (endpoint, this run's key, its resources), named
    for the conftest by DECOMPOSE_LOCAL_AWS; no local consumer polls during the tests (a message stays queued)."""
    from decompose.gateway.aws_local import LOCAL_CONSUMERS

    env = dict(base)
    for name in (LOCAL_AWS, LOCAL_CONSUMERS):
        env.pop(name, None)
    if aws:
        env.update({k: v for k, v in aws.items() if k != LOCAL_CONSUMERS})
        env[LOCAL_AWS] = aws["AWS_ENDPOINT_URL"]
    return env


def run_one(services: Path, name: str, python: str, base: Mapping[str, str], args: list[str], logs: Path) -> Outcome:
    """One service's tests; its local AWS (when it declares any) runs for exactly their length."""
    from decompose.gateway import aws_local

    with aws_local.running(services, [name], logs) as aws:
        env = pytest_environment(aws.get(name, {}), base)
        code = _pytest([python, "-m", "pytest", "tests", *args], services / name, env)
    return Outcome(name, code, bool(aws))


def _pytest(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """pytest in a process group of its own, stopped as a group if this process is stopped first."""
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    with _stopped_on_exit(process):
        return process.wait()


@contextlib.contextmanager
def _stopped_on_exit(process: subprocess.Popen) -> Iterator[None]:
    try:
        yield
    finally:
        if process.poll() is None:
            _group(process, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _group(process, signal.SIGKILL)
                process.wait()


def _group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)
