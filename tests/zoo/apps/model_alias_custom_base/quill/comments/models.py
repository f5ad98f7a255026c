from ..database import Column, PkModel, TimestampMixin, backref, db, reference_col, relationship


class Comment(TimestampMixin, PkModel):
    __tablename__ = "comments"

    body = Column(db.Text, nullable=False)
    article_id = reference_col("articles", ondelete="CASCADE")
    author_id = reference_col("users")
    article = relationship(
        "Article", backref=backref("comments", lazy="dynamic", cascade="all, delete-orphan")
    )
    author = relationship("User", backref=backref("comments", lazy="dynamic"))

    def to_dict(self):
        return {"id": self.id, "body": self.body, "author": self.author.username}
