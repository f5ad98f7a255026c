import os
import tempfile
from collections.abc import Generator
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Session


def database_url() -> str:
    path = os.environ.get("PANTRY_DB") or str(Path(tempfile.gettempdir()) / "pantry.db")
    return f"sqlite:///{path}"


class Base(DeclarativeBase):
    pass


engine = create_engine(database_url(), connect_args={"check_same_thread": False})


def create_tables() -> None:
    from pantry import models  # noqa: F401  (the tables register on Base)

    Base.metadata.create_all(engine)


def get_session() -> Generator[Session, None, None]:
    with Session(engine) as session:
        yield session
