from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_http_methods

from accounts.utils import json_error, login_required_json, read_json
from catalog.models import Product
from orders.models import Cart, CartLine, Order
from orders.services import CheckoutError, cancel_order, place_order


@method_decorator(login_required_json, name="dispatch")
class CartView(View):
    http_method_names = ["get", "post"]

    def get(self, request):
        cart, _ = Cart.objects.get_or_create(user=request.user)
        return JsonResponse(cart.as_dict())

    def post(self, request):
        data = read_json(request) or {}
        product = Product.objects.available().filter(pk=data.get("product")).first()
        if product is None:
            return json_error("unknown or unavailable product", status=404)
        cart, _ = Cart.objects.get_or_create(user=request.user)
        if cart.lines.count() >= settings.STOREFRONT_MAX_CART_ITEMS:
            return json_error("cart is full")
        line, created = CartLine.objects.get_or_create(cart=cart, product=product)
        if not created:
            line.quantity += int(data.get("quantity", 1))
        else:
            line.quantity = int(data.get("quantity", 1))
        line.save()
        return JsonResponse(cart.as_dict(), status=201 if created else 200)


@require_http_methods(["POST"])
@login_required_json
def checkout(request):
    try:
        order = place_order(request.user)
    except CheckoutError as exc:
        return json_error(str(exc), status=409)
    return JsonResponse(order.as_dict(with_lines=True), status=201)


@require_http_methods(["GET"])
@login_required_json
def order_list(request):
    return JsonResponse({"results": [o.as_dict() for o in request.user.orders.all()]})


@require_http_methods(["GET"])
@login_required_json
def order_detail(request, order_id):
    order = get_object_or_404(Order, pk=order_id, user=request.user)
    return JsonResponse(order.as_dict(with_lines=True))


@require_http_methods(["POST"])
@login_required_json
def order_cancel(request, order_id):
    order = get_object_or_404(Order, pk=order_id, user=request.user)
    try:
        cancel_order(order)
    except CheckoutError as exc:
        return json_error(str(exc), status=409)
    return JsonResponse(order.as_dict())
