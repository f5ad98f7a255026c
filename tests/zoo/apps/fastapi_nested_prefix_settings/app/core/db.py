from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app import crud
from app.core.config import settings
from app.models import Base, User
from app.schemas import UserCreate

engine = create_engine(
    settings.SQLALCHEMY_DATABASE_URI, connect_args={"check_same_thread": False}
)


def init_db(session: Session) -> None:
    """Create the tables and the first superuser when they are missing."""
    Base.metadata.create_all(engine)

    user = session.execute(
        select(User).where(User.email == settings.FIRST_SUPERUSER)
    ).scalar_one_or_none()
    if not user:
        user_in = UserCreate(
            email=settings.FIRST_SUPERUSER,
            password=settings.FIRST_SUPERUSER_PASSWORD,
            is_superuser=True,
        )
        crud.create_user(session=session, user_create=user_in)
