from pathlib import Path

import aiosqlite
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from journal.audit import AuditTrail
from journal.db import note_tags

router = APIRouter(prefix="/notes", tags=["notes"])

# read from the working folder, as the app is started from the project folder
RESERVED_TAGS = set(Path("journal", "data", "reserved_tags.txt").read_text().split())


class NoteIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = ""


class TagsIn(BaseModel):
    tags: list[str] = Field(min_length=1)


def get_db(request: Request) -> aiosqlite.Connection:
    return request.app.state.db


def get_audit(request: Request) -> AuditTrail:
    return request.app.state.audit


async def load_note(conn: aiosqlite.Connection, note_id: int) -> dict:
    async with conn.execute(
        "SELECT id, title, body, updated_at FROM notes WHERE id = ?", (note_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="note not found")
    return {**dict(row), "tags": await note_tags(conn, note_id)}


@router.post("", status_code=201)
async def create_note(
    note: NoteIn,
    db: aiosqlite.Connection = Depends(get_db),
    audit: AuditTrail = Depends(get_audit),
):
    cur = await db.execute(
        "INSERT INTO notes (title, body) VALUES (?, ?)", (note.title, note.body)
    )
    await db.commit()
    audit.record("note.created", f"note:{cur.lastrowid}")
    return await load_note(db, cur.lastrowid)


@router.get("")
async def list_notes(tag: str | None = None, db: aiosqlite.Connection = Depends(get_db)):
    if tag is None:
        sql, params = "SELECT id FROM notes ORDER BY id", ()
    else:
        sql = (
            "SELECT n.id FROM notes n JOIN note_tags nt ON nt.note_id = n.id "
            "JOIN tags t ON t.id = nt.tag_id WHERE t.name = ? ORDER BY n.id"
        )
        params = (tag,)
    async with db.execute(sql, params) as cur:
        ids = [row["id"] for row in await cur.fetchall()]
    return [await load_note(db, note_id) for note_id in ids]


@router.get("/{note_id}")
async def get_note(note_id: int, db: aiosqlite.Connection = Depends(get_db)):
    return await load_note(db, note_id)


@router.put("/{note_id}")
async def update_note(
    note_id: int,
    note: NoteIn,
    db: aiosqlite.Connection = Depends(get_db),
    audit: AuditTrail = Depends(get_audit),
):
    await load_note(db, note_id)
    await db.execute(
        "UPDATE notes SET title = ?, body = ?, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
        (note.title, note.body, note_id),
    )
    await db.commit()
    audit.record("note.updated", f"note:{note_id}")
    return await load_note(db, note_id)


@router.delete("/{note_id}", status_code=204)
async def delete_note(
    note_id: int,
    db: aiosqlite.Connection = Depends(get_db),
    audit: AuditTrail = Depends(get_audit),
):
    await load_note(db, note_id)
    await db.execute("DELETE FROM notes WHERE id = ?", (note_id,))
    await db.commit()
    audit.record("note.deleted", f"note:{note_id}")
    return Response(status_code=204)


@router.post("/{note_id}/tags")
async def tag_note(
    note_id: int,
    body: TagsIn,
    db: aiosqlite.Connection = Depends(get_db),
    audit: AuditTrail = Depends(get_audit),
):
    await load_note(db, note_id)
    reserved = sorted(RESERVED_TAGS.intersection(body.tags))
    if reserved:
        raise HTTPException(status_code=422, detail=f"reserved tag: {reserved[0]}")
    for name in body.tags:
        await db.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (name,))
        await db.execute(
            "INSERT OR IGNORE INTO note_tags (note_id, tag_id) "
            "SELECT ?, id FROM tags WHERE name = ?",
            (note_id, name),
        )
    await db.commit()
    audit.record("note.tagged", f"note:{note_id}")
    return await load_note(db, note_id)
