from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from pantry.models import Cookbook
from pantry.routes._base import BaseController, controller
from pantry.schemas import Named, NamedOut

router = APIRouter(prefix="/households/cookbooks", tags=["Households: Cookbooks"])


@controller(router)
class CookbookController(BaseController):
    def _get(self, item_id: int) -> Cookbook:
        book = self.session.get(Cookbook, item_id)
        if book is None or book.household != self.household:
            raise HTTPException(status_code=404, detail="no such cookbook")
        return book

    @router.get("", response_model=list[NamedOut])
    def get_all(self):
        rows = self.session.scalars(select(Cookbook).where(Cookbook.household == self.household).order_by(Cookbook.id))
        return list(rows)

    @router.post("", response_model=NamedOut, status_code=201)
    def create_one(self, data: Named):
        book = Cookbook(household=self.household, name=data.name)
        self.session.add(book)
        self.session.commit()
        return book

    @router.get("/{item_id}", response_model=NamedOut)
    def get_one(self, item_id: int):
        return self._get(item_id)

    @router.delete("/{item_id}", status_code=204)
    def delete_one(self, item_id: int):
        self.session.delete(self._get(item_id))
        self.session.commit()
