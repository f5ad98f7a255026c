from fastapi import APIRouter, HTTPException
from fastapi.responses import PlainTextResponse

router = APIRouter()

FILES = {"notes.txt": "top", "2024/q1/summary.md": "# Q1"}
OBJECTS = {("photos", "2023/summer/beach.jpg"): 2048, ("backups", "db/daily/monday.tar"): 4096}


@router.get("/files/{file_path:path}", response_class=PlainTextResponse)
def read_file(file_path: str):
    if file_path not in FILES:
        raise HTTPException(status_code=404, detail=f"no file {file_path}")
    return FILES[file_path]


@router.get("/buckets/{bucket}/objects/{key:path}")
def head_object(bucket: str, key: str):
    if (bucket, key) not in OBJECTS:
        raise HTTPException(status_code=404, detail="no such object")
    return {"bucket": bucket, "key": key, "size": OBJECTS[bucket, key], "depth": key.count("/") + 1}
