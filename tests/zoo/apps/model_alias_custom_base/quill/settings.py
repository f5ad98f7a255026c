"""Application settings, read from the environment.

Loaded with ``app.config.from_object("quill.settings")``; tests override keys through
``create_app(test_config={...})``.
"""
import os

SECRET_KEY = os.environ.get("QUILL_SECRET_KEY", "not-so-secret")
SQLALCHEMY_DATABASE_URI = os.environ.get("QUILL_DATABASE_URL", "sqlite:///quill.db")
SQLALCHEMY_TRACK_MODIFICATIONS = False
ARTICLES_PER_PAGE = int(os.environ.get("QUILL_ARTICLES_PER_PAGE", "10"))
MAX_TAGS_PER_ARTICLE = 5
