from django.http import JsonResponse

from activity.models import Entry
from common.phrases import phrases


def feed(request):
    wording = phrases("library")
    return JsonResponse({"feed": [getattr(wording, e.kind).format(title=e.book.title, reader=e.book.reader)
                                  for e in Entry.objects.select_related("book").order_by("id")]})
