from fastapi import Depends
from sqlalchemy.orm import Session

from pantry.db import get_session
from pantry.security import household_of


class BaseController:
    """What every controller's handler gets on `self`: built per request by FastAPI's dependencies."""

    def __init__(self, session: Session = Depends(get_session), household: str = Depends(household_of)):
        self.session = session
        self.household = household


class AdminController:
    def __init__(self, session: Session = Depends(get_session)):
        self.session = session
