"""moto for a local fleet, behind a front that answers only requests signed with this run's access key.

moto_server answers anyone who reaches its port: any local process could read the buckets, queues and
tables of a run (the data a contract scenario moves), and its `/moto-api/` resets or dumps every backend.
So `gateway up` and `contracts verify --target services` never start it as it is. This process serves
moto's own WSGI app in process (no listener of moto's) behind a check:

    python -m decompose.gateway.lifeline decompose.gateway.aws_front -p PORT    (DECOMPOSE_AWS_KEY_ID set)

- a request passes only when it is signed (SigV4, in the Authorization header or, for a presigned URL, in
  X-Amz-Credential) with the access key id in DECOMPOSE_AWS_KEY_ID: a random id made per run
  (aws_local.run_key) and given only to the processes the fleet starts, with its secret;
- `/moto-api/` (moto's reset, state and seeding endpoints) is refused whoever asks;
- anything else answers 403 with an AWS-style error, and the process refuses to start without a key id.

The signature itself is not recomputed here: the key id is the shared secret (as long and as random as a
token), the same trust the fleet's internal calls get from DECOMPOSE_INTERNAL_SECRET.
"""

from __future__ import annotations

import argparse
import hmac
import os
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

KEY_ENV = "DECOMPOSE_AWS_KEY_ID"
REFUSED_PREFIX = "/moto-api"
_HEADER_CREDENTIAL = re.compile(r"^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)/")

StartResponse = Callable[..., Any]


def key_id(environ: dict[str, Any]) -> str | None:
    """The access key id a request was signed with (SigV4 header or presigned query), or None."""
    found = _HEADER_CREDENTIAL.match(environ.get("HTTP_AUTHORIZATION", ""))
    if found:
        return found.group(1)
    credential = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential", [""])[0]
    given, slash, _ = credential.partition("/")
    return given if given and slash else None


def refusal(environ: dict[str, Any], expected: str) -> str | None:
    """Why this request may not reach moto, or None when it may."""
    path = environ.get("PATH_INFO", "") or "/"
    if path == REFUSED_PREFIX or path.startswith(REFUSED_PREFIX + "/"):
        return "moto's own API is not served by a decompose fleet"
    given = key_id(environ)
    if given is None:
        return "the request is not signed (AWS SigV4): use this run's AWS_ACCESS_KEY_ID"
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return "the request is signed with another access key than this run's"
    return None


class Front:
    """A WSGI app: `inner` (moto's) for requests that pass `refusal`, a 403 for the others."""

    def __init__(self, inner: Callable[[dict[str, Any], StartResponse], Iterable[bytes]], expected: str) -> None:
        if not expected:
            raise ValueError(f"{KEY_ENV} is empty: the front would refuse nothing")
        self.inner, self.expected = inner, expected

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        why = refusal(environ, self.expected)
        if why is None:
            return self.inner(environ, start_response)
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                f"<Message>{why}</Message></Error>").encode()
        start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]


def moto_app() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """moto's WSGI app, as moto_server builds it (moto 5), in this process."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m decompose.gateway.aws_front")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    expected = os.environ.get(KEY_ENV, "")
    if not expected:
        print(f"error: {KEY_ENV} is not set: moto is never served without an access key to check\n"
              "  next: start it through decompose (gateway up, contracts verify --target services)", file=sys.stderr)
        return 2
    from werkzeug.serving import run_simple

    os.environ.setdefault("MOTO_PORT", str(args.port))  # moto builds queue URLs and the like from it
    run_simple("127.0.0.1", args.port, Front(moto_app(), expected), threaded=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
