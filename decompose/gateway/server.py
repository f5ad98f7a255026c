"""uvicorn's HTTP/1.1 protocol with the two guards uvicorn lacks, for the gateway's server.

uvicorn bounds the idle time between requests (`timeout_keep_alive`) and the size of a header block
(`h11_max_incomplete_event_size`), but nothing bounds how long a client may take to send its headers:
a connection that sends one byte now and then, or nothing at all, is held for ever (200 such
connections were held for as long as their clients liked). And its `limit_concurrency` answers 503
only once a request has arrived, so idle connections are never refused and can use every file
descriptor. This protocol closes a connection whose request headers have not all arrived
HEADER_TIMEOUT_S after its first byte (or after the connection opened), and closes at once a
connection beyond MAX_CONNECTIONS open ones.

    uvicorn.run(app, http=GuardedH11Protocol, limit_concurrency=MAX_CONNECTIONS, ...)
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0  # for one request's line and headers, from its first byte
KEEP_ALIVE_S = 5  # idle between two requests of a connection (uvicorn's timeout_keep_alive)
MAX_CONNECTIONS = 512  # open client connections; the upstream pool holds at most 256 more
MAX_HEADER_BYTES = 65536  # request line and headers together (h11_max_incomplete_event_size)


class GuardedH11Protocol(H11Protocol):
    header_timeout_s = HEADER_TIMEOUT_S
    max_connections = MAX_CONNECTIONS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.header_deadline: asyncio.TimerHandle | None = None
        if len(self.connections) > self.max_connections:
            transport.close()  # refused before any byte is read: nothing to answer yet
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()  # a request has begun (or is still awaited): its headers are due
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self.header_deadline is None:
            self.header_deadline = self.loop.call_later(self.header_timeout_s, self._headers_late)

    def _disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_late(self) -> None:
        self.header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
