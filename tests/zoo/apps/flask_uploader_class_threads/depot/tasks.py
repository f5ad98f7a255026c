"""Work done after the answer, on a thread (the flasky/healthchecks shape): the app and an id travel."""
import hashlib
import threading

from depot.extensions import db
from depot.models import Document
from depot.uploads import get_uploader


def fingerprint(app, document_id):
    with app.app_context():
        document = db.session.get(Document, document_id)
        if document is None:
            return
        try:
            with get_uploader().open(document.location) as handle:
                document.fingerprint = hashlib.sha256(handle.read()).hexdigest()
        except FileNotFoundError:  # deleted before the job ran
            return
        db.session.commit()


def fingerprint_later(app, document_id):
    worker = threading.Thread(target=fingerprint, args=(app, document_id), daemon=True)
    worker.start()
    return worker
