"""Django's composition root in generation: the settings module found as the entry, ROOT_URLCONF and
the include() chains below it, each service's copy of the URLconfs (include strings of modules the
copy lacks taken out), modules written under their dotted names, and the generated Django files."""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst

import pytest

from decompose.generation import django
from decompose.generation.layout import Sources
from decompose.generation.source import parse
from decompose.generation.unplug import find_entry
from decompose.generation.views import prune_imports
from decompose.planning.sourcefacts import builders_of
from tests.helpers import analyse

PROJECT = {
    "manage.py": """
        import os
        import sys

        def main():
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
            from django.core.management import execute_from_command_line
            execute_from_command_line(sys.argv)
    """,
    "config/__init__.py": "",
    "config/settings/__init__.py": "",
    "config/settings/base.py": """
        INSTALLED_APPS = ["shop", "orders"]
        ROOT_URLCONF = "config.urls"
    """,
    "config/settings/dev.py": """
        from .base import *  # noqa
        DEBUG = True
    """,
    "config/urls.py": """
        from django.urls import include, path

        urlpatterns = [
            path("api/", include(("config.api", "api"))),
        ]
    """,
    "config/api.py": """
        from django.urls import include, path

        urlpatterns = [
            path("shop/", include("shop.urls")),
            path("orders/", include(("orders.urls", "orders"), namespace="orders")),
        ]
    """,
    "shop/__init__.py": "",
    "shop/urls.py": """
        from django.urls import path
        from shop import views

        urlpatterns = [path("items/", views.items)]
    """,
    "shop/views.py": "def items(request):\n    return None\n",
    "orders/__init__.py": "",
    "orders/urls.py": """
        from django.urls import path
        from orders import views

        urlpatterns = [path("<int:pk>/", views.detail)]
    """,
    "orders/views.py": "def detail(request, pk):\n    return None\n",
}


def sources_of(tmp_path: Path) -> Sources:
    return Sources.of(analyse(tmp_path, PROJECT), tmp_path)


def test_the_settings_module_is_the_one_manage_py_names_and_root_urlconf_follows_its_star_imports(tmp_path):
    sources = sources_of(tmp_path)
    layer = {"config", "config.settings", "config.settings.base", "config.settings.dev", "manage"}
    assert django.settings_module(sources, layer) == "config.settings.dev"
    assert django.root_urlconf(sources, "config.settings.dev") == "config.urls"


def test_without_the_settings_in_the_layer_there_is_no_entry(tmp_path):
    sources = sources_of(tmp_path)
    assert django.settings_module(sources, {"config", "manage"}) is None
    assert find_entry(sources, {"config", "manage"}) is None


def test_find_entry_names_the_django_settings(tmp_path):
    sources = sources_of(tmp_path)
    entry = find_entry(sources, {"config.settings.dev", "config.settings.base"})
    assert (entry.framework, entry.element, entry.is_factory) == ("django", "config.settings.dev:ROOT_URLCONF", False)


def test_url_chains_follow_include_strings_and_tuples_from_the_root(tmp_path):
    chains = django.url_chains(sources_of(tmp_path), "config.urls")
    assert chains == {
        "config.urls": ("config.urls",),
        "config.api": ("config.urls", "config.api"),
        "shop.urls": ("config.urls", "config.api", "shop.urls"),
        "orders.urls": ("config.urls", "config.api", "orders.urls"),
    }


def test_include_entries_of_modules_a_copy_lacks_are_taken_out_and_the_rest_kept():
    text = PROJECT["config/api.py"].replace("\n        ", "\n").lstrip("\n")
    parsed = parse("config.api", text, False, "config/api.py")
    has = {("shop.urls", "urlpatterns")}
    result = prune_imports(parsed.tree, parsed, lambda m, n: (m, n) in has or not n,
                           lambda m: m.split(".")[0] in ("config", "shop", "orders")).code
    cst.parse_module(result)
    assert 'include("shop.urls")' in result
    assert "orders.urls" not in result


def test_a_plain_list_element_and_third_party_includes_are_never_taken_out():
    text = 'from django.urls import include, path\nurlpatterns = [path("a/", include("allauth.urls")), "x"]\n'
    parsed = parse("config.urls", text, False, "config/urls.py")
    result = prune_imports(parsed.tree, parsed, lambda m, n: False, lambda m: m.split(".")[0] == "config").code
    assert result == text


def test_example_paths_fill_django_converters_and_keep_the_trailing_slash():
    assert django.example_path("/orders/<int:pk>/cancel/") == "/orders/1/cancel/"
    assert django.example_path("/files/<uuid:id>/") == "/files/00000000-0000-4000-8000-000000000001/"
    assert django.example_path("/tags/<slug>/{pk}/") == "/tags/1/1/"
    # i18n_patterns' prefix takes the project's language: LocaleMiddleware answers /1/about/ with a 404
    assert django.example_path("/<language>/events/<int:pk>/", "es") == "/es/events/1/"


def test_the_language_code_is_read_from_the_settings_and_what_they_star_import(tmp_path):
    from decompose.generation.layout import Sources
    from tests.helpers import analyse

    analysis = analyse(tmp_path, {"proj/__init__.py": "", "proj/settings/__init__.py": "",
                                  "proj/settings/base.py": 'LANGUAGE_CODE = "pt-BR"\nROOT_URLCONF = "proj.urls"\n',
                                  "proj/settings/dev.py": "from proj.settings.base import *  # noqa\n",
                                  "proj/settings/bare.py": 'DEBUG = True\n', "proj/urls.py": "urlpatterns = []\n"})
    sources = Sources.of(analysis, tmp_path)
    assert django.language_code(sources, "proj.settings.dev") == "pt-br"
    assert django.language_code(sources, "proj.settings.bare") == "en-us"  # Django's default
    assert django.root_urlconf(sources, "proj.settings.dev") == "proj.urls"


