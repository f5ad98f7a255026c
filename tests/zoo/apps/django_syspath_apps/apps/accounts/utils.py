import json

from django.http import JsonResponse


def read_json(request):
    """The request's JSON body as a dict, or None when it is not valid JSON."""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def json_error(message, status=400):
    return JsonResponse({"error": message}, status=status)


def login_required_json(view):
    """Like ``login_required`` but answers 401 JSON instead of redirecting."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return json_error("authentication required", status=401)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped
