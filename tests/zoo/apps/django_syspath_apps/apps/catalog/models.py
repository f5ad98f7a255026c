from decimal import Decimal

from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def as_dict(self):
        return {"id": self.pk, "name": self.name, "slug": self.slug}


class ProductQuerySet(models.QuerySet):
    def available(self):
        return self.filter(is_active=True, stock__gt=0)


class Product(models.Model):
    category = models.ForeignKey("catalog.Category", on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=120)
    sku = models.CharField(max_length=32, unique=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    stock = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def as_dict(self):
        return {
            "id": self.pk,
            "name": self.name,
            "sku": self.sku,
            "price": str(self.price.quantize(Decimal("0.01"))),
            "stock": self.stock,
            "category": self.category.slug,
        }
