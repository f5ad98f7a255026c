from django.http import JsonResponse
from django.urls import include, path


def health(request):
    """Load balancer probe: answers any method."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("health/", health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("catalog/", include("catalog.urls")),
    path("orders/", include("orders.urls")),
]
