"""django-ninja operations under the URLconf that mounts their API, and Django URLconf prefixes
bound to module constants."""

from tests.helpers import analyse

NINJA_PROJECT = {
    "manage.py": "",
    "site_/__init__.py": "",
    "site_/settings.py": 'ROOT_URLCONF = "site_.urls"\n',
    "site_/api.py": """
        from ninja import NinjaAPI
        from people.api import router as people_router

        class QuietAPI(NinjaAPI):
            pass

        class QuieterAPI(QuietAPI):
            pass

        api = QuieterAPI(urls_namespace="site")
        api.add_router("/people/", people_router)
        api.add_router("/notes", "notes.api.router")

        @api.get("/ping")
        def ping(request): ...
    """,
    "site_/admin_api.py": """
        import ninja
        admin_api = ninja.NinjaAPI()
        admin_api.add_router("/", "notes.api.admin_router")
    """,
    "site_/urls.py": """
        from django.urls import include, path
        from site_.api import api
        from site_.admin_api import admin_api
        urlpatterns = [
            path("api/v1/", api.urls),
            path("admin-api/", admin_api.urls),
        ]
    """,
    "people/__init__.py": "",
    "people/api.py": """
        from ninja import Router
        router = Router(tags=["people"])

        @router.get("/")
        def everyone(request): ...

        @router.api_operation(["GET", "POST"], "/{int:person_id}/follow")
        def follow(request, person_id: int): ...

        @router.delete("/{person_id}")
        def remove(request, person_id: int): ...
    """,
    "notes/__init__.py": "",
    "notes/api.py": """
        from ninja import Router
        from notes.comments import router as comments
        router = Router()
        admin_router = Router()
        router.add_router("/{slug}/comments", comments)

        @router.post("/")
        def add(request): ...

        @admin_router.api_operation(methods=["PUT"], path="/purge")
        def purge(request): ...
    """,
    "notes/comments.py": """
        from ninja import Router
        router = Router()

        @router.get("/")
        def comments(request, slug: str): ...
    """,
}


def test_ninja_operations_are_routes_under_the_urlconf_that_mounts_their_api(tmp_path):
    a = analyse(tmp_path, NINJA_PROJECT)
    got = {(r.methods, r.template, r.handler) for r in a.routes}
    assert got == {
        (("GET",), "/api/v1/ping", "site_.api:ping"),  # on the API itself, through two subclasses of ours
        (("GET",), "/api/v1/people/", "people.api:everyone"),  # "/people/" + "/": one slash, as ninja joins
        (("GET", "POST"), "/api/v1/people/{person_id}/follow", "people.api:follow"),  # a Django converter
        (("DELETE",), "/api/v1/people/{person_id}", "people.api:remove"),
        (("POST",), "/api/v1/notes/", "notes.api:add"),  # a router mounted by dotted string
        (("GET",), "/api/v1/notes/{slug}/comments/", "notes.comments:comments"),  # nested
        (("PUT",), "/admin-api/purge", "notes.api:purge"),  # keyword methods and path
    }
    assert {r.framework for r in a.routes} == {"django"}


def test_an_api_no_urlconf_mounts_serves_nothing_and_is_not_a_route(tmp_path):
    files = {**NINJA_PROJECT, "site_/urls.py": "from django.urls import path\nurlpatterns = [path('x/', lambda r: r)]\n"}
    a = analyse(tmp_path, files)
    assert not any(r.handler.startswith(("people.", "notes.", "site_.api")) for r in a.routes)


def test_urlconf_prefixes_bound_to_module_constants_are_resolved(tmp_path):
    a = analyse(tmp_path, {
        "hc/__init__.py": "",
        "hc/urls.py": """
            from django.conf import settings
            from django.urls import include, path
            from hc import views

            prefix = ""
            if settings.SITE_ROOT:
                prefix = f"{settings.SITE_ROOT}/"
            urlpatterns = [
                path(f"{prefix}status/", views.status),
                path(prefix, include("hc.inner")),
                path(f"{settings.BASE}/x", views.status),
            ]
        """,
        "hc/inner.py": "from django.urls import path\nfrom hc import views\nurlpatterns = [path('ping/<uuid:code>/', views.ping)]\n",
        "hc/views.py": "def status(request): ...\ndef ping(request, code): ...\n",
    })
    assert {r.template for r in a.routes} == {"/status/", "/ping/{code}/", '/${f"{settings.BASE}/x"}'}


