"""Audit trail: requests drop events on an asyncio.Queue, one task writes them.

The queue, the worker task and the connection are created in the lifespan and
belong to the event loop that runs it; every request handler must run on that
same loop to use them.
"""

import asyncio
import logging

import aiosqlite

log = logging.getLogger(__name__)


class AuditTrail:
    def __init__(self, conn: aiosqlite.Connection, maxsize: int) -> None:
        self._conn = conn
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=maxsize)
        self._worker: asyncio.Task | None = None

    def start(self) -> None:
        self._worker = asyncio.create_task(self._run(), name="audit-writer")

    async def stop(self) -> None:
        await self._queue.join()
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass

    def record(self, action: str, subject: str) -> None:
        self._queue.put_nowait((action, subject))

    async def flush(self) -> None:
        """Wait until every event recorded so far is written."""
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            action, subject = await self._queue.get()
            try:
                await self._conn.execute(
                    "INSERT INTO audit_events (action, subject) VALUES (?, ?)",
                    (action, subject),
                )
                await self._conn.commit()
            except Exception:  # keep the writer alive
                log.exception("could not write audit event %s %s", action, subject)
            finally:
                self._queue.task_done()