def test_example_paths_of_re_path_routes_are_strings_their_regex_matches():
    """kuma's `re_path(r"^files/(?P<attachment_id>\\d+)/(?P<filename>.+)$", ...)`: the example kept the regex
    (`/^files/(?P1\\d+)/(?P1.+)$`), which resolved to nothing, and every test of those routes failed."""
    assert django.example_path(r"/^files/(?P<attachment_id>\d+)/(?P<filename>.+)$") == "/files/1/a"
    assert django.example_path("/^admin-api/create/") == "/admin-api/create/"
    assert django.example_path(r"/api/^v1/^items/(?P<slug>[-a-z0-9]+)/(?:edit|view)/$") == "/api/v1/items/a/edit/"
    # an optional part outside a path variable is left out, as the route's template leaves it out: the zoo's
    # `^home/(?:(?P<lang>[a-z]{2})/)?$` gave /home/aa/ for the route /home/, which Chalice answered 403
    assert django.example_path(r"/^healthz/?$") == "/healthz"
    assert django.example_path(r"/^home/$") == "/home/"
    assert django.example_path(r"/^x/(?P<slug>[-\w]*)/$") == "/x/a/"  # a variable is never empty
    # kuma's `re_path(r"^humans.txt$")`: a dot left unescaped is the dot of the route's template (/humans.txt),
    # where /humansatxt matched no Chalice route (403); inside a path variable any character will do
    assert django.example_path(r"/^humans.txt$") == "/humans.txt"
    assert django.example_path(r"/^_kuma_status.json$") == "/_kuma_status.json"
    assert django.example_path(r"/^f/(?P<name>.)/$") == "/f/a/"



def test_example_paths_of_negated_classes_match_their_regex():
    """pretalx's `re_path(r"^[^/]+/widgets/schedule\\.js$")`: the `^` of `[^/]` was read as an include's
    start and `[^/]` gave nothing, so the example was `///widgets/schedule.js`, which no route matched."""
    assert django.example_path(r"/^[^/]+/widgets/schedule\.js$") == "/a/widgets/schedule.js"
    assert django.example_path(r"/^[^/]+/schedule/widget/v2\.[a-z]{2}\.js$") == "/a/schedule/widget/v2.aa.js"
    assert django.example_path(r"/^x/[^a-z]+/$") == "/x/1/"
    assert django.example_path(r"/^x/(?P<c>[^\w])/$") == "/x/-/"
    assert django.example_path(r"/^x/(?P<c>[^a])/$") == "/x/1/"
    for regex in (r"^[^/]+/widgets/schedule\.js$", r"^x/[^a-z]+/$", r"^x/(?P<c>[^\w])/$"):
        assert re.fullmatch(regex, django.example_path("/" + regex)[1:])


def test_example_paths_fill_django_ninja_converters():
    """kuma's django-ninja `@router.post("/notifications/{int:pk}/delete/")`: the example kept `{int:pk}`, which
    resolved in no URLconf, and the four test_routes_resolve of those routes failed."""
    assert django.example_path("/api/v1/plus/notifications/{int:pk}/delete/") == "/api/v1/plus/notifications/1/delete/"
    assert django.example_path("/api/items/{uuid:key}") == "/api/items/00000000-0000-4000-8000-000000000001"


def test_example_paths_fill_path_variables_under_a_re_path_include():
    """kuma mounts its django-ninja API under `re_path(r"^api/", include(...))`: the joined path
    `/^api/^v1/plus/notifications/{int:pk}/delete/` took the regex branch, whose parser reads `{int:pk}` as
    literal text, so the example kept it and four test_routes_resolve failed again after the fix above."""
    assert django.example_path("/^api/^v1/plus/notifications/{int:pk}/delete/") == "/api/v1/plus/notifications/1/delete/"
    assert django.example_path("/^api/v1/<int:pk>/") == "/api/v1/1/"  # a path() below a re_path prefix
    assert django.example_path("/^<language>/faq/", "es") == "/es/faq/"
    # a regex's own group names and counted repeats are never taken for path variables
    assert django.example_path(r"/^home/(?:(?P<lang>[a-z]{2})/)?$") == "/home/"
    assert django.example_path(r"/^code/(?P<code>[A-Z]{3})/$") == "/code/AAA/"


def test_the_settings_module_is_a_builder_for_the_plan():
    import ast

    assert builders_of(ast.parse('ROOT_URLCONF = "config.urls"\nDEBUG = True\n')) == ["ROOT_URLCONF"]
    assert builders_of(ast.parse("DEBUG = True\n")) == []


def test_a_module_goes_under_its_dotted_name_whatever_folder_holds_it(tmp_path):
    files = {"config/__init__.py": "", "config/settings.py": 'ROOT_URLCONF = "config.urls"\n',
             "apps/shop/__init__.py": "", "apps/shop/models.py": "X = 1\n",
             "config/urls.py": "urlpatterns = []\n",
             "manage.py": 'import sys\nsys.path.insert(0, "apps")\n'}
    sources = Sources.of(analyse(tmp_path, files), tmp_path)
    shop = next(m for m in sources.modules if m.endswith("shop.models"))
    assert sources.dest(shop) == shop.replace(".", "/") + ".py"
    package = shop.rsplit(".", 1)[0]
    assert sources.dest(package) == package.replace(".", "/") + "/__init__.py"


