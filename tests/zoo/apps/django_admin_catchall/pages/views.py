from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from pages.models import Page


@require_GET
def index(request):
    return JsonResponse({"pages": list(Page.objects.order_by("path").values_list("path", flat=True))})


@require_GET
def page(request, path):
    try:
        found = Page.objects.get(path=path.strip("/"))
    except Page.DoesNotExist:
        raise Http404(path)
    return JsonResponse({"path": found.path, "title": found.title, "body": found.body})
