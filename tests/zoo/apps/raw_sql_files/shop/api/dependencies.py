from collections.abc import Callable
from typing import Annotated, TypeVar

import aiosqlite
from fastapi import Depends, Query, Request

from shop.config import Settings, get_settings
from shop.repositories.base import BaseRepository

Repo = TypeVar("Repo", bound=BaseRepository)


def get_connection(request: Request) -> aiosqlite.Connection:
    """The connection opened in the lifespan and kept on app.state."""
    return request.app.state.db


def get_repository(repo_type: type[Repo]) -> Callable[[aiosqlite.Connection], Repo]:
    def _get_repo(conn: aiosqlite.Connection = Depends(get_connection)) -> Repo:
        return repo_type(conn)

    return _get_repo


class Pagination:
    def __init__(
        self,
        settings: Annotated[Settings, Depends(get_settings)],
        limit: Annotated[int | None, Query(ge=1)] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> None:
        self.limit = min(limit or settings.default_page_size, settings.max_page_size)
        self.offset = offset