def test_a_ninja_string_router_the_copy_lacks_is_taken_out_and_one_it_has_kept():
    text = ('from ninja import NinjaAPI\napi = NinjaAPI()\napi.add_router("/articles", "articles.api.router")\n'
            'api.add_router("/tags", "tags.api.router")\n')
    parsed = parse("project.api", text, False, "project/api.py")
    has = {("tags.api", "router")}
    result = prune_imports(parsed.tree, parsed, lambda m, n: (m, n) in has,
                           lambda m: m.split(".")[0] in ("project", "articles", "tags")).code
    assert result == 'from ninja import NinjaAPI\napi = NinjaAPI()\napi.add_router("/tags", "tags.api.router")\n'


def test_a_ninja_router_object_that_is_only_a_stand_in_here_is_not_added():
    text = ('from ninja import NinjaAPI\nfrom accounts.api import router as accounts_router\n'
            'from tags.api import router as tags_router\napi = NinjaAPI()\n'
            'api.add_router("/accounts", accounts_router, tags=["accounts"])\napi.add_router("/tags", tags_router)\n')
    parsed = parse("project.api", text, False, "project/api.py")
    result = prune_imports(parsed.tree, parsed, lambda m, n: True, lambda m: m.split(".")[0] in ("accounts", "tags"),
                           real=lambda m, n: m == "tags.api").code
    assert 'api.add_router("/tags", tags_router)' in result
    assert "add_router(\"/accounts\"" not in result


def _pruned_copy(module: str, text: str, stubs: set[tuple[str, str]]) -> str:
    """A service's copy of a URLconf of `module`'s app, where `stubs` are stand-ins; checked to parse."""
    parsed = parse(module, text, False, module.replace(".", "/") + ".py")
    app = module.split(".")[0]
    result = prune_imports(parsed.tree, parsed, lambda m, n: True, lambda m: m.split(".")[0] == app,
                           real=lambda m, n: (m, n) not in stubs, urlconf=True).code
    cst.parse_module(result)
    return result


HELPER_BUILT_ENTRIES = ('from django.urls import include, path\nfrom agenda.views import schedule, talk\n'
                        'def schedule_urls(prefix):\n    return [\n        path(f"{prefix}{suffix}", view)\n'
                        '        for suffix, view in [("/", schedule.ScheduleView.as_view()),\n'
                        '                             (".json", schedule.Export.as_view(fmt="json")),\n'
                        '                             ("/talks", talk.TalkList.as_view())]\n    ]\n'
                        'urlpatterns = [path("<slug:event>/", include([*schedule_urls("schedule")]))]\n')


def test_views_a_urlconf_helper_puts_in_tuples_answer_elsewhere_when_another_service_serves_them():
    """pretalx's agenda URLconf builds its schedule entries in a function, from tuples of
    `schedule.ScheduleView.as_view()`, called while the module loads. In the back-office's copy the
    class was a stand-in with no `as_view`: `'function' object has no attribute 'as_view'`, the URLconf
    failed to load and every route of that service answered 500."""
    result = _pruned_copy("agenda.urls", HELPER_BUILT_ENTRIES,
                          {("agenda.views.schedule", "ScheduleView"), ("agenda.views.schedule", "Export")})
    assert "ScheduleView" not in result and "Export" not in result
    assert '("/", _decompose_elsewhere)' in result and '(".json", _decompose_elsewhere)' in result
    assert "talk.TalkList.as_view()" in result  # this service's own view
    assert "from decompose_runtime.elsewhere import elsewhere as _decompose_elsewhere" in result


def test_as_view_outside_a_urlconf_is_left_alone():
    """Only a URLconf's copy is rewritten: elsewhere, `View.as_view()` may mean anything (a Flask
    MethodView registered by hand), and the stand-in's own error is the honest one."""
    parsed = parse("agenda.helpers", HELPER_BUILT_ENTRIES, False, "agenda/helpers.py")
    result = prune_imports(parsed.tree, parsed, lambda m, n: True, lambda m: m.split(".")[0] == "agenda",
                           real=lambda m, n: False).code
    assert "schedule.ScheduleView.as_view()" in result and "_decompose_elsewhere" not in result

def test_url_entries_whose_view_is_another_services_stand_in_keep_their_place_with_a_404_view():
    """The zoo's orders URLconf named `views.CartView.as_view()`, a view of another service: in the orders
    copy CartView was a client function and the URLconf failed to load (every orders route answered 500).
    Taking the entry out broke every reverse() of its name (healthchecks' pages link to other services'
    pages: NoReverseMatch); the entry stays, its view decompose_runtime.elsewhere (Django's 404 here)."""
    text = ('from django.contrib.auth.views import LoginView\nfrom django.urls import path\n'
            'from orders import views\nfrom orders.views import checkout, order_list\n'
            'urlpatterns = [\n    path("", order_list),\n    path("cart/", views.CartView.as_view(), name="cart"),\n'
            '    path("checkout/", checkout),\n    path("login/", LoginView.as_view()),\n'
            '    path("detail/", views.order_detail),\n]\n')
    result = _pruned_copy("orders.urls", text, {("orders.views", "CartView"), ("orders.views", "checkout")})
    assert "CartView" not in result
    assert 'path("cart/", _decompose_elsewhere, name="cart")' in result and 'path("checkout/", _decompose_elsewhere)' in result
    assert "from decompose_runtime.elsewhere import elsewhere as _decompose_elsewhere" in result
    assert 'path("", order_list)' in result and "views.order_detail" in result
    assert "LoginView.as_view()" in result  # Django's own view: never a stand-in


