"""A request body on its way through the gateway: limited in size, streamed, and read ahead only as
far as a copy is worth keeping.

Shadow, fallback and recording need the body twice (for the owner and the monolith, or for the
recording). The gateway reads ahead at most `keep` bytes: a body that ends within them is kept
whole and can be sent twice; a longer one is streamed, the part read ahead first, and is then not
mirrored, not recorded and, once its first byte has left, not retried (each counted by the caller).
Memory per request is therefore at most `keep` plus what uvicorn buffers, whatever the body's size.

Beyond `limit` bytes the body is refused with 413: at once when Content-Length says so, else when
the stream passes it (the upstream then sees its request cut short, and answers nothing the client
gets). A client that sends nothing for `idle_s` in the middle of its body gets 408.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request

from decompose.gateway.target import Refused


class Body:
    def __init__(self, request: Request, limit: int, idle_s: float) -> None:
        self.limit, self.idle_s = limit, idle_s
        self.size = 0
        self.head: list[bytes] = []  # read ahead, not sent yet
        self.started = False  # a byte of the stream has been handed to an upstream
        headers = request.headers
        self.done = "content-length" not in headers and "transfer-encoding" not in headers
        self.chunks = request.stream() if not self.done else None
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise Refused(413 if declared.isdigit() else 400,
                          f"the request body is larger than the gateway's limit of {limit} bytes" if declared.isdigit()
                          else "Content-Length is not a number")

    async def read_ahead(self, keep: int) -> bytes | None:
        """The whole body when it is at most `keep` bytes; None when it is longer (it will be streamed)."""
        held = sum(len(chunk) for chunk in self.head)
        while not self.done and held <= keep:
            chunk = await self._next()
            if chunk:
                self.head.append(chunk)
                held += len(chunk)
        return b"".join(self.head) if self.done else None

    @property
    def replayable(self) -> bool:
        """Can it be sent again (to the monolith after a service was not reached)?"""
        return self.done or not self.started

    def content(self) -> bytes | AsyncIterator[bytes]:
        """What httpx sends: the bytes when the body is whole, else a stream of the rest."""
        return b"".join(self.head) if self.done else self._stream()

    async def _stream(self) -> AsyncIterator[bytes]:
        self.started = True
        for chunk in self.head:
            yield chunk
        while not self.done:
            chunk = await self._next()
            if chunk:
                yield chunk

    async def _next(self) -> bytes:
        assert self.chunks is not None
        try:
            chunk = await asyncio.wait_for(self.chunks.__anext__(), self.idle_s)
        except StopAsyncIteration:
            self.done = True
            return b""
        except asyncio.TimeoutError:
            raise Refused(408, f"the request body stalled for {self.idle_s:g} s") from None
        self.size += len(chunk)
        if self.size > self.limit:
            raise Refused(413, f"the request body is larger than the gateway's limit of {self.limit} bytes")
        return chunk
