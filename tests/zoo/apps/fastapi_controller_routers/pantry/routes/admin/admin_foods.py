from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from pantry.models import Food
from pantry.routes._base import controller
from pantry.routes._base.base import AdminController
from pantry.schemas import Named, NamedOut

router = APIRouter(prefix="/foods")


@controller(router)
class AdminFoodsController(AdminController):
    @router.get("", response_model=list[NamedOut])
    def get_all(self):
        return list(self.session.scalars(select(Food).order_by(Food.name)))

    @router.post("", response_model=NamedOut, status_code=201)
    def create_one(self, data: Named):
        if self.session.scalar(select(Food).where(Food.name == data.name)) is not None:
            raise HTTPException(status_code=409, detail="food exists")
        food = Food(name=data.name)
        self.session.add(food)
        self.session.commit()
        return food
