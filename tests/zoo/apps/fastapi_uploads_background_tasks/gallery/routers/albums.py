from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from gallery.db import get_db
from gallery.models import Album

router = APIRouter(prefix="/albums", tags=["albums"])


class AlbumIn(BaseModel):
    title: str


@router.post("", status_code=201)
def create(album: AlbumIn, session: Session = Depends(get_db)):
    made = Album(title=album.title)
    session.add(made)
    session.commit()
    return made.to_dict()


@router.get("")
def listing(session: Session = Depends(get_db)):
    return [a.to_dict() for a in session.scalars(select(Album).order_by(Album.id))]


@router.get("/{album_id}")
def show(album_id: int, session: Session = Depends(get_db)):
    album = session.get(Album, album_id)
    if album is None:
        raise HTTPException(status_code=404, detail="no such album")
    return album.to_dict()
