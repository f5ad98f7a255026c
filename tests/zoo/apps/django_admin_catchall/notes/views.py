import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notes.models import Note


@csrf_exempt
@require_http_methods(["GET", "POST"])
def notes(request):
    if request.method == "POST":
        note = Note.objects.create(text=json.loads(request.body)["text"])
        return JsonResponse({"id": note.pk, "text": note.text}, status=201)
    return JsonResponse({"notes": [{"id": n.pk, "text": n.text} for n in Note.objects.order_by("pk")]})


@require_http_methods(["GET"])
def note(request, pk):
    found = Note.objects.filter(pk=pk).first()
    if found is None:
        return JsonResponse({"error": "no such note"}, status=404)
    return JsonResponse({"id": found.pk, "text": found.text})
