import hashlib
import hmac

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from kitchen import settings

router = APIRouter(prefix="/users", tags=["users"])


class Signup(BaseModel):
    name: str


def badge(name):
    return hmac.new(settings.SECRET_KEY.encode(), name.encode(), hashlib.sha256).hexdigest()[:12]


@router.post("/signup", status_code=201)
def signup(body: Signup):
    if not settings.ALLOW_SIGNUP:
        raise HTTPException(status_code=403, detail="signup is closed")
    return {"name": body.name, "badge": badge(body.name)}


@router.get("/{name}/badge")
def show_badge(name: str):
    return {"name": name, "badge": badge(name)}
