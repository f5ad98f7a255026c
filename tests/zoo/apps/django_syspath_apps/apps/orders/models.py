from decimal import Decimal

from django.db import models


class Cart(models.Model):
    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="cart")
    updated_at = models.DateTimeField(auto_now=True)

    def total(self):
        return sum((line.subtotal() for line in self.lines.select_related("product")), Decimal("0.00"))

    def as_dict(self):
        lines = self.lines.select_related("product").order_by("id")
        return {
            "lines": [line.as_dict() for line in lines],
            "total": str(self.total()),
        }


class CartLine(models.Model):
    cart = models.ForeignKey("shop_orders.Cart", on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        unique_together = [("cart", "product")]

    def subtotal(self):
        return self.product.price * self.quantity

    def as_dict(self):
        return {"product": self.product_id, "sku": self.product.sku, "quantity": self.quantity}


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed"
        CANCELLED = "cancelled"
        SHIPPED = "shipped"

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLACED)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def as_dict(self, with_lines=False):
        data = {"id": self.pk, "status": self.status, "total": str(self.total)}
        if with_lines:
            data["lines"] = [
                {"sku": line.product.sku, "quantity": line.quantity, "unit_price": str(line.unit_price)}
                for line in self.lines.select_related("product").order_by("id")
            ]
        return data


class OrderLine(models.Model):
    order = models.ForeignKey("shop_orders.Order", on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)
