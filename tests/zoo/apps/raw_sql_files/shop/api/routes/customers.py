from typing import Annotated

from fastapi import APIRouter, Depends, status

from shop.api.dependencies import Pagination, get_repository
from shop.repositories.customers import CustomersRepository
from shop.repositories.orders import OrdersRepository
from shop.schemas import Customer, CustomerIn, CustomerRename, OrderSummary

router = APIRouter(prefix="/customers", tags=["customers"])

CustomersRepo = Annotated[CustomersRepository, Depends(get_repository(CustomersRepository))]


@router.post("", response_model=Customer, status_code=status.HTTP_201_CREATED)
async def create_customer(body: CustomerIn, customers: CustomersRepo):
    return await customers.create(email=body.email, name=body.name)


@router.get("", response_model=list[Customer])
async def list_customers(customers: CustomersRepo, page: Annotated[Pagination, Depends()]):
    return await customers.list(limit=page.limit, offset=page.offset)


@router.get("/{customer_id}", response_model=Customer)
async def get_customer(customer_id: int, customers: CustomersRepo):
    return await customers.get_by_id(customer_id)


@router.patch("/{customer_id}", response_model=Customer)
async def rename_customer(customer_id: int, body: CustomerRename, customers: CustomersRepo):
    return await customers.rename(customer_id, name=body.name)


@router.get("/{customer_id}/orders", response_model=list[OrderSummary])
async def list_customer_orders(
    customer_id: int,
    customers: CustomersRepo,
    orders: Annotated[OrdersRepository, Depends(get_repository(OrdersRepository))],
):
    await customers.get_by_id(customer_id)
    return await orders.list_for_customer(customer_id)
