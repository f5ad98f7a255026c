from django.urls import path
from rest_framework.routers import DefaultRouter

from orders.views import OrderViewSet, ReturnRequestListCreateView

router = DefaultRouter()
router.register("orders", OrderViewSet, basename="order")

urlpatterns = [
    path("returns/", ReturnRequestListCreateView.as_view(), name="return-list"),
] + router.urls