def test_a_drf_router_registration_of_another_services_viewset_is_taken_out():
    """The zoo's shop URLconf registered CategoryViewSet (service shop) and ProductViewSet (shop-product) on
    one DefaultRouter: in every other copy they were client functions, and `router.urls` failed with
    'function' object has no attribute 'get_extra_actions' (every route of those services answered 500)."""
    text = ('from django.contrib import admin\nfrom rest_framework.routers import DefaultRouter\n'
            'from shop import views\nfrom shop.views import CategoryViewSet, ProductViewSet\n'
            'router = DefaultRouter()\nrouter.register("categories", CategoryViewSet, basename="category")\n'
            'router.register(prefix="products", viewset=ProductViewSet)\nrouter.register("tags", views.TagViewSet)\n'
            'admin.site.register(CategoryViewSet)\nurlpatterns = router.urls\n')
    result = _pruned_copy("shop.urls", text, {("shop.views", "ProductViewSet"), ("shop.views", "TagViewSet")})
    assert 'router.register("categories", CategoryViewSet, basename="category")' in result
    assert "ProductViewSet)" not in result and "TagViewSet" not in result
    assert "admin.site.register(CategoryViewSet)" in result  # not a router's registration: never taken out


def test_a_urlconf_mounting_a_ninja_api_brings_the_api_module_into_the_chain(tmp_path):
    """The zoo's project.urls mounts `api.urls` from project.api, which the plan put in one service: every
    other service got a stand-in `api` and answered 404 for its own ninja routes."""
    files = {"project/__init__.py": "", "project/settings.py": 'ROOT_URLCONF = "project.urls"\n',
             "project/api.py": "from ninja import NinjaAPI\napi = NinjaAPI()\nother = NinjaAPI()\n",
             "project/urls.py": ("from django.urls import path\nfrom project.api import api, other as v2\n"
                                 "from project import api as module\n"
                                 'urlpatterns = [path("api/", api.urls), path("v2/", v2.urls), path("x/", module.view)]\n'),
             "plain/__init__.py": "", "plain/urls.py": "urlpatterns = []\n"}
    sources = Sources.of(analyse(tmp_path, files), tmp_path)
    assert django.mounted_apis(sources, "project.urls") == ["project.api"]
    assert django.mounted_apis(sources, "plain.urls") == []


def test_a_url_entry_names_its_view_whatever_form_it_takes():
    def view(source: str) -> tuple[str, ...] | None:
        return django.url_entry_view(cst.parse_expression(source))

    assert view('path("x/", views.CartView.as_view())') == ("views", "CartView")
    assert view('re_path(r"^x/$", checkout, name="x")') == ("checkout",)
    assert view('path("x/", view=api.views.detail)') == ("api", "views", "detail")
    assert view('path("x/", include("shop.urls"))') is None
    assert view('path("x/", lambda r: None)') is None
    assert view('print("x/", checkout)') is None


def test_settings_that_star_import_the_settings_are_composition_roots_too(tmp_path):
    from decompose.planning.elements import ElementGraph
    from decompose.planning.sourcefacts import read_facts
    from tests.helpers import write_tree

    write_tree(tmp_path, {"config/__init__.py": "", "config/django/__init__.py": "",
                          "config/django/base.py": 'ROOT_URLCONF = "config.urls"\n',
                          "config/django/test.py": "from .base import *  # noqa\nDEBUG = False\n",
                          "config/django/ci.py": "from config.django.test import *  # noqa\n",
                          "config/other.py": "from os.path import *  # noqa\n"})
    graph = ElementGraph()
    graph.paths = {"config": "config/__init__.py", "config.django": "config/django/__init__.py",
                   "config.django.base": "config/django/base.py", "config.django.test": "config/django/test.py",
                   "config.django.ci": "config/django/ci.py", "config.other": "config/other.py"}
    facts = read_facts(graph, tmp_path)
    assert sorted(facts.builders) == ["config.django.base", "config.django.ci", "config.django.test"]


def test_project_root_files_the_settings_name_from_base_dir(tmp_path):
    """healthchecks reads BASE_DIR / "CHANGELOG.md" while its settings load; the layer's copy of the
    settings finds BASE_DIR at the layer's root, so those files go there (folders whole)."""
    sources = Sources.of(analyse(tmp_path, {
        "manage.py": "",
        "CHANGELOG.md": "# 1.0\n", "README.md": "not named\n", "templates/base.html": "<html>",
        "hc/__init__.py": "",
        "hc/settings.py": """
            import os
            from pathlib import Path
            BASE_DIR = Path(__file__).resolve().parent.parent
            with (BASE_DIR / "CHANGELOG.md").open() as f:
                CHANGELOG = f.read()
            TEMPLATES = [{"DIRS": [BASE_DIR / "templates"]}]
            STATIC_ROOT = os.path.join(BASE_DIR, "static-collected")
            SECRET = BASE_DIR / ".." / "secrets.txt"
        """,
    }), tmp_path)
    (tmp_path.parent / "secrets.txt").write_text("never")
    assert django.base_dir_files(sources, {"hc", "hc.settings"}) == ["CHANGELOG.md", "templates"]
    assert django.base_dir_files(sources, {"hc"}) == []


def test_the_database_drivers_the_monolith_has_installed_go_to_a_django_layer():
    """kuma's settings read DATABASE_URL (dj_database_url): no string names psycopg2, and its services
    failed to import ('No module named psycopg2')."""
    owners = {"psycopg2": ["psycopg2-binary"], "django": ["Django"], "MySQLdb": ["mysqlclient"]}
    assert django.database_drivers(owners) == {"psycopg2", "MySQLdb"}
    assert django.database_drivers({"django": ["Django"]}) == set()


