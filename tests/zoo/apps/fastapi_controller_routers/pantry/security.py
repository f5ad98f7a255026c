from fastapi import Header, HTTPException


def household_of(x_household: str | None = Header(default=None)) -> str:
    """Every user request names its household (a stand-in for a logged-in user's)."""
    if not x_household:
        raise HTTPException(status_code=401, detail="no household")
    return x_household


def admin_only(x_admin_token: str | None = Header(default=None)) -> None:
    if x_admin_token != "let-me-in":
        raise HTTPException(status_code=403, detail="admins only")
