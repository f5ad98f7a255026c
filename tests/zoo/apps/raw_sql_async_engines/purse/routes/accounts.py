from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from purse import crud
from purse.auth import account

router = APIRouter(prefix="/api")


class Register(BaseModel):
    username: str = Field(min_length=3)
    password: str = Field(min_length=8)


class Login(BaseModel):
    username: str
    password: str


@router.post("/accounts", status_code=201)
async def register(body: Register):
    if await crud.setting("registration") != "open":
        raise HTTPException(403, "registration is closed")
    if await crud.account_by_username(body.username):
        raise HTTPException(400, "username taken")
    return await crud.create_account(body.username, body.password)


@router.post("/login")
async def login(body: Login):
    found = await crud.account_by_username(body.username)
    if found is None or not crud.check_password(body.password, found["password_hash"]):
        raise HTTPException(401, "wrong username or password")
    return {"id": found["id"], "username": found["username"]}


@router.get("/me")
async def me(who: dict = Depends(account)):
    return who
