import json

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.phrases import phrases
from library.models import Book


def _book(book):
    return {"id": book.id, "title": book.title, "slug": book.slug, "reader": book.reader}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def books(request):
    if request.method == "POST":
        title = json.loads(request.body or b"{}").get("title", "").strip()
        if not title:
            return JsonResponse({"error": "a title is required"}, status=400)
        book = Book.objects.create(title=title)
        return JsonResponse({**_book(book), "said": phrases("library").added.format(title=book.title)}, status=201)
    return JsonResponse({"books": [_book(b) for b in Book.objects.order_by("id")]})


@csrf_exempt
@require_http_methods(["POST"])
def lend(request, slug):
    book = get_object_or_404(Book, slug=slug)
    book.reader = json.loads(request.body or b"{}").get("reader", "")
    book.save()
    return JsonResponse(_book(book))
