from fastapi import Header, HTTPException

from purse import crud


async def account(x_api_key: str = Header(default="")) -> dict:
    found = await crud.account_by_key(x_api_key) if x_api_key else None
    if found is None:
        raise HTTPException(401, "invalid api key")
    return found
