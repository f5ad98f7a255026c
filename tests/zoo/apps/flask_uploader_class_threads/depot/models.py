from datetime import datetime, timezone

from depot.extensions import db


class Document(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    folder = db.Column(db.String(80), nullable=False)
    name = db.Column(db.String(200), nullable=False)
    location = db.Column(db.String(300), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    fingerprint = db.Column(db.String(64))
    created = db.Column(db.DateTime, default=lambda: datetime.now(timezone.utc))

    def to_dict(self):
        return {"id": self.id, "folder": self.folder, "name": self.name, "location": self.location, "size": self.size}
