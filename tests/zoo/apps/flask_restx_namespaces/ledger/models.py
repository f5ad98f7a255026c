from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Account(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False, unique=True)

    def to_dict(self):
        return {"id": self.id, "name": self.name}


class Entry(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    account = db.Column(db.String(80), nullable=False)
    cents = db.Column(db.Integer, nullable=False)
    memo = db.Column(db.String(200), default="")

    def to_dict(self):
        return {"id": self.id, "account": self.account, "cents": self.cents, "memo": self.memo}


class CachedAnswer(db.Model):
    """Answers kept in the database, so every process sees the same ones (ledger.cache)."""
    key = db.Column(db.String(120), primary_key=True)
    body = db.Column(db.Text, nullable=False)