def test_test_modules_serve_no_routes_and_tests_py_is_a_test_module(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/urls.py": "from django.urls import path\nfrom shop import views\nurlpatterns = [path('a/', views.a)]\n",
        "shop/views.py": "def a(request): ...\n",
        "shop/tests.py": "from django.test import TestCase\nclass T(TestCase):\n    def test_a(self): ...\n",
        "shop/tests/urls.py": "from django.urls import path\nfrom shop import views\nurlpatterns = [path('only-in-tests/', views.a)]\n",
    })
    assert {r.template for r in a.routes} == {"/a/"}
    assert {m.name: m.role for m in a.modules}["shop.tests"] == "test"


def test_apps_put_on_sys_path_by_settings_are_import_roots_and_appconfig_labels_name_tables(tmp_path):
    a = analyse(tmp_path, {
        "manage.py": "import os\n",
        "config/__init__.py": "",
        "config/settings.py": """
            import sys
            from pathlib import Path
            BASE_DIR = Path(__file__).resolve().parent.parent
            sys.path.insert(0, str(BASE_DIR / "apps"))
            INSTALLED_APPS = ["orders.apps.OrdersConfig"]
            ROOT_URLCONF = "config.urls"
        """,
        "config/urls.py": "from django.urls import include, path\nurlpatterns = [path('orders/', include('orders.urls'))]\n",
        "apps/orders/__init__.py": "",
        "apps/orders/apps.py": """
            from django.apps import AppConfig
            class OrdersConfig(AppConfig):
                name = "orders"
                label = "shop_orders"
        """,
        "apps/orders/models.py": """
            from django.db import models
            class Cart(models.Model):
                owner = models.ForeignKey("shop_orders.Owner", on_delete=models.CASCADE)
            class Owner(models.Model):
                pass
        """,
        "apps/orders/views.py": """
            from django.views.decorators.http import require_http_methods
            from orders.models import Cart
            @require_http_methods(["GET"])
            def carts(request):
                return list(Cart.objects.all())
        """,
        "apps/orders/urls.py": "from django.urls import path\nfrom orders import views\nurlpatterns = [path('carts/', views.carts)]\n",
    })
    assert {m.name for m in a.modules} >= {"orders.models", "orders.views", "config.settings"}
    assert {(r.methods, r.template, r.handler) for r in a.routes} == {(("GET",), "/orders/carts/", "orders.views:carts")}
    assert {t.name for t in a.tables} == {"shop_orders_cart", "shop_orders_owner"}
    assert ("orders.views:carts", "table:shop_orders_cart") in {(e.src, e.dst) for e in a.edges if e.kind == "table-read"}


def test_drf_extra_actions_lookups_allowed_methods_and_generic_views(tmp_path):
    a = analyse(tmp_path, {
        "api/__init__.py": "",
        "api/mixins.py": """
            from rest_framework.decorators import action
            class LogMixin:
                @action(detail=True, methods=["GET"], url_path="log")
                def log(self, request, pk=None): ...
        """,
        "api/views.py": """
            from rest_framework import generics, viewsets
            from rest_framework.decorators import action
            from api.mixins import LogMixin
            class RoomViewSet(viewsets.ModelViewSet):
                http_method_names = ["get", "post", "delete"]

                @action(detail=True, methods=["put", "post"])
                def close(self, request, pk=None): ...

            class TalkViewSet(LogMixin, viewsets.ReadOnlyModelViewSet):
                lookup_field = "code"

                @action(detail=True, methods=["post", "PUT"], url_path="add-speaker")
                def add_speaker(self, request, pk=None): ...

                @action(detail=False)
                def mine(self, request): ...

            class ListView(generics.ListCreateAPIView):
                pass
        """,
        "api/urls.py": """
            from django.urls import path
            from rest_framework import routers
            from rest_framework.authtoken.views import obtain_auth_token
            from api.views import ListView, RoomViewSet, TalkViewSet
            router = routers.SimpleRouter()
            router.register("talks", TalkViewSet)
            router.register("rooms", RoomViewSet)
            urlpatterns = router.urls + [path("token/", obtain_auth_token), path("lists/", ListView.as_view())]
        """,
    })
    assert {(r.methods, r.template) for r in a.routes} == {
        (("GET",), "/talks/"), (("GET",), "/talks/{code}/"), (("POST", "PUT"), "/talks/{code}/add-speaker/"),
        (("GET",), "/talks/mine/"), (("GET",), "/talks/{code}/log/"),  # the lookup_field names the parameter
        (("GET", "POST"), "/rooms/"), (("DELETE", "GET"), "/rooms/{pk}/"), (("POST",), "/rooms/{pk}/close/"),  # http_method_names
        (("POST",), "/token/"), (("GET", "POST"), "/lists/"),  # DRF's own views
    }
