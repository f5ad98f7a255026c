from django.apps import AppConfig


class OrdersConfig(AppConfig):
    # "orders" clashes with a third-party app in production, hence the label.
    name = "orders"
    label = "shop_orders"
    verbose_name = "Orders"
    default_auto_field = "django.db.models.BigAutoField"
