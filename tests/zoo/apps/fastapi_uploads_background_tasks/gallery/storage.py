"""Photos on disk, under the media folder: one folder per album."""
import os
import shutil
import tempfile

MEDIA_DIR = os.environ.get("GALLERY_MEDIA") or os.path.join(tempfile.gettempdir(), "gallery-media")


def save_upload(upload, album, name):
    if "/" in name or name.startswith("."):
        raise ValueError("a plain file name is required")
    folder = os.path.join(MEDIA_DIR, album)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as out:
        shutil.copyfileobj(upload.file, out)
    return path


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def remove(path):
    if os.path.exists(path):
        os.remove(path)
        return True
    return False
