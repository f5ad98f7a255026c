from tests.helpers import analyse, edges

PROJECT = {
    "manage.py": "",
    "mysite/__init__.py": "",
    "mysite/settings.py": 'ROOT_URLCONF = "mysite.urls"\nINSTALLED_APPS = ["shop"]\n',
    "mysite/urls.py": """
        from django.urls import include, path, re_path
        from shop import views as shop_views
        urlpatterns = [
            path("shop/", include("shop.urls")),
            re_path(r"^legacy/(?P<slug>[-\\w]+)/$", shop_views.legacy),
            path("api/", include("shop.api_urls")),
        ]
    """,
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models

        class Base(models.Model):
            class Meta:
                abstract = True

        class Product(Base):
            pass

        class Order(models.Model):
            product = models.ForeignKey("shop.Product", on_delete=models.CASCADE)
            class Meta:
                db_table = "orders"
    """,
    "shop/views.py": """
        from django.views import View
        from shop.models import Order, Product

        def product_list(request):
            return Product.objects.filter(active=True)

        def legacy(request, slug): ...

        class OrderView(View):
            def get(self, request, pk):
                return Order.objects.get(pk=pk)
            def post(self, request, pk):
                Order.objects.create(product=None)
    """,
    "shop/urls.py": """
        from django.urls import path
        from . import views
        urlpatterns = [
            path("products/", views.product_list, name="products"),
            path("orders/<int:pk>/", views.OrderView.as_view()),
        ]
    """,
    "shop/api_urls.py": """
        from rest_framework import routers, viewsets
        from shop.models import Order

        class OrderViewSet(viewsets.ReadOnlyModelViewSet):
            pass

        router = routers.DefaultRouter()
        router.register(r"orders", OrderViewSet)
        urlpatterns = router.urls
    """,
}


def test_urlconfs_includes_regex_and_class_views(tmp_path):
    a = analyse(tmp_path, PROJECT)
    got = {(r.methods, r.path, r.template, r.handler) for r in a.routes}
    assert got == {
        (("ANY",), "/shop/products/", "/shop/products/", "shop.views:product_list"),
        (("GET", "POST"), "/shop/orders/<int:pk>/", "/shop/orders/{pk}/", "shop.views:OrderView"),
        (("ANY",), r"/^legacy/(?P<slug>[-\w]+)/$", "/legacy/{slug}/", "shop.views:legacy"),
        (("GET",), "/api/orders/", "/api/orders/", "shop.api_urls:OrderViewSet"),
        (("GET",), "/api/orders/<pk>/", "/api/orders/{pk}/", "shop.api_urls:OrderViewSet"),
    }


def test_models_tables_and_access(tmp_path):
    a = analyse(tmp_path, PROJECT)
    assert {(t.name, t.model) for t in a.tables} == {
        ("shop_product", "shop.models:Product"), ("orders", "shop.models:Order"),
    }
    assert ("shop.views:product_list", "table:shop_product") in edges(a, "table-read")
    assert ("shop.views:OrderView", "table:orders") in edges(a, "table-write")
    assert ("shop.models:Order", "shop.models:Product") in edges(a, "string-ref")  # "shop.Product"


def test_not_url_patterns(tmp_path):
    """INVALID: lists of paths that are not a URLconf's urlpatterns, and non-path entries."""
    a = analyse(tmp_path, {
        "site/__init__.py": "",
        "site/urls.py": """
            from django.urls import path
            from site import views
            other_patterns = [path("hidden/", views.hidden)]
            urlpatterns = [views.make_route("x/"), "not-a-call"]
        """,
        "site/views.py": "def hidden(request): ...\ndef make_route(prefix): ...\n",
    })
    assert a.routes == []


def test_inline_include_lists_and_library_views(tmp_path):
    """pretalx's layout: include([...]) lists nested under a prefix, RedirectView from Django."""
    a = analyse(tmp_path, {
        "manage.py": "",
        "conf/__init__.py": "",
        "conf/urls.py": """
            from django.urls import include, path, re_path
            from django.views.generic import RedirectView
            from conf import views
            urlpatterns = [
                path("", RedirectView.as_view(url="/orga/")),
                path("orga/event/<slug:event>/", include([
                    path("", views.dashboard),
                    path("cfp/", include(([path("questions/", views.questions)], "cfp"))),
                ])),
                re_path(r"^(?P<event>[^/]+)/", include([path("talks/", views.talks)])),
            ]
        """,
        "conf/views.py": "def dashboard(request, event): ...\ndef questions(request, event): ...\ndef talks(request, event): ...\n",
    })
    assert {(r.template, r.handler) for r in a.routes} == {
        ("/", "django.views.generic.RedirectView"),
        ("/orga/event/{event}/", "conf.views:dashboard"),
        ("/orga/event/{event}/cfp/questions/", "conf.views:questions"),
        ("/{event}/talks/", "conf.views:talks"),
    }


def test_named_pattern_lists_and_run_time_prefixes(tmp_path):
    """NetBox's root URLconf: `_patterns = [...]`, then `urlpatterns = [path(settings.BASE_PATH, include(_patterns))]`."""
    a = analyse(tmp_path, {
        "manage.py": "",
        "site/__init__.py": "",
        "site/urls.py": """
            from django.conf import settings
            from django.urls import include, path
            from site import views
            _patterns = [
                path("home/", views.home),
                path("dcim/", include("site.dcim_urls")),
            ]
            urlpatterns = [path(f"{settings.BASE_PATH}", include(_patterns))]
        """,
        "site/dcim_urls.py": "from django.urls import path\nfrom site import views\nurlpatterns = [path('devices/', views.devices)]\n",
        "site/views.py": "def home(request): ...\ndef devices(request): ...\n",
    })
    assert {(r.path, r.handler) for r in a.routes} == {
        ('/${f"{settings.BASE_PATH}"}home/', "site.views:home"),
        ('/${f"{settings.BASE_PATH}"}dcim/devices/', "site.views:devices"),
    }


def test_class_views_answer_inherited_and_framework_methods(tmp_path):
    a = analyse(tmp_path, {
        "manage.py": "",
        "app/__init__.py": "",
        "app/views.py": """
            from django.views import View
            from django.views.generic import FormView, ListView

            class Base(View):
                def get(self, request): ...

            class Edit(Base):
                def post(self, request): ...

            class Listing(ListView): ...

            class Signup(FormView): ...

            class Plain(View): ...
        """,
        "app/urls.py": """
            from django.urls import path
            from app import views
            urlpatterns = [
                path("edit/", views.Edit.as_view()), path("list/", views.Listing.as_view()),
                path("signup/", views.Signup.as_view()), path("plain/", views.Plain.as_view()),
            ]
        """,
    })
    assert {(r.template, r.methods) for r in a.routes} == {
        ("/edit/", ("GET", "POST")), ("/list/", ("GET",)), ("/signup/", ("GET", "POST")), ("/plain/", ("ANY",)),
    }


def test_function_views_declare_methods_with_decorators(tmp_path):
    a = analyse(tmp_path, {
        "manage.py": "",
        "app/__init__.py": "",
        "app/views.py": """
            from django.views.decorators.http import require_http_methods, require_POST
            from rest_framework.decorators import api_view

            @api_view(["GET", "POST"])
            def items(request): ...

            @api_view()
            def ping(request): ...

            @require_http_methods(["PUT"])
            def replace(request): ...

            @require_POST
            def submit(request): ...

            def anything(request): ...
        """,
        "app/urls.py": """
            from django.urls import path
            from app import views
            urlpatterns = [path(p, v) for p, v in ()] + [
                path("items/", views.items), path("ping/", views.ping), path("replace/", views.replace),
                path("submit/", views.submit), path("anything/", views.anything),
            ]
        """,
    })
    assert {(r.template, r.methods) for r in a.routes} == {
        ("/items/", ("GET", "POST")), ("/ping/", ("GET",)), ("/replace/", ("PUT",)),
        ("/submit/", ("POST",)), ("/anything/", ("ANY",)),
    }


def test_i18n_patterns_are_served_under_a_language_prefix(tmp_path):
    a = analyse(tmp_path, {
        "manage.py": "",
        "site/__init__.py": "",
        "site/urls.py": """
            from django.conf.urls.i18n import i18n_patterns
            from django.urls import path
            from site import views
            urlpatterns = [path("health/", views.health)]
            urlpatterns += i18n_patterns(path("about/", views.about), prefix_default_language=False)
        """,
        "site/views.py": "def health(request): ...\ndef about(request): ...\n",
        "shop/__init__.py": "",
        "shop/urls.py": """
            from django.conf.urls.i18n import i18n_patterns
            from django.urls import path
            from shop import views
            urlpatterns = i18n_patterns(path("items/", views.items))
        """,
        "shop/views.py": "def items(request): ...\n",
    })
    # the language code is a path variable (a request for /es/about/ is this route, as /en/about/ is), and
    # with prefix_default_language=False the default language is served without it too
    assert {(r.path, r.template) for r in a.routes} == {
        ("/health/", "/health/"), ("/<language>/about/", "/{language}/about/"), ("/about/", "/about/"),
        ("/<language>/items/", "/{language}/items/")}


def test_a_urlconf_that_extends_itself_is_still_the_root(tmp_path):
    """A held-out Django site: `urlpatterns = [path("__debug__/", ...)] + urlpatterns` under `if DEBUG:`
    and `urlpatterns += static(...)` read the list as including itself, so the root URLconf counted as
    included and no route at all was found."""
    a = analyse(tmp_path, {
        "manage.py": "",
        "site/__init__.py": "",
        "site/urls.py": """
            from django.conf import settings
            from django.conf.urls.static import static
            from django.urls import include, path
            from site import views
            urlpatterns = [path("health/", views.health), path("shop/", include("shop.urls"))]
            if settings.DEBUG:
                urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
                import debug_toolbar
                urlpatterns = [path("__debug__/", include(debug_toolbar.urls))] + urlpatterns
        """,
        "site/views.py": "def health(request): ...\n",
        "shop/__init__.py": "",
        "shop/urls.py": """
            from django.urls import path
            from shop import views
            urlpatterns = [path("items/", views.items)]
            urlpatterns = urlpatterns + [path("items/<int:pk>/", views.item)]
        """,
        "shop/views.py": "def items(request): ...\ndef item(request, pk): ...\n",
    })
    assert {r.path for r in a.routes} == {"/health/", "/shop/items/", "/shop/items/<int:pk>/"}


def test_regex_quantifiers_read_as_reverse_writes_them():
    """Corpus kuma: `re_path(r"^healthz/?$")` is requested as /healthz (reverse() takes `?` and `*`
    zero times, `+` once); the template `/healthz/?` matched no recorded request."""
    from decompose.frameworks.paths import normalise_regex

    assert normalise_regex(r"^healthz/?$") == "/healthz"
    assert normalise_regex(r"^readiness/?$") == "/readiness"
    assert normalise_regex(r"^_kuma_status.json$") == "/_kuma_status.json"
    assert normalise_regex(r"^legacy/(?P<slug>[-\w]+)/$") == "/legacy/{slug}/"
    assert normalise_regex(r"^a/b+/c*$") == "/a/b/"
    assert normalise_regex(r"^x\.json$") == "/x.json"
    # a class or shorthand outside any group varies as a group does: a variable, never the regex's text
    assert normalise_regex(r"^[^/]+/widgets/schedule\.js$") == "/{arg1}/widgets/schedule.js"
    assert normalise_regex(r"^[^/]+/schedule/widget/v2\.[a-z]{2}\.js$") == "/{arg1}/schedule/widget/v2.{arg2}.js"
    assert normalise_regex(r"^files/(\d+)/.+$") == "/files/{arg1}/{arg2}"
    assert normalise_regex(r"^v\d+/x\.json$") == "/v{arg1}/x.json"
    # a non-capturing group (a held-out site's `^coc/(?:(?P<lang>[a-z-]+)/)?$` read as "/coc/:{lang}/"):
    # zero times when optional, else once, its first branch
    assert normalise_regex(r"^coc/(?:(?P<lang>[a-z-]+)/)?$") == "/coc/"
    assert normalise_regex(r"^a/(?:b/)$") == "/a/b/"
    assert normalise_regex(r"^x/(?:y|(?P<z>\d+))+/$") == "/x/y/"


def test_a_regex_with_an_optional_group_is_a_route_per_shape(tmp_path):
    """The zoo's `re_path(r"^home/(?:(?P<lang>[a-z]{2})/)?$")` answers /home/ and /home/es/: with /home/ alone
    the gateway and the recorder gave /home/es/ to the catch-all `<language>/<slug>/` route of another service."""
    from decompose.frameworks.paths import optional_variants

    a = analyse(tmp_path, {**PROJECT, "mysite/urls.py": """
        from django.urls import re_path
        from shop import views as shop_views
        urlpatterns = [re_path(r"^legacy/(?:(?P<slug>[-\\w]+)/)?$", shop_views.legacy)]
    """})
    assert sorted(r.template for r in a.routes if r.handler == "shop.views:legacy") == ["/legacy/", "/legacy/{slug}/"]
    assert optional_variants(r"^a/(?:b/)$") == (r"^a/(?:b/)$",)  # a group that must be there: one shape
    assert optional_variants(r"^a/(?:b/)*c/$") == (r"^a/c/$", r"^a/(?:b/)c/$")


def test_the_admin_site_is_not_a_route(tmp_path):
    """`path("admin/", admin.site.urls)` mounts Django's whole admin, built at run time: the corpus hand
    counts leave it out, and an `ANY /admin/` route matched none of its pages; it stays on the monolith."""
    a = analyse(tmp_path, {
        "manage.py": "",
        "conf/__init__.py": "",
        "conf/urls.py": """
            from django.contrib import admin
            from django.urls import path, re_path
            from conf import views
            urlpatterns = [
                path("admin/", admin.site.urls),
                re_path(r"^staff/", admin.site.urls),
                path("health/", views.health),
            ]
        """,
        "conf/views.py": "def health(request): ...\n",
    })
    assert [r.template for r in a.routes] == ["/health/"]


def test_the_admin_site_and_library_urlconfs_are_mounts_the_monolith_keeps(tmp_path):
    """What a URLconf mounts from outside the project (the admin site, `include("allauth.urls")`, an imported
    library's URL module) is no route, but the analysis names its prefix, so the gateway keeps the whole
    tree on the monolith; a project URLconf with no entries is no mount."""
    a = analyse(tmp_path, {
        "manage.py": "",
        "conf/__init__.py": "",
        "conf/urls.py": """
            from django.contrib import admin
            from django.conf.urls.i18n import i18n_patterns
            from django.urls import include, path, re_path
            from wagtail import urls as wagtail_urls
            from conf import views
            urlpatterns = [
                path("admin/", admin.site.urls),
                path("accounts/", include("allauth.urls")),
                path("cms/", include(wagtail_urls)),
                path("empty/", include("conf.empty_urls")),
                path("health/", views.health),
            ]
            urlpatterns += i18n_patterns(path("staff/", admin.site.urls))
        """,
        "conf/empty_urls.py": "urlpatterns = []\n",
        "conf/views.py": "def health(request): ...\n",
    })
    assert [r.template for r in a.routes] == ["/health/"]
    assert [(m.prefix, m.what, m.line) for m in a.mounts] == [
        ("/accounts/", "allauth.urls", 6), ("/admin/", "django.contrib.admin.site.urls", 6),
        ("/cms/", "wagtail.urls", 6), ("/{language}/staff/", "django.contrib.admin.site.urls", 13)]


def test_a_path_converter_is_the_rest_of_the_path(tmp_path):
    """`<path:path>/` matches /about/ and /guides/install/: the template `/{path}/` (one segment) left every deeper
    page unrouted, so its recorded requests were in no contract and the gateway kept them on the monolith."""
    a = analyse(tmp_path, {
        "manage.py": "",
        "conf/__init__.py": "",
        "conf/urls.py": """
            from django.urls import path
            from conf import views
            urlpatterns = [
                path("docs/<path:page>/", views.page),
                path("files/<path:name>", views.page),
                path("<int:pk>/", views.page),
            ]
        """,
        "conf/views.py": "def page(request, **kwargs): ...\n",
    })
    assert sorted(r.template for r in a.routes) == ["/docs/{page+}/", "/files/{name+}", "/{pk}/"]
