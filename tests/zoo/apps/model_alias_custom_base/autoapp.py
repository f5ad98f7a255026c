"""Create an application instance (``FLASK_APP=autoapp.py flask run``)."""
from quill.app import create_app

app = create_app()
