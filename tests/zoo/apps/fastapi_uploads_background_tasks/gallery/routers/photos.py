from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, HTTPException, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from gallery import storage
from gallery.db import get_db
from gallery.models import Photo
from gallery.tasks import checksum_photo

router = APIRouter(prefix="/photos", tags=["photos"])


def _photo(session, photo_id):
    photo = session.get(Photo, photo_id)
    if photo is None:
        raise HTTPException(status_code=404, detail="no such photo")
    return photo


@router.post("")
def upload(background_tasks: BackgroundTasks, album: str = Form(...), file: UploadFile = File(...),
           session: Session = Depends(get_db)):
    try:
        path = storage.save_upload(file, album, file.filename)
    except ValueError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    photo = Photo(album=album, name=file.filename, path=path, size=file.size or 0)
    session.add(photo)
    session.commit()
    background_tasks.add_task(checksum_photo, photo.id)
    return JSONResponse(photo.to_dict(), status_code=201)


@router.get("/{photo_id}")
def show(photo_id: int, session: Session = Depends(get_db)):
    return _photo(session, photo_id).to_dict()


@router.get("/{photo_id}/content")
def content(photo_id: int, session: Session = Depends(get_db)):
    photo = _photo(session, photo_id)
    return Response(storage.read(photo.path), media_type="application/octet-stream")


@router.delete("/{photo_id}")
def delete(photo_id: int, session: Session = Depends(get_db)):
    photo = _photo(session, photo_id)
    removed = storage.remove(photo.path)
    session.delete(photo)
    session.commit()
    return {"deleted": photo_id, "file_removed": removed}
