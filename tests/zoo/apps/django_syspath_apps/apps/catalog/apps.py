from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    label = "catalog"
    verbose_name = "Product catalog"
    default_auto_field = "django.db.models.BigAutoField"
