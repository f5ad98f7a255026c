"""All ORM models; importing this package registers every table with `db`."""
from sample_monolith.models.commerce import (
    CartItem,
    Category,
    Order,
    OrderItem,
    Payment,
    Product,
    ProductTag,
    Refund,
    StockLevel,
    StockMovement,
)
from sample_monolith.models.media import Photo, PhotoLabel
from sample_monolith.models.notification import Notification, OutboxMessage
from sample_monolith.models.user import AuthToken, Follow, User

__all__ = [
    "AuthToken",
    "CartItem",
    "Category",
    "Follow",
    "Notification",
    "Order",
    "OrderItem",
    "OutboxMessage",
    "Payment",
    "Photo",
    "PhotoLabel",
    "Product",
    "ProductTag",
    "Refund",
    "StockLevel",
    "StockMovement",
    "User",
]
