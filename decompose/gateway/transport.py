"""What an httpx client must not add when it relays someone else's request: its own default
`Accept`, `Accept-Encoding` and `User-Agent` (an upstream would then gzip an answer the client never
asked to be compressed). Shared by the gateway and the contract replayer."""

from __future__ import annotations

from typing import TypeVar

import httpx

DEFAULTS = ("accept", "accept-encoding", "user-agent")
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade"})
C = TypeVar("C", httpx.Client, httpx.AsyncClient)


def bare(client: C) -> C:
    """The client without httpx's default request headers: it sends only what it is given."""
    for name in DEFAULTS:
        if name in client.headers:
            del client.headers[name]
    return client
