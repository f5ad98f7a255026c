"""Where uploaded files live: a folder on disk, behind an uploader class (CTFd's shape)."""
import os
import posixpath
from pathlib import Path
from shutil import copyfileobj, rmtree

from flask import current_app, send_file
from werkzeug.utils import safe_join, secure_filename


class FilesystemUploader:
    def __init__(self, base_path=None):
        self.base_path = base_path or current_app.config.get("UPLOAD_FOLDER")

    def store(self, fileobj, filename):
        location = os.path.join(self.base_path, filename)
        directory = os.path.dirname(location)
        if not os.path.exists(directory):
            os.makedirs(directory)
        with open(location, "wb") as dst:
            copyfileobj(fileobj, dst, 16384)
        return filename

    def upload(self, file_obj, filename, folder):
        filename = secure_filename(filename)
        if not filename:
            raise ValueError("empty file name")
        return self.store(file_obj, posixpath.join(secure_filename(folder), filename))

    def download(self, filename):
        return send_file(safe_join(self.base_path, filename), as_attachment=True)

    def delete(self, filename):
        if os.path.exists(os.path.join(self.base_path, filename)):
            rmtree(os.path.join(self.base_path, Path(filename).parts[0]))
            return True
        return False

    def open(self, filename, mode="rb"):
        path = Path(safe_join(self.base_path, filename))
        return path.open(mode=mode)


def get_uploader():
    return FilesystemUploader()
