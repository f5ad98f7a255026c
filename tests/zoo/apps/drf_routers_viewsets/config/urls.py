from django.urls import include, path

urlpatterns = [
    path("api/accounts/", include("accounts.urls")),
    path("api/shop/", include("shop.urls")),
    path("api/sales/", include("orders.urls")),
]
