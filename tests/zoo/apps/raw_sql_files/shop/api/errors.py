from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shop.repositories.errors import (
    EntityAlreadyExists,
    EntityDoesNotExist,
    InvalidTransition,
    OutOfStock,
)


def register_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EntityDoesNotExist)
    async def not_found(_: Request, exc: EntityDoesNotExist) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.exception_handler(EntityAlreadyExists)
    async def conflict(_: Request, exc: EntityAlreadyExists) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    @app.exception_handler(OutOfStock)
    async def out_of_stock(_: Request, exc: OutOfStock) -> JSONResponse:
        return JSONResponse(
            status_code=409,
            content={"detail": str(exc), "product_id": exc.product_id},
        )

    @app.exception_handler(InvalidTransition)
    async def invalid_transition(_: Request, exc: InvalidTransition) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc)})
