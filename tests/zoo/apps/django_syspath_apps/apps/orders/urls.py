from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="order-list"),
    path("cart/", views.CartView.as_view(), name="cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("<int:order_id>/", views.order_detail, name="order-detail"),
    path("<int:order_id>/cancel/", views.order_cancel, name="order-cancel"),
]
