from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from accounts.models import Address, User
from accounts.utils import json_error, login_required_json, read_json


@require_http_methods(["POST"])
def register(request):
    data = read_json(request)
    if data is None:
        return json_error("invalid JSON")
    missing = [f for f in ("username", "email", "password") if not data.get(f)]
    if missing:
        return json_error("missing: " + ", ".join(missing))
    if User.objects.filter(username=data["username"]).exists():
        return json_error("username taken", status=409)
    user = User.objects.create_user(
        username=data["username"],
        email=data["email"],
        password=data["password"],
        marketing_opt_in=bool(data.get("marketing_opt_in")),
    )
    return JsonResponse(user.as_dict(), status=201)


def session(request):
    """GET tells who is signed in; POST signs in; DELETE signs out. No method decorator."""
    if request.method == "POST":
        data = read_json(request) or {}
        user = authenticate(request, username=data.get("username"), password=data.get("password"))
        if user is None:
            return json_error("invalid credentials", status=401)
        login(request, user)
        return JsonResponse({"user": user.as_dict()})
    if request.method == "DELETE":
        logout(request)
        return HttpResponse(status=204)
    if request.user.is_authenticated:
        return JsonResponse({"user": request.user.as_dict()})
    return JsonResponse({"user": None})


@require_http_methods(["GET", "POST"])
@login_required_json
def addresses(request):
    if request.method == "POST":
        data = read_json(request)
        if not data or not data.get("line1") or not data.get("city"):
            return json_error("line1 and city are required")
        is_first = not request.user.addresses.exists()
        address = Address.objects.create(
            user=request.user,
            line1=data["line1"],
            city=data["city"],
            postcode=data.get("postcode", ""),
            is_default=is_first,
        )
        return JsonResponse(address.as_dict(), status=201)
    return JsonResponse({"results": [a.as_dict() for a in request.user.addresses.order_by("id")]})
