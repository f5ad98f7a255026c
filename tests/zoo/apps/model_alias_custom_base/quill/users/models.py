from ..database import Column, PkModel, TimestampMixin, db


class User(TimestampMixin, PkModel):
    __tablename__ = "users"

    username = Column(db.String(80), unique=True, nullable=False)
    email = Column(db.String(120), unique=True, nullable=False)
    bio = Column(db.Text, default="")

    # ``articles`` and ``comments`` are backrefs declared in
    # quill.articles.models and quill.comments.models.

    def to_dict(self):
        return {"username": self.username, "bio": self.bio or ""}

    def __repr__(self):
        return f"<User {self.username!r}>"
