from django.db import transaction
from django.db.models import F

from catalog.models import Product
from orders.models import Cart, Order, OrderLine


class CheckoutError(Exception):
    pass


@transaction.atomic
def place_order(user):
    cart = Cart.objects.filter(user=user).first()
    lines = list(cart.lines.select_related("product")) if cart else []
    if not lines:
        raise CheckoutError("cart is empty")
    for line in lines:
        if line.product.stock < line.quantity:
            raise CheckoutError(f"not enough stock for {line.product.sku}")
    order = Order.objects.create(user=user, total=cart.total())
    for line in lines:
        OrderLine.objects.create(
            order=order, product=line.product, quantity=line.quantity, unit_price=line.product.price
        )
        Product.objects.filter(pk=line.product_id).update(stock=F("stock") - line.quantity)
    cart.lines.all().delete()
    return order


@transaction.atomic
def cancel_order(order):
    if order.status != Order.Status.PLACED:
        raise CheckoutError(f"cannot cancel an order that is {order.status}")
    for line in order.lines.all():
        Product.objects.filter(pk=line.product_id).update(stock=F("stock") + line.quantity)
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status"])
    return order
