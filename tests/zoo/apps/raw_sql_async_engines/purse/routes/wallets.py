from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from purse import crud
from purse.auth import account

router = APIRouter(prefix="/api/wallets")


class NewWallet(BaseModel):
    name: str = Field(min_length=1)


class Payment(BaseModel):
    amount: int = Field(gt=0)
    memo: str = ""


@router.get("")
async def wallets(who: dict = Depends(account)):
    return await crud.wallets_of(who["id"])


@router.post("", status_code=201)
async def new_wallet(body: NewWallet, who: dict = Depends(account)):
    return await crud.create_wallet(who["id"], body.name)


@router.post("/{wallet_id}/payments", status_code=201)
async def pay(wallet_id: str, body: Payment, who: dict = Depends(account)):
    wallet = await crud.wallet_of(who["id"], wallet_id)
    if wallet is None:
        raise HTTPException(404, "no such wallet")
    if wallet["balance"] < body.amount:
        raise HTTPException(402, "insufficient balance")
    await crud.pay(wallet_id, body.amount, body.memo)
    return {"paid": body.amount, "balance": wallet["balance"] - body.amount}


@router.get("/{wallet_id}/payments")
async def payments(wallet_id: str, who: dict = Depends(account)):
    if await crud.wallet_of(who["id"], wallet_id) is None:
        raise HTTPException(404, "no such wallet")
    return await crud.payments_of(wallet_id)
