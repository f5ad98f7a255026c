"""Extension instances, bound to the app in ``quill.app.register_extensions``."""
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
