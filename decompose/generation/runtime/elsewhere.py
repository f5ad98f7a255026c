"""The view a Django service's URLconf copy puts where the monolith's entry names another service's view.

The entry stays (its pattern, its name, its place in the list), so `reverse()` and `{% url %}` of that name
work in this service as in the monolith: a page here links to a page another service serves. A request
that reaches it anyway (the gateway sends that path to its owner) gets Django's own 404, as if the
entry were not here. Imports Django only when called.
"""

from __future__ import annotations

from typing import Any

ELSEWHERE = "served by another service"


def elsewhere(request: Any, *args: Any, **kwargs: Any) -> Any:
    from django.http import Http404

    raise Http404(ELSEWHERE)
