from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils import translation

from pages.models import Page

GREETINGS = {"en": "Welcome to the meetups", "es": "Bienvenidas a los encuentros"}


def index(request):
    language = translation.get_language()
    return JsonResponse({"language": language, "greeting": GREETINGS.get(language, GREETINGS["en"]),
                         "pages": [p.slug for p in Page.objects.order_by("slug")]})


def about(request):
    return JsonResponse({"language": translation.get_language(), "about": "a volunteer-run meetup network"})


def page(request, slug):
    try:
        found = Page.objects.get(slug=slug)
    except Page.DoesNotExist:
        raise Http404(slug)
    language = translation.get_language()
    return JsonResponse({"language": language, "slug": found.slug, "title": found.title(language), "body": found.body})


def legacy_home(request, lang=None):
    return redirect(f"/{lang or 'en'}/")
