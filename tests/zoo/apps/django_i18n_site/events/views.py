import json
import secrets

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from events.models import Event, Registration, Ticket


def _event(event):
    return {"id": event.id, "city": event.city, "date": event.date.isoformat(),
            "seats_left": event.seats - event.registrations.count()}


class EventList(View):
    def get(self, request):
        events = Event.objects.order_by("date", "id")
        return JsonResponse({"language": translation.get_language(), "events": [_event(e) for e in events]})


def detail(request, pk):
    return JsonResponse(_event(get_object_or_404(Event, pk=pk)))


@csrf_exempt
@require_POST
def register(request, pk):
    event = get_object_or_404(Event, pk=pk)
    email = json.loads(request.body or b"{}").get("email", "")
    if "@" not in email:
        return JsonResponse({"error": "an email is required"}, status=400)
    if event.registrations.count() >= event.seats:
        return JsonResponse({"error": "the event is full"}, status=409)
    _, created = Registration.objects.get_or_create(event=event, email=email)
    return JsonResponse(_event(event), status=201 if created else 200)


def waitlist(request):
    """Each visit takes a place on the wait list: a new ticket (the model's uuid4 default) and a one-time key to
    confirm it by e-mail (`secrets`, called directly)."""
    place = Ticket.objects.create()
    return JsonResponse({"ticket": str(place.ticket), "key": secrets.token_urlsafe(12)})