def test_a_service_copies_the_root_its_chain_and_every_urlconf_the_plan_put_in_the_layer(tmp_path):
    """styleguide's plan put users.urls in [shared]: the layer's copy imported views that are stand-ins in
    the auth service, and every auth route answered 500 ('function' object has no attribute 'as_view')."""
    from decompose.analysis.model import Route
    from decompose.generation.layout import _keep_urlconfs
    from decompose.generation.model import ServiceLayout

    sources = sources_of(tmp_path)
    chains = django.url_chains(sources, "config.urls")
    service = ServiceLayout("shop", routes=[Route("django", ("GET",), "/api/shop/items/", "/api/shop/items/",
                                                  "shop.views:items", "items", "shop.urls", 1)])
    _keep_urlconfs(service, sources, chains, {"orders.urls", "config.settings.base"})
    owned = sorted(m for m, view in service.views.items() if view.own)
    assert {"config.urls", "config.api", "shop.urls", "orders.urls"} <= set(owned)  # orders.urls: from the layer
    assert "config.settings.base" not in owned  # a layer module that is no URLconf stays in the layer


def test_every_django_apps_migrations_go_to_the_layer_as_they_are(tmp_path):
    """Each service makes the suite's test database, migrations included: without them kuma's apps were
    unmigrated and PostgreSQL refused their foreign keys to auth_user, not made yet. Alembic's are not Django's."""
    from decompose.generation.render import _django_migrations

    initial = "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = []\n"
    analysis = analyse(tmp_path, {"apps/shop/__init__.py": "", "apps/shop/models.py": "X = 1\n",
                                  "apps/shop/migrations/__init__.py": "", "apps/shop/migrations/0001_initial.py": initial,
                                  "apps/alembic/versions/abc_first.py": "revision = 'abc'\n"}, target="apps")
    found = _django_migrations(analysis, tmp_path / "apps")
    assert found == {"shared/python/shop/migrations/__init__.py": b"",
                     "shared/python/shop/migrations/0001_initial.py": initial.encode()}


def test_a_namespace_package_split_between_the_layer_and_a_service_gets_an_init_in_both():
    """kuma.plus has no __init__.py: split between the layer and a service, Django refused it ('has multiple
    filesystem locations'); a regular package extending its path has a file, whose folder Django takes."""
    from decompose.generation.render import _split_namespace_inits
    from decompose.generation.views import EXTEND_PATH

    files = {"shared/python/kuma/__init__.py": "", "shared/python/kuma/plus/models.py": "",
             "shared/python/kuma/plus/migrations/0001_initial.py": "",
             "plus/chalicelib/src/kuma/__init__.py": "", "plus/chalicelib/src/kuma/plus/views.py": "",
             "other/chalicelib/src/kuma/users/views.py": "", "shared/python/kuma/core/__init__.py": "X = 1\n",
             "shared/python/kuma/core/models.py": "", "other/chalicelib/src/kuma/core/views.py": ""}
    assert _split_namespace_inits(files, ["plus/chalicelib/src", "other/chalicelib/src"]) == {
        "shared/python/kuma/plus/__init__.py": EXTEND_PATH, "plus/chalicelib/src/kuma/plus/__init__.py": EXTEND_PATH}


def test_a_view_class_the_settings_name_by_string_is_real_in_every_service(tmp_path):
    """kuma: OIDC_CALLBACK_CLASS names a view of one service by string; a library URLconf every service's root
    includes imports it with import_string, so the other services stopped at import ('kuma.users.views' has
    no attribute 'KumaOIDCAuthenticationCallbackView'). Every service keeps the real class; one owns its route."""
    from decompose.generation.layout import _named_by_layer, _service
    from decompose.generation.model import LayerLayout

    project = {**PROJECT, "config/settings/base.py": PROJECT["config/settings/base.py"] + """
        LOGIN_CALLBACK_VIEW = "shop.views.Callback"
    """, "shop/views.py": """
        class Callback:
            def get(self, request):
                return None

        def items(request):
            return None
    """}
    analysis = analyse(tmp_path, project)
    sources = Sources.of(analysis, tmp_path)
    layer = LayerLayout(modules={"config", "config.settings", "config.settings.base", "config.settings.dev"})
    layer.named = _named_by_layer(analysis, sources, layer.modules)
    assert layer.named == {("shop.views", "Callback")}
    homes = {"shop.views:items": "shop", "shop.views:Callback": "shop", "orders.views:detail": "orders"}
    orders = _service("orders", sources, homes, layer, analysis, {})
    assert "Callback" in orders.views["shop.views"].keep and orders.views["shop.views"].own
    assert orders.views["shop.views"].replicated == {"Callback"}
    assert "Callback" not in orders.views["shop.views"].proxies  # the real class, not a stand-in
    assert _service("shop", sources, homes, layer, analysis, {}).views["shop.views"].replicated == set()


CONVERTING_URLS = """
    from django.urls import path, register_converter
    from orders import views

    class CodeConverter:
        regex = "[a-f0-9]{8}"

        def to_python(self, value):
            return value

    register_converter(CodeConverter, "code")
    urlpatterns = [path("<code:pk>/", views.detail)]
"""


def test_a_layer_urlconfs_copy_keeps_the_classes_it_registers(tmp_path):
    """healthchecks: hc.api.urls (in the layer) defines the path converters it registers at import; each
    service's copy kept only the URL lists and stopped on `register_converter(QuoteConverter, ...)`."""
    from decompose.analysis.model import Route
    from decompose.generation.layout import _keep_urlconfs
    from decompose.generation.model import ServiceLayout

    project = {**PROJECT, "orders/urls.py": CONVERTING_URLS}
    sources = Sources.of(analyse(tmp_path, project), tmp_path)
    chains = django.url_chains(sources, "config.urls")
    service = ServiceLayout("shop", routes=[Route("django", ("GET",), "/api/shop/items/", "/api/shop/items/",
                                                  "shop.views:items", "items", "shop.urls", 1)])
    _keep_urlconfs(service, sources, chains, {"orders.urls"})
    assert {"CodeConverter", "urlpatterns"} <= service.views["orders.urls"].keep


