from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.generic.base import RedirectView

from pages.views import legacy_home


def ping(request):
    return JsonResponse({"pong": True})


urlpatterns = [
    # links printed on old flyers: /home/ and /home/es/
    re_path(r"^home/(?:(?P<lang>[a-z]{2})/)?$", legacy_home, name="legacy_home"),
    path("calendar/", RedirectView.as_view(url="/en/events/", permanent=True)),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
]

urlpatterns += i18n_patterns(
    path("events/", include("events.urls")),
    path("", include("pages.urls")),
)

if settings.OPS_PING:  # the load balancer probe, switched off on the staff-only instance
    urlpatterns = [path("__ping__/", ping)] + urlpatterns
