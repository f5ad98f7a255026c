from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.crypto import get_random_string

from pages.models import Page

GREETINGS = {"en": "Welcome to the meetups", "es": "Bienvenidas a los encuentros"}


def index(request):
    language = translation.get_language()
    return JsonResponse({"language": language, "greeting": GREETINGS.get(language, GREETINGS["en"]),
                         "pages": [p.slug for p in Page.objects.order_by("slug")]})


def about(request):
    # the stylesheet's URL ends in a random suffix so no browser keeps an old copy (a cache-busting template tag)
    sheet = f"/static/site.css?{get_random_string(8)}"
    language = translation.get_language()
    return HttpResponse(f'<!DOCTYPE html>\n<html lang="{language}"><head><link rel="stylesheet" href="{sheet}"></head>'
                        f"<body><p>a volunteer-run meetup network</p></body></html>\n")


def page(request, slug):
    try:
        found = Page.objects.get(slug=slug)
    except Page.DoesNotExist:
        raise Http404(slug)
    language = translation.get_language()
    return JsonResponse({"language": language, "slug": found.slug, "title": found.title(language), "body": found.body})


def legacy_home(request, lang=None):
    return redirect(f"/{lang or 'en'}/")
