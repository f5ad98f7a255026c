from django.db.models import F
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shop.models import Category, Product
from shop.permissions import IsStaffOrReadOnly
from shop.serializers import CategorySerializer, ProductSerializer, RestockSerializer


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    lookup_field = "slug"


class ProductViewSet(viewsets.ModelViewSet):
    serializer_class = ProductSerializer
    permission_classes = [IsStaffOrReadOnly]

    def get_queryset(self):
        queryset = Product.objects.select_related("category")
        category = self.request.query_params.get("category")
        if category:
            queryset = queryset.filter(category__slug=category)
        if self.request.query_params.get("in_stock") == "1":
            queryset = queryset.filter(stock__gt=0)
        return queryset

    @action(detail=True, methods=["post"])
    def restock(self, request, pk=None):
        product = self.get_object()
        serializer = RestockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        Product.objects.filter(pk=product.pk).update(stock=F("stock") + serializer.validated_data["quantity"])
        product.refresh_from_db()
        return Response(ProductSerializer(product).data, status=status.HTTP_200_OK)
