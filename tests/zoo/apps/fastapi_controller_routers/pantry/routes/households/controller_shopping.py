from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from pantry.models import ShoppingItem, ShoppingList
from pantry.routes._base import BaseController, controller
from pantry.schemas import ItemIn, ItemOut, Named, NamedOut

router = APIRouter(prefix="/households/shopping/lists", tags=["Households: Shopping Lists"])
item_router = APIRouter(prefix="/households/shopping/items", tags=["Households: Shopping List Items"])


def _own_list(controller: BaseController, list_id: int) -> ShoppingList:
    found = controller.session.get(ShoppingList, list_id)
    if found is None or found.household != controller.household:
        raise HTTPException(status_code=404, detail="no such list")
    return found


@controller(router)
class ShoppingListController(BaseController):
    @router.get("", response_model=list[NamedOut])
    def get_all(self):
        return list(self.session.scalars(select(ShoppingList).where(ShoppingList.household == self.household)))

    @router.post("", response_model=NamedOut, status_code=201)
    def create_one(self, data: Named):
        found = ShoppingList(household=self.household, name=data.name)
        self.session.add(found)
        self.session.commit()
        return found

    @router.get("/{list_id}/items", response_model=list[ItemOut])
    def items_of(self, list_id: int):
        _own_list(self, list_id)
        return list(self.session.scalars(select(ShoppingItem).where(ShoppingItem.list_id == list_id)))


@controller(item_router)
class ShoppingItemController(BaseController):
    @item_router.post("/{list_id}", response_model=ItemOut, status_code=201)
    def add_item(self, list_id: int, data: ItemIn):
        _own_list(self, list_id)
        item = ShoppingItem(list_id=list_id, note=data.note)
        self.session.add(item)
        self.session.commit()
        return item

    @item_router.put("/{item_id}/check", response_model=ItemOut)
    def check_item(self, item_id: int):
        item = self.session.get(ShoppingItem, item_id)
        if item is None:
            raise HTTPException(status_code=404, detail="no such item")
        _own_list(self, item.list_id)
        item.checked = True
        self.session.commit()
        return item
