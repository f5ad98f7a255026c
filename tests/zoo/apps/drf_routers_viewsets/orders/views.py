from django.db import transaction
from django.db.models import F
from rest_framework import generics, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orders.models import Order, ReturnRequest
from orders.serializers import OrderSerializer, ReturnRequestSerializer
from shop.models import Product


class OrderViewSet(viewsets.ModelViewSet):
    serializer_class = OrderSerializer
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        return Order.objects.filter(user=self.request.user).prefetch_related("items__product")

    def perform_create(self, serializer):
        serializer.save(user=self.request.user)

    def destroy(self, request, *args, **kwargs):
        order = self.get_object()
        if order.status != "cancelled":
            return Response({"detail": "only cancelled orders can be deleted"}, status=status.HTTP_409_CONFLICT)
        return super().destroy(request, *args, **kwargs)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        if order.status != "open":
            return Response({"detail": f"order is {order.status}"}, status=status.HTTP_409_CONFLICT)
        with transaction.atomic():
            for item in order.items.all():
                Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity)
            order.status = "cancelled"
            order.save(update_fields=["status"])
        return Response(self.get_serializer(order).data)


class ReturnRequestListCreateView(generics.ListCreateAPIView):
    serializer_class = ReturnRequestSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return ReturnRequest.objects.filter(order__user=self.request.user)
