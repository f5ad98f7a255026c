from typing import Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import func, select

from app import crud
from app.api.deps import CurrentUser, SessionDep
from app.models import Item
from app.schemas import ItemCreate, ItemPublic, ItemsPublic, ItemUpdate, Message

router = APIRouter(prefix="/items", tags=["items"])


@router.get("/", response_model=ItemsPublic)
def read_items(
    session: SessionDep, current_user: CurrentUser, skip: int = 0, limit: int = 100
) -> Any:
    query = select(Item)
    if not current_user.is_superuser:
        query = query.where(Item.owner_id == current_user.id)
    count = session.execute(
        select(func.count()).select_from(query.subquery())
    ).scalar_one()
    items = session.execute(
        query.order_by(Item.title).offset(skip).limit(limit)
    ).scalars().all()
    return ItemsPublic(data=[ItemPublic.model_validate(i) for i in items], count=count)


@router.get("/{id}", response_model=ItemPublic)
def read_item(session: SessionDep, current_user: CurrentUser, id: str) -> Any:
    item = session.get(Item, id)
    if not item:
        raise HTTPException(status_code=404, detail="Item not found")
    if not current_user.is_superuser and item.owner_id != current_user.id:
        raise HTTPException(status_code=400, detail="Not enough permissions")
    return item


@router.post("/", response_model=ItemPublic)
def create_item(session: SessionDep, current_user: CurrentUser, item_in: ItemCreate) -> Any:
    return crud.create_item(session=session, item_in=item_in, owner_id=current_user.id)


@router.put("/{id}", response_model=ItemPublic)
def update_item(
    session: SessionDep, current_user: CurrentUser, id: str, item_in: ItemUpdate
) -> Any:
    item = session.get(Item, id)
    if not item:
        raise HTTPException(status_code=404, detail="Item not found")
    if not current_user.is_superuser and item.owner_id != current_user.id:
        raise HTTPException(status_code=400, detail="Not enough permissions")
    for field, value in item_in.model_dump(exclude_unset=True).items():
        setattr(item, field, value)
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.delete("/{id}")
def delete_item(session: SessionDep, current_user: CurrentUser, id: str) -> Message:
    item = session.get(Item, id)
    if not item:
        raise HTTPException(status_code=404, detail="Item not found")
    if not current_user.is_superuser and item.owner_id != current_user.id:
        raise HTTPException(status_code=400, detail="Not enough permissions")
    session.delete(item)
    session.commit()
    return Message(message="Item deleted successfully")
