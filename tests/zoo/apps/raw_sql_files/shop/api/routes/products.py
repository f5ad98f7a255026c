from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from shop.api.dependencies import Pagination, get_repository
from shop.repositories.products import ProductsRepository
from shop.schemas import Product, ProductIn, StockIn

router = APIRouter(prefix="/products", tags=["products"])

ProductsRepo = Annotated[ProductsRepository, Depends(get_repository(ProductsRepository))]


@router.post("", response_model=Product, status_code=status.HTTP_201_CREATED)
async def create_product(body: ProductIn, products: ProductsRepo):
    return await products.create(**body.model_dump())


@router.get("", response_model=list[Product])
async def list_products(products: ProductsRepo, page: Annotated[Pagination, Depends()]):
    return await products.list_active(limit=page.limit, offset=page.offset)


@router.get("/{product_id}", response_model=Product)
async def get_product(product_id: int, products: ProductsRepo):
    return await products.get_by_id(product_id)


@router.put("/{product_id}/stock", response_model=Product)
async def set_stock(product_id: int, body: StockIn, products: ProductsRepo):
    return await products.set_stock(product_id, body.stock)


@router.delete("/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
async def deactivate_product(product_id: int, products: ProductsRepo) -> Response:
    await products.deactivate(product_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
