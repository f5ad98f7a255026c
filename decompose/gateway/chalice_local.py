"""`chalice local`, with Nagle's algorithm off on its connections.

    python -m decompose.gateway.chalice_local local --no-autoreload --host 127.0.0.1 --port 8001

Standalone (standard library and chalice only, Python 3.9+): decompose.interpreter.launcher copies it
into a folder, with decompose.gateway.lifeline beside it as decompose_lifeline.py (it dies with the fleet
that started it), and runs it as a file with the python of the services' own venv
(decompose.services_env), which has chalice.

chalice's development server writes a response's headers and its body in two writes. With Nagle's
algorithm on, the second write waits for the client to acknowledge the first, and clients delay that
acknowledgement by up to 40 ms: every answer from `chalice local` arrived about 44 ms late, even a
403 (measured on loopback). Python's socketserver has a switch for exactly this
(`StreamRequestHandler.disable_nagle_algorithm`); this launcher turns it on and runs chalice's own CLI.

It also sends each answer's framing headers once. chalice's handler writes its own `Content-Length`
(the body it has) and `Content-Type`, then every header of the view's response: a view that set
them (a bridged Flask or Django view always does) answered with two `Content-Length` headers, which
HTTP forbids (RFC 9112 6.3: a client must treat differing ones as an error, proxies reject them).
The view's copies are dropped (the body's own length is the right one) and its `Content-Type` is
the one chalice sends, whatever its spelling.
"""

from __future__ import annotations

import sys
from typing import Any


def one_framing(headers: dict[str, Any]) -> dict[str, Any]:
    """The view's headers without Content-Length, and with its Content-Type under the name chalice pops."""
    kept = {name: value for name, value in headers.items() if name.lower() not in ("content-length", "content-type")}
    types = [value for name, value in headers.items() if name.lower() == "content-type"]
    if types:
        kept["Content-Type"] = types[-1] if not isinstance(types[-1], list) else types[-1][-1]
    return kept


def hold() -> None:
    """Stop when the fleet that started this process dies, even by SIGKILL (decompose.gateway.lifeline: a
    module of decompose, or the copy the launcher put beside this file)."""
    try:
        from decompose.gateway import lifeline
    except ImportError:
        import decompose_lifeline as lifeline  # beside the launcher (decompose.interpreter.launcher)
    lifeline.hold()


def main(argv: list[str]) -> int:
    hold()
    from chalice import local
    from chalice.cli import main as chalice

    handler = local.ChaliceRequestHandler
    handler.disable_nagle_algorithm = True
    send = handler._send_http_response
    handler._send_http_response = lambda self, code, headers, body: send(self, code, one_framing(headers), body)
    sys.argv = ["chalice", *argv]
    return chalice()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