def test_a_url_entry_gets_its_new_view_where_it_named_the_old_one():
    entry = cst.parse_expression('re_path(r"^x/$", kwargs={"a": 1}, view=views.x, name="x")')
    assert cst.Module([]).code_for_node(django.with_view(entry, cst.Name("other"))) == \
        're_path(r"^x/$", kwargs={"a": 1}, view=other, name="x")'
    entry = cst.parse_expression('path("x/", views.X.as_view(), {"a": 1})')
    assert cst.Module([]).code_for_node(django.with_view(entry, cst.Name("other"))) == 'path("x/", other, {"a": 1})'


def test_the_view_of_another_services_entry_answers_djangos_404():
    from decompose.generation.runtime.elsewhere import ELSEWHERE, elsewhere

    django_http = pytest.importorskip("django.http")
    with pytest.raises(django_http.Http404, match=ELSEWHERE):
        elsewhere(object(), pk=1)


def test_a_django_service_without_routes_gets_no_empty_parametrized_test():
    """styleguide's route-less services: `test_routes_resolve` over an empty VIEWS was a skip ('got empty
    parameter set'), counted as a test that did not pass; such a service still checks its URLconf loads."""
    from decompose.generation.render import environment

    text = environment().get_template("service/test_routes_django.py.j2").render(service="mail", routes=[], views=[],
                                                                               exposed=["mail.send:send"])
    compile(text, "test_routes.py", "exec")
    assert "def test_routes_resolve" not in text and "def test_route_answers_like_the_view" not in text
    assert "def test_the_services_urlconf_loads" in text


def test_url_entries_passed_to_i18n_patterns_are_pruned_as_list_elements_are():
    """The zoo's django_i18n_site: `urlpatterns += i18n_patterns(path("", include("pages.urls")))` kept the
    include of a URLconf the service lacked, and its root failed to load (pages.views has no index)."""
    text = ('from django.conf.urls.i18n import i18n_patterns\nfrom django.urls import include, path\n'
            'from events import views\n'
            'urlpatterns = i18n_patterns(\n    path("events/", include("events.urls")),\n'
            '    path("", include("pages.urls")),\n    path("x/", views.detail, name="x"),\n    prefix_default_language=True,\n)\n')
    parsed = parse("config.urls", text, False, "config/urls.py")
    result = prune_imports(parsed.tree, parsed, lambda m, n: m != "pages.urls",
                           lambda m: m.split(".")[0] in ("config", "events", "pages"),
                           real=lambda m, n: (m, n) != ("events.views", "detail")).code
    cst.parse_module(result)
    assert "pages.urls" not in result and 'include("events.urls")' in result
    assert 'path("x/", _decompose_elsewhere, name="x")' in result and "prefix_default_language=True" in result


def test_a_class_of_another_service_that_kept_code_uses_as_its_module_imports_is_copied(tmp_path):
    """kuma: admin-api kept `admin_auth = AdminAuth()` and events `api = NoCacheNinjaAPI(...)`, each class owned
    by another service: the stand-ins raised ManualWorkRequired as the modules imported, so every route test of
    both services failed. A class instantiated, subclassed or held at import is copied; one used only inside a
    function stays a stand-in (called later, it says so)."""
    from decompose.generation.layout import _service
    from decompose.generation.model import LayerLayout

    project = {**PROJECT, "shop/auth.py": """
        class Base:
            pass

        class TokenAuth(Base):
            def check(self, token):
                return token == "s3cret"

        class Receipt:
            pass

        token_auth = TokenAuth()
    """, "orders/views.py": """
        from shop.auth import Base, Receipt, token_auth

        class Guarded(Base):
            auth = token_auth

        def detail(request, pk):
            return Receipt()
    """}
    analysis = analyse(tmp_path, project)
    sources = Sources.of(analysis, tmp_path)
    homes = {"shop.auth:Base": "shop", "shop.auth:TokenAuth": "shop", "shop.auth:Receipt": "shop",
             "shop.auth:token_auth": "orders", "orders.views:detail": "orders", "orders.views:Guarded": "orders"}
    orders = _service("orders", sources, homes, LayerLayout(), analysis, {})
    auth = orders.views["shop.auth"]
    assert {"token_auth", "TokenAuth", "Base"} <= auth.keep and auth.copied == {"TokenAuth": "shop", "Base": "shop"}
    assert set(auth.proxies) == {"Receipt"} and auth.proxies["Receipt"].kind == "stub"


def test_import_time_needs_leave_out_function_and_lambda_bodies_but_not_annotations():
    """A django-ninja or FastAPI route reads its parameters' annotations as it is declared (kuma's
    `def create(request, data: CreateNotificationSchema)`): a stand-in there is no schema."""
    from decompose.generation.source import import_time_needs

    parsed = parse("m", "from a import A, B, C, D, E\n"
                        "def f(x: A = B()) -> C:\n    return D()\n"
                        "g = lambda: E()\n", False, "m.py")
    found = import_time_needs(parsed, {"f", "g"}, False)
    assert found.imported == {("a", "A"), ("a", "B"), ("a", "C")}


