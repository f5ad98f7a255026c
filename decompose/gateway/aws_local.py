"""AWS for `gateway up`: moto on 127.0.0.1 behind a front that takes only this run's access key
(aws_front), the resources each remediated service declares, and the environment that points the service
(and its local consumer) at them, with that key.

    services/<name>/.chalice/layer.json  --needs-->  {service: {bucket, queue, table, topic}}
    aws_front (an Upstream of its own fleet, started first)  --provision-->  resources, per-service env
    chalice local <name>  with that env + DECOMPOSE_LOCAL_CONSUMERS=1: its consumers.py polls the queue
                          in a thread and runs each message, as Lambda's SQS event source would

Resources get local names (<service>-files, -work, -state, -fanout), made by the runtime's localaws
(the same code makes them in moto for a service's generated tests).
"""

from __future__ import annotations

import contextlib
import importlib.util
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from decompose.errors import UserError
from decompose.gateway.aws_front import KEY_ENV
from decompose.gateway.upstreams import Fleet, Upstream, free_port
from decompose.generation.runtime import localaws
from decompose.generation.runtime.localaws import ACCOUNT_ENV

LOCAL_CONSUMERS = "DECOMPOSE_LOCAL_CONSUMERS"  # read by the generated chalicelib/aws.py


@dataclass(frozen=True)
class Needs:
    service: str
    kinds: frozenset[str]  # bucket, queue, table, topic; shared-bucket, shared-table (the shared kernel's)


@contextlib.contextmanager
def running(services: Path, names: list[str], logs: Path) -> Iterator[dict[str, dict[str, str]]]:
    """moto_server with the resources of the remediated services among `names`, started before them and
    stopped after them (enter this first); service -> its AWS environment. Nothing starts when no
    service uses AWS."""
    wanted = needs(services, names)
    if not wanted:
        yield {}
        return
    key = run_key()
    server = moto_server(free_port(), key)
    with Fleet([server], logs=logs):
        yield provision(server.url, wanted, key)


def run_key() -> dict[str, str]:
    """This run's access key (a random id and secret): the only one moto's front lets through (aws_front)."""
    return {"AWS_ACCESS_KEY_ID": "DECOMPOSE" + secrets.token_hex(12).upper(),
            "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30)}


def needs(services: Path, names: list[str]) -> list[Needs]:
    """The services whose generated template declares remediation resources, and which."""
    found = [Needs(name, localaws.kinds_of(str(services / name))) for name in names]
    return [need for need in found if need.kinds]


def moto_server(port: int, key: dict[str, str]) -> Upstream:
    """moto in the front process (aws_front), which answers only requests signed with `key`'s id."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask_cors") is None:
        raise UserError("the generated services use AWS ([remediate] in the plan) and 'gateway up' runs them against "
                        "moto_server, which is missing from decompose's environment",
                        "reinstall decompose (it depends on moto[server]) or pip install "
                        "'moto[server,s3,sqs,sns,dynamodb]' into its environment (docs/remediation.md)")
    # held by decompose's lifeline: the front stops when whoever started it dies, even by SIGKILL
    return Upstream("aws", [sys.executable, "-m", "decompose.gateway.lifeline", "decompose.gateway.aws_front",
                            "-p", str(port)],
                    Path.cwd(), port, {**ACCOUNT_ENV, **key, KEY_ENV: key["AWS_ACCESS_KEY_ID"]})


def provision(endpoint: str, wanted: list[Needs], key: dict[str, str]) -> dict[str, dict[str, str]]:
    """Creates each service's resources in the moto behind `endpoint`, signed with `key`; service -> its
    environment (that key included: the front refuses any other)."""
    import boto3

    def client(name: str):
        return boto3.client(name, endpoint_url=endpoint, region_name=ACCOUNT_ENV["AWS_DEFAULT_REGION"],
                            aws_access_key_id=key["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=key["AWS_SECRET_ACCESS_KEY"])

    shared = localaws.provision_shared(client, frozenset().union(*(need.kinds for need in wanted)))
    base = {**ACCOUNT_ENV, **key, "AWS_ENDPOINT_URL": endpoint, LOCAL_CONSUMERS: "1"}
    return {need.service: {**base, **localaws.provision(client, need.service, need.kinds, shared)} for need in wanted}
