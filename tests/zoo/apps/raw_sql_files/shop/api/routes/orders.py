from typing import Annotated, Literal

from fastapi import APIRouter, Depends, status

from shop.api.dependencies import Pagination, get_repository
from shop.repositories.customers import CustomersRepository
from shop.repositories.orders import OrdersRepository
from shop.schemas import Order, OrderIn, OrderSummary

router = APIRouter(prefix="/orders", tags=["orders"])

OrdersRepo = Annotated[OrdersRepository, Depends(get_repository(OrdersRepository))]


@router.post("", response_model=Order, status_code=status.HTTP_201_CREATED)
async def place_order(
    body: OrderIn,
    orders: OrdersRepo,
    customers: Annotated[CustomersRepository, Depends(get_repository(CustomersRepository))],
):
    await customers.get_by_id(body.customer_id)
    return await orders.place(
        customer_id=body.customer_id,
        lines=[(line.product_id, line.quantity) for line in body.lines],
    )


@router.get("", response_model=list[OrderSummary])
async def list_orders(
    orders: OrdersRepo,
    page: Annotated[Pagination, Depends()],
    status: Literal["placed", "cancelled"] = "placed",
):
    return await orders.list_by_status(status, limit=page.limit, offset=page.offset)


@router.get("/{order_id}", response_model=Order)
async def get_order(order_id: int, orders: OrdersRepo):
    return await orders.get_by_id(order_id)


@router.post("/{order_id}/cancel", response_model=Order)
async def cancel_order(order_id: int, orders: OrdersRepo):
    return await orders.cancel(order_id)
