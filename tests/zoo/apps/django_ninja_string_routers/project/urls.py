from django.http import JsonResponse
from django.urls import path

from project.api import api


def healthz(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("healthz/", healthz),
    path("api/", api.urls),
]
