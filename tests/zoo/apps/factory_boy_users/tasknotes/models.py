import secrets
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from .db import db


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


project_members = Table(
    "project_members",
    db.metadata,
    Column("project_id", ForeignKey("project.id"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True),
)


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    tokens: Mapped[List["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")
    owned_projects: Mapped[List["Project"]] = relationship(back_populates="owner")

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def to_dict(self):
        return {"id": self.id, "email": self.email, "name": self.name}


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    expires_at: Mapped[datetime]
    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user, hours):
        return cls(token=secrets.token_urlsafe(32), user=user, expires_at=utcnow() + timedelta(hours=hours))

    @property
    def expired(self):
        return self.expires_at <= utcnow()


class Project(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    owner: Mapped[User] = relationship(back_populates="owned_projects")
    members: Mapped[List[User]] = relationship(secondary=project_members)
    notes: Mapped[List["Note"]] = relationship(back_populates="project", cascade="all, delete-orphan", order_by="Note.id")

    def visible_to(self, user):
        return user.id == self.owner_id or user in self.members

    def to_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "owner": self.owner.email,
            "members": sorted(m.email for m in self.members),
            "notes": len(self.notes),
        }


class Note(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[Optional[datetime]] = mapped_column(default=None, onupdate=utcnow)
    project: Mapped[Project] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()

    def to_dict(self):
        return {
            "id": self.id,
            "project": self.project_id,
            "title": self.title,
            "body": self.body,
            "done": self.done,
            "author": self.author.email,
        }