def test_a_projects_own_converter_gets_an_example_its_regex_matches(tmp_path):
    """healthchecks' `<sha1:unique_key>` (SHA1Converter.regex = "[A-z0-9]{40}", registered in hc.api.urls): the
    example `1` resolved in no URLconf, so the generated tests of those routes failed."""
    sources = Sources.of(analyse(tmp_path, {**PROJECT, "orders/urls.py": CONVERTING_URLS}), tmp_path)
    found = django.converters(sources)
    assert found == {"code": "[a-f0-9]{8}"}
    assert django.example_path("/orders/<code:key>/", "en", found) == "/orders/aaaaaaaa/"
    assert django.example_path("/orders/<int:pk>/<code:key>/", "en", found) == "/orders/1/aaaaaaaa/"


def test_a_function_handed_the_request_is_copied_with_what_it_calls_but_never_a_route_handler(tmp_path):
    """healthchecks: the view `checks` (one service) returns `create_check(request)` (another's), whose request
    cannot travel: its stand-in answered every POST 500 ManualWorkRequired. It runs where its caller does, with
    the helpers it calls that cannot be clients either; a view of another service stays a stand-in."""
    from decompose.generation.layout import _service
    from decompose.generation.model import LayerLayout

    project = {**PROJECT, "shop/views.py": """
        class Spec:
            pass

        def _save(spec: Spec) -> None:
            return None

        def create(request):
            _save(Spec())
            return None

        def items(request):
            return None
    """, "orders/views.py": """
        from shop.views import create, items

        def detail(request, pk):
            return create(request) if pk else items(request)
    """}
    analysis = analyse(tmp_path, project)
    sources = Sources.of(analysis, tmp_path)
    homes = {"shop.views:items": "shop", "shop.views:create": "shop", "shop.views:_save": "shop",
             "shop.views:Spec": "shop", "orders.views:detail": "orders"}
    orders = _service("orders", sources, homes, LayerLayout(), analysis, {})
    shop = orders.views["shop.views"]
    assert shop.copied == {"create": "shop", "_save": "shop", "Spec": "shop"}
    assert set(shop.proxies) == {"items"}  # the route handler: its service's alone


def test_a_function_whose_arguments_cannot_travel_runs_where_its_caller_does(tmp_path):
    """healthchecks: the view `create_check` (one service) calls `_update(check, spec: Spec, v)`, planned into
    another service for its tables: a `Spec` cannot travel as JSON, so its stand-in raised ManualWorkRequired and
    27 recorded POSTs answered 500 on the services. The function is copied into the caller's service with the
    class its annotation names; a function whose arguments travel stays a client of its owner."""
    from decompose.generation.layout import _service
    from decompose.generation.model import LayerLayout

    project = {**PROJECT, "shop/specs.py": """
        class Spec:
            pass

        def update(pk: int, spec: Spec, version: int) -> None:
            return None

        def count(pk: int) -> int:
            return pk
    """, "orders/views.py": """
        from shop.specs import Spec, count, update

        def create(request, pk):
            update(pk, Spec(), 2)
            return count(pk)
    """}
    analysis = analyse(tmp_path, project)
    sources = Sources.of(analysis, tmp_path)
    homes = {"shop.specs:update": "shop", "shop.specs:count": "shop", "shop.specs:Spec": "shop",
             "orders.views:create": "orders"}
    orders = _service("orders", sources, homes, LayerLayout(), analysis, {})
    specs = orders.views["shop.specs"]
    assert specs.copied == {"update": "shop", "Spec": "shop"}
    assert {n: p.kind for n, p in specs.proxies.items()} == {"count": "client"}


def test_a_generated_route_test_finds_a_ninja_operation_behind_the_bound_method_django_calls(tmp_path, monkeypatch):
    """kuma's django-ninja (0.16) resolves a path to `PathView._sync_view`, a bound method: its operations hang on
    the method's owner, not on a closure, and every test_routes_resolve of the admin-api routes failed."""
    import sys
    import types

    from decompose.generation.render import environment

    text = environment().get_template("service/test_routes_django.py.j2").render(
        service="admin", routes=[], views=[["/admin-api/create/", "kuma.api.v1.plus.notifications:create"]], exposed=[])

    def create(request):
        return None

    class PathView:
        operations = [types.SimpleNamespace(view_func=create)]

        def _sync_view(self, request):
            return None

    urls = types.ModuleType("django.urls")
    urls.Resolver404 = LookupError
    urls.resolve = lambda path: types.SimpleNamespace(func=PathView()._sync_view)
    urls.get_resolver = lambda: None
    fakes = {"app": types.SimpleNamespace(app=None), "chalice.test": types.SimpleNamespace(Client=None),
             "chalicelib": types.ModuleType("chalicelib"), "django.urls": urls,
             "chalicelib.framework": types.SimpleNamespace(app=lambda: None)}
    for name, module in fakes.items():
        monkeypatch.setitem(sys.modules, name, module)
    namespace: dict = {}
    exec(compile(text, "test_routes.py", "exec"), namespace)  # noqa: S102  (our own template, rendered above)
    namespace["test_routes_resolve"]("/admin-api/create/", "kuma.api.v1.plus.notifications:create")


