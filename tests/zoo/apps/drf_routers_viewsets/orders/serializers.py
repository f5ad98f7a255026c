from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import serializers

from orders.models import Order, OrderItem, ReturnRequest
from shop.models import Product


class OrderItemSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="sku", queryset=Product.objects.all())

    class Meta:
        model = OrderItem
        fields = ["product", "quantity", "unit_price"]
        read_only_fields = ["unit_price"]


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True)
    total = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "status", "items", "total", "created_at"]
        read_only_fields = ["status", "created_at"]

    def validate_items(self, items):
        if not items:
            raise serializers.ValidationError("an order needs at least one item")
        for item in items:
            if item["product"].stock < item["quantity"]:
                raise serializers.ValidationError(f"not enough stock for {item['product'].sku}")
        return items

    @transaction.atomic
    def create(self, validated_data):
        items = validated_data.pop("items")
        order = Order.objects.create(**validated_data)
        for item in items:
            product = item["product"]
            OrderItem.objects.create(
                order=order, product=product, quantity=item["quantity"], unit_price=product.price
            )
            Product.objects.filter(pk=product.pk).update(stock=F("stock") - item["quantity"])
        return order

    def update(self, instance, validated_data):
        raise serializers.ValidationError("orders cannot be edited; cancel and order again")


class ReturnRequestSerializer(serializers.ModelSerializer):
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.all())

    class Meta:
        model = ReturnRequest
        fields = ["id", "order", "reason", "created_at"]
        read_only_fields = ["created_at"]

    def validate_order(self, order):
        request = self.context["request"]
        if order.user_id != request.user.pk:
            raise serializers.ValidationError("unknown order")
        if order.status != "paid":
            raise serializers.ValidationError("only paid orders can be returned")
        if order.created_at < timezone.now() - timedelta(days=settings.RETURN_WINDOW_DAYS):
            raise serializers.ValidationError("return window has closed")
        return order
