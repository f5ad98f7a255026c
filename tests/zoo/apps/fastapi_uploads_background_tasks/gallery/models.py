from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gallery.db import Base


class Album(Base):
    __tablename__ = "albums"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(80), unique=True)

    def to_dict(self):
        return {"id": self.id, "title": self.title}


class Photo(Base):
    __tablename__ = "photos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    album: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)

    def to_dict(self):
        return {"id": self.id, "album": self.album, "name": self.name, "size": self.size}
