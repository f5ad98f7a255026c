"""`chalice local`, with Nagle's algorithm off on its connections.

    python -m decompose.gateway.chalice_local local --no-autoreload --host 127.0.0.1 --port 8001

chalice's development server writes a response's headers and its body in two writes. With Nagle's
algorithm on, the second write waits for the client to acknowledge the first, and clients delay that
acknowledgement by up to 40 ms: every answer from `chalice local` arrived about 44 ms late, even a
403 (measured on loopback). Python's socketserver has a switch for exactly this
(`StreamRequestHandler.disable_nagle_algorithm`); this launcher turns it on and runs chalice's own CLI.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from chalice import local
    from chalice.cli import main as chalice

    local.ChaliceRequestHandler.disable_nagle_algorithm = True
    sys.argv = ["chalice", *argv]
    return chalice()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
