class EntityDoesNotExist(Exception):
    """Raised when a row looked up by id is missing."""


class EntityAlreadyExists(Exception):
    """Raised when a unique column would be duplicated."""


class OutOfStock(Exception):
    def __init__(self, product_id: int) -> None:
        super().__init__(f"product {product_id} is out of stock")
        self.product_id = product_id


class InvalidTransition(Exception):
    """Raised when an order cannot move to the requested status."""