def test_a_generated_route_test_finds_a_view_bound_to_a_module_name(monkeypatch):
    """kuma's `no_prompt_login = NoPromptOIDCAuthenticationRequestView.as_view()`, mounted by that name: the
    function Django resolves to is named after the class, and its test_routes_resolve failed; a view of another
    name still fails it."""
    import sys
    import types

    from decompose.generation.render import environment

    text = environment().get_template("service/test_routes_django.py.j2").render(
        service="users", routes=[], views=[["/login/", "shop.views:login"]], exposed=[])

    def view(request):
        return None

    view.__name__ = "LoginView"
    urls = types.ModuleType("django.urls")
    urls.Resolver404 = LookupError
    urls.resolve = lambda path: types.SimpleNamespace(func=view)
    urls.get_resolver = lambda: None
    fakes = {"app": types.SimpleNamespace(app=None), "chalice.test": types.SimpleNamespace(Client=None),
             "chalicelib": types.ModuleType("chalicelib"), "django.urls": urls,
             "chalicelib.framework": types.SimpleNamespace(app=lambda: None),
             "shop": types.ModuleType("shop"), "shop.views": types.SimpleNamespace(login=view, other=lambda r: None)}
    for name, module in fakes.items():
        monkeypatch.setitem(sys.modules, name, module)
    namespace: dict = {}
    exec(compile(text, "test_routes.py", "exec"), namespace)  # noqa: S102  (our own template, rendered above)
    namespace["test_routes_resolve"]("/login/", "shop.views:login")
    with pytest.raises(AssertionError, match="resolves to"):
        namespace["test_routes_resolve"]("/login/", "shop.views:other")

    class ScheduleFeed:  # a syndication feed is mounted as an instance: `path("feed.xml", feed.ScheduleFeed())`
        def __call__(self, request):
            return None

    monkeypatch.setitem(sys.modules, "shop.views", types.SimpleNamespace(ScheduleFeed=ScheduleFeed, other=ScheduleFeed))
    urls.resolve = lambda path: types.SimpleNamespace(func=ScheduleFeed())
    namespace["test_routes_resolve"]("/feed.xml", "shop.views:ScheduleFeed")
    monkeypatch.setitem(sys.modules, "shop.views", types.SimpleNamespace(ScheduleFeed=type("Other", (), {})))
    with pytest.raises(AssertionError, match="resolves to"):  # an instance of another class
        namespace["test_routes_resolve"]("/feed.xml", "shop.views:ScheduleFeed")


# one URLconf routing to a class view of `shop` and a function view of `orders`
TWO_SERVICES_ONE_URLCONF = {**PROJECT, "config/urls.py": """
    from django.urls import path
    from shop import views
    from orders.views import detail
    urlpatterns = [
        path("items/", views.Items.as_view()),
        path("orders/<int:pk>/", detail),
    ]
""", "shop/views.py": """
    from django.views import View

    class Items(View):
        def get(self, request):
            return None
"""}


def test_a_urlconf_copy_needs_no_stand_in_for_the_views_other_services_answer(tmp_path):
    """pretalx: every service kept a copy of the back-office URLconf, and each of its entries' views (121
    classes of one service) became a stub in the others, though the copy routes those entries to
    `elsewhere` and no code that runs touches them. A copy's needs are read as it runs."""
    from decompose.generation.layout import _service
    from decompose.generation.model import LayerLayout

    analysis = analyse(tmp_path, TWO_SERVICES_ONE_URLCONF)
    sources = Sources.of(analysis, tmp_path)
    assert {"shop.views:Items", "orders.views:detail"} <= sources.handlers
    homes = {"shop.views:Items": "shop", "orders.views:detail": "orders"}
    chains = django.url_chains(sources, "config.urls")
    orders = _service("orders", sources, homes, LayerLayout(), analysis, {}, chains)
    assert "config.urls" in orders.urlconfs and orders.views["config.urls"].own
    assert [p.target for p in orders.proxies()] == []  # was a stub of shop.views:Items
    shop = _service("shop", sources, homes, LayerLayout(), analysis, {}, chains)
    assert [p.target for p in shop.proxies()] == []  # was a stub of orders.views:detail
    assert "Items" in shop.views["shop.views"].keep


def _orders_beside_a_layer_urlconf(tmp_path, files: dict):
    """The orders service when the plan puts config.urls in the layer (pretalx's plan does: every URLconf
    in [shared]); the layer's needs are the URLconf's, as generation reads them."""
    from decompose.generation.layout import _external_needs, _service
    from decompose.generation.model import LayerLayout

    analysis = analyse(tmp_path, files)
    sources = Sources.of(analysis, tmp_path)
    homes = {"shop.views:Items": "shop", "orders.views:detail": "orders"}
    found = _external_needs(sources, sources.parsed("config.urls"), {"config.urls"})
    assert ("shop.views", "Items") in found
    layer = LayerLayout(modules={"config.urls"}, needs=set(found), needs_of={"config.urls": found})
    return _service("orders", sources, homes, layer, analysis, {}, django.url_chains(sources, "config.urls"))


def test_a_layer_urlconf_a_service_copies_brings_no_stand_in_for_views_routed_elsewhere(tmp_path):
    """pretalx's plan puts its URLconfs in [shared]: the layer's needs named every view of every
    URLconf, so every service still resolved them into stubs, though its own copy shadows the layer's."""
    orders = _orders_beside_a_layer_urlconf(tmp_path, TWO_SERVICES_ONE_URLCONF)
    assert [p.target for p in orders.proxies()] == []


def test_a_urlconf_helper_building_entries_needs_no_stand_in_for_views_routed_elsewhere(tmp_path):
    """The same with the entries built by a helper from tuples of `View.as_view()` (pretalx's layer
    URLconfs): the other service's class is no need of the copy (it would be a stub without `as_view`)."""
    helper = """
        from django.urls import path
        from shop import views
        from orders.views import detail
        def entries(prefix):
            return [path(f"{prefix}{suffix}", view) for suffix, view in [("items/", views.Items.as_view())]]
        urlpatterns = [*entries(""), path("orders/<int:pk>/", detail)]
    """
    orders = _orders_beside_a_layer_urlconf(tmp_path, {**TWO_SERVICES_ONE_URLCONF, "config/urls.py": helper})
    assert "entries" in orders.views["config.urls"].keep
    assert [p.target for p in orders.proxies()] == []  # was a stub of shop.views:Items
