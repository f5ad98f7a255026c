"""The v2 read API: a separate FastAPI application mounted under /v2.

It has its own /v2/docs and /v2/openapi.json. A mounted app's lifespan never
runs, so the parent's lifespan hands it the shared connection.
"""

import base64
import json

import aiosqlite
from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel

from journal.db import note_tags

v2_app = FastAPI(title="Journal API v2", version="2.0")


class NoteOut(BaseModel):
    id: int
    title: str
    excerpt: str
    tags: list[str]


class NotePage(BaseModel):
    items: list[NoteOut]
    next_cursor: str | None


def get_db(request: Request) -> aiosqlite.Connection:
    return request.app.state.db


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"])
    except (ValueError, KeyError, TypeError):
        raise HTTPException(status_code=400, detail="invalid cursor")


async def _note_out(db: aiosqlite.Connection, row: aiosqlite.Row) -> NoteOut:
    body = row["body"]
    excerpt = body if len(body) <= 40 else body[:39] + "…"
    return NoteOut(
        id=row["id"], title=row["title"], excerpt=excerpt, tags=await note_tags(db, row["id"])
    )


@v2_app.get("/notes", response_model=NotePage)
async def list_notes_v2(
    cursor: str | None = None,
    limit: int = 10,
    db: aiosqlite.Connection = Depends(get_db),
):
    after = _decode_cursor(cursor) if cursor else 0
    async with db.execute(
        "SELECT id, title, body FROM notes WHERE id > ? ORDER BY id LIMIT ?",
        (after, limit + 1),
    ) as cur:
        rows = await cur.fetchall()
    page = rows[:limit]
    items = [await _note_out(db, row) for row in page]
    next_cursor = _encode_cursor(page[-1]["id"]) if len(rows) > limit else None
    return NotePage(items=items, next_cursor=next_cursor)


@v2_app.get("/notes/{note_id}", response_model=NoteOut)
async def get_note_v2(note_id: int, db: aiosqlite.Connection = Depends(get_db)):
    async with db.execute(
        "SELECT id, title, body FROM notes WHERE id = ?", (note_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="note not found")
    return await _note_out(db, row)
