"""Which element a route goes with (decompose.planning.elements.route_anchor): its handler, or for a library's
view that a Django URLconf of the app mounts, the app's own first view in that URLconf."""

from decompose.analysis.model import Route
from decompose.planning.elements import route_anchor


def django(path: str, handler: str, module: str, framework: str = "django") -> Route:
    return Route(framework, ("POST",), path, path, handler, handler.rpartition(":")[2], module, 1)


TOKEN = django("/api/accounts/token/", "rest_framework.authtoken.views.obtain_auth_token", "accounts.urls")
ROUTES = [TOKEN, django("/api/accounts/me/", "accounts.views:me", "accounts.urls"),
          django("/api/accounts/avatar/", "accounts.views:avatar", "accounts.urls"),
          django("/api/shop/items/", "shop.views:items", "shop.urls")]
KNOWN = {"accounts.views:me", "accounts.views:avatar", "shop.views:items"}


def test_the_apps_own_view_is_its_own_anchor():
    assert route_anchor(ROUTES[1], ROUTES, KNOWN) == "accounts.views:me"


def test_a_library_view_goes_with_the_first_view_its_urlconf_mounts():
    """The zoo's drf_routers_viewsets: DRF's obtain_auth_token in accounts/urls.py was in no service."""
    assert route_anchor(TOKEN, ROUTES, KNOWN) == "accounts.views:avatar"


def test_a_library_view_alone_in_its_urlconf_or_outside_django_has_none():
    alone = django("/api/token/", "rest_framework.authtoken.views.obtain_auth_token", "config.urls")
    assert route_anchor(alone, [*ROUTES, alone], KNOWN) is None
    flask = django("/login", "flask_security.views.login", "accounts.urls", framework="flask")
    assert route_anchor(flask, [*ROUTES, flask], KNOWN) is None
