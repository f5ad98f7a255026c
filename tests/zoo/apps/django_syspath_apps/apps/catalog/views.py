from decimal import Decimal, InvalidOperation

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.utils import json_error, read_json
from catalog.models import Category, Product


@require_http_methods(["GET"])
def category_list(request):
    return JsonResponse({"results": [c.as_dict() for c in Category.objects.all()]})


def _parse_price(value):
    try:
        price = Decimal(str(value))
    except (InvalidOperation, TypeError):
        return None
    return price if price >= 0 else None


@method_decorator(csrf_exempt, name="dispatch")
class ProductListView(View):
    http_method_names = ["get", "post"]

    def get(self, request):
        products = Product.objects.available().select_related("category")
        category = request.GET.get("category")
        if category:
            products = products.filter(category__slug=category)
        return JsonResponse({"results": [p.as_dict() for p in products]})

    def post(self, request):
        if not request.user.is_staff:
            return json_error("staff only", status=403)
        data = read_json(request) or {}
        category = Category.objects.filter(slug=data.get("category")).first()
        price = _parse_price(data.get("price"))
        if category is None or price is None or not data.get("name") or not data.get("sku"):
            return json_error("name, sku, price and an existing category are required")
        product = Product.objects.create(
            category=category,
            name=data["name"],
            sku=data["sku"],
            price=price,
            stock=int(data.get("stock", 0)),
            created_by=request.user,
        )
        return JsonResponse(product.as_dict(), status=201)


class ProductDetailView(View):
    http_method_names = ["get", "patch", "delete"]

    def get(self, request, pk):
        product = get_object_or_404(Product.objects.select_related("category"), pk=pk, is_active=True)
        return JsonResponse(product.as_dict())

    def patch(self, request, pk):
        if not request.user.is_staff:
            return json_error("staff only", status=403)
        product = get_object_or_404(Product, pk=pk)
        data = read_json(request) or {}
        if "price" in data:
            price = _parse_price(data["price"])
            if price is None:
                return json_error("invalid price")
            product.price = price
        if "stock" in data:
            product.stock = int(data["stock"])
        if "name" in data:
            product.name = data["name"]
        product.save()
        return JsonResponse(product.as_dict())

    def delete(self, request, pk):
        if not request.user.is_staff:
            return json_error("staff only", status=403)
        product = get_object_or_404(Product, pk=pk)
        product.is_active = False
        product.save(update_fields=["is_active"])
        return HttpResponse(status=204)
