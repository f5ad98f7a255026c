from typing import Literal

from pydantic import BaseModel, Field


class CustomerIn(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = Field(min_length=1, max_length=120)


class CustomerRename(BaseModel):
    name: str = Field(min_length=1, max_length=120)


class Customer(BaseModel):
    id: int
    email: str
    name: str
    created_at: str


class ProductIn(BaseModel):
    sku: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=1)
    price_cents: int = Field(ge=0)
    stock: int = Field(default=0, ge=0)


class StockIn(BaseModel):
    stock: int = Field(ge=0)


class Product(BaseModel):
    id: int
    sku: str
    title: str
    price_cents: int
    stock: int
    active: bool


class OrderLineIn(BaseModel):
    product_id: int
    quantity: int = Field(gt=0)


class OrderIn(BaseModel):
    customer_id: int
    lines: list[OrderLineIn] = Field(min_length=1)


class OrderLine(BaseModel):
    product_id: int
    sku: str
    quantity: int
    unit_cents: int


class OrderSummary(BaseModel):
    id: int
    customer_id: int
    status: Literal["placed", "cancelled"]
    total_cents: int
    created_at: str


class Order(OrderSummary):
    lines: list[OrderLine]
