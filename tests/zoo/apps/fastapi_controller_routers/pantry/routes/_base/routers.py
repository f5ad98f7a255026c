from fastapi import APIRouter, Depends

from pantry.security import admin_only


class AdminRouter(APIRouter):
    """A router whose every route needs the admin token."""

    def __init__(self, prefix: str = "", **kwargs):
        super().__init__(prefix=prefix, dependencies=[Depends(admin_only)], **kwargs)
