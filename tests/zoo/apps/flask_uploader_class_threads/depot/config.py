"""Defaults; DEPOT_* environment variables override them, then the mapping given to create_app."""
import os
import tempfile


class Config:
    SECRET_KEY = "dev-only"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    UPLOAD_FOLDER = os.path.join(tempfile.gettempdir(), "depot-uploads")
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024


def env_settings():
    return {key[len("DEPOT_"):]: value for key, value in os.environ.items() if key.startswith("DEPOT_")}
