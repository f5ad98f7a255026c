"""What an httpx client must not add when it relays someone else's request: its own default
`Accept`, `Accept-Encoding` and `User-Agent` (an upstream would then gzip an answer the client never
asked to be compressed), and the cookies earlier answers set (httpx keeps them in a jar and sends them
with every later request that has no `Cookie` header of its own: through the gateway, one client's
session went to the next client's first request); and what it must not pass on: hop-by-hop headers, the fixed ones and those a
message names in its `Connection` header (RFC 9110 section 7.6.1). Shared by the gateway and the
contract replayer."""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TypeVar

import httpx

DEFAULTS = ("accept", "accept-encoding", "user-agent")
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
                        "te", "trailer", "trailers", "transfer-encoding", "upgrade"})
C = TypeVar("C", httpx.Client, httpx.AsyncClient)


def bare(client: C) -> C:
    """The client without httpx's default request headers and with a cookie jar that keeps nothing: it sends
    only what it is given."""
    for name in DEFAULTS:
        if name in client.headers:
            del client.headers[name]
    client.cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))  # keeps none
    return client


def forwardable(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Raw headers (repeats and order kept) without the hop-by-hop ones, fixed or named in `Connection`."""
    named = {token.strip().lower() for name, value in headers if name.lower() == b"connection" for token in value.split(b",")}
    return [(name, value) for name, value in headers
            if name.lower().decode("latin-1") not in HOP_BY_HOP and name.lower() not in named]
