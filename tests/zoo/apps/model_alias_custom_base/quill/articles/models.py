from ..database import Column, Model, PkModel, TimestampMixin, backref, db, reference_col, relationship

article_tags = db.Table(
    "article_tags",
    Model.metadata,
    Column("article_id", db.ForeignKey("articles.id"), primary_key=True),
    Column("tag_id", db.ForeignKey("tags.id"), primary_key=True),
)


class Tag(PkModel):
    __tablename__ = "tags"

    name = Column(db.String(40), unique=True, nullable=False)

    @classmethod
    def get_or_create(cls, name):
        name = name.strip().lower()
        return cls.query.filter_by(name=name).first() or cls.create(name=name)


class Article(TimestampMixin, PkModel):
    __tablename__ = "articles"

    slug = Column(db.String(200), unique=True, nullable=False)
    title = Column(db.String(200), nullable=False)
    body = Column(db.Text, nullable=False)
    author_id = reference_col("users")
    author = relationship("User", backref=backref("articles", lazy="dynamic", order_by="Article.id"))
    tags = relationship("Tag", secondary=article_tags, backref=backref("articles", lazy="dynamic"))

    def to_dict(self, with_body=True):
        data = {
            "slug": self.slug,
            "title": self.title,
            "author": self.author.username,
            "tags": sorted(tag.name for tag in self.tags),
            # comments is a backref declared in quill.comments.models
            "comments": self.comments.count(),
        }
        if with_body:
            data["body"] = self.body
        return data
