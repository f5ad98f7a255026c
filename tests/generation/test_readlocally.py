"""What the shared layer calls and only reads is kept in every service (layout._read_locally): the layer
runs on every request, so a client there is an internal call per request (the sample's login_required
looking the bearer token up with accounts.user_for_token)."""

from __future__ import annotations

from decompose.generation.layout import Sources, build_layout
from tests.helpers import analyse

TOKEN_CHECK = {
    "shop/__init__.py": "",
    "shop/utils.py": """def login_required(view):
    def wrapper(*args, **kwargs):
        from shop import accounts

        accounts.user_for_token("t")
        return view(*args, **kwargs)

    return wrapper
""",
    "shop/accounts.py": """TOKENS = {"t": "ada"}


def _lookup(token):
    return TOKENS.get(token)


def user_for_token(token):
    return _lookup(token)


def sign_up(name):
    TOKENS[name] = name


def profile(name):
    return {"name": name}
""",
    "shop/orders.py": """from shop.utils import login_required


@login_required
def checkout():
    return "ok"
""",
}
ACCOUNTS = ("shop.accounts", "shop.accounts:TOKENS", "shop.accounts:_lookup", "shop.accounts:user_for_token",
            "shop.accounts:sign_up")


def _layout(tmp_path, homes):
    analysis = analyse(tmp_path, TOKEN_CHECK)
    homes = {"shop": "shared", "shop.utils": "shared", "shop.utils:login_required": "shared"} | homes
    return build_layout(analysis, homes, Sources.of(analysis, tmp_path), {}, "shop")


def test_what_the_layer_calls_and_only_reads_is_kept_in_every_service_not_called_across(tmp_path):
    homes = {e: "accounts" for e in (*ACCOUNTS, "shop.accounts:profile")}
    layout = _layout(tmp_path, homes | {"shop.orders": "orders", "shop.orders:checkout": "orders"})
    assert layout.layer.reads == {"shop.accounts:user_for_token", "shop.accounts:_lookup"}
    orders = next(s for s in layout.services if s.name == "orders")
    view = orders.views["shop.accounts"]
    assert {"user_for_token", "_lookup"} <= view.keep and "sign_up" not in view.keep
    assert not [p for p in orders.proxies() if p.target.startswith("shop.accounts:")
                and p.target != "shop.accounts:TOKENS"]


def test_a_service_owning_other_code_of_the_module_keeps_what_the_copied_reader_calls(tmp_path):
    # the sample's e2e (2fac40c): the service owning accounts' follow functions kept its copy of user_for_token
    # without _token_record (its module was scanned before the copy was added): NameError on every request
    homes = {e: "accounts" for e in ACCOUNTS} | {"shop.accounts:profile": "orders"}
    layout = _layout(tmp_path, homes | {"shop.orders": "orders", "shop.orders:checkout": "orders"})
    orders = next(s for s in layout.services if s.name == "orders")
    view = orders.views["shop.accounts"]
    assert {"profile", "user_for_token", "_lookup"} <= view.keep
    assert {"user_for_token", "_lookup"} <= view.replicated and "profile" not in view.replicated
    accounts = next(s for s in layout.services if s.name == "accounts")
    assert accounts.views["shop.accounts"].replicated == set()  # the owner keeps its own, copies nothing


def test_a_class_or_value_the_kept_reader_builds_comes_along_never_a_stub(tmp_path):
    # CTFd's get_all_challenges, kept in every service, builds its module's `Challenge` namedtuple: a stub
    # there raised on every call; the namedtuple is code the copy needs, so it is copied with it
    source = dict(TOKEN_CHECK)
    source["shop/accounts.py"] = source["shop/accounts.py"].replace(
        'TOKENS = {"t": "ada"}', 'from collections import namedtuple\n\nTOKENS = {"t": "ada"}\nFound = namedtuple("Found", ["name"])'
    ).replace("return TOKENS.get(token)", "return Found(TOKENS.get(token))")
    analysis = analyse(tmp_path, source)
    homes = {e: "accounts" for e in (*ACCOUNTS, "shop.accounts:profile", "shop.accounts:Found")}
    homes |= {"shop": "shared", "shop.utils": "shared", "shop.utils:login_required": "shared",
              "shop.orders": "orders", "shop.orders:checkout": "orders"}
    layout = build_layout(analysis, homes, Sources.of(analysis, tmp_path), {}, "shop")
    orders = next(s for s in layout.services if s.name == "orders")
    assert {"user_for_token", "_lookup", "Found"} <= orders.views["shop.accounts"].keep
    assert not [p for p in orders.proxies() if p.kind == "stub"]


HANDED_ON = {
    "shop/__init__.py": "",
    "shop/crud/__init__.py": "from .notes import add_note\nfrom .tags import tag\n\n__all__ = [\"tag\"]\n",
    "shop/crud/notes.py": "def add_note(text):\n    return text\n",
    "shop/crud/tags.py": "def tag(name):\n    return name\n",
    "shop/alerts.py": "def alert(text):\n    from shop.crud import add_note\n\n    return add_note(text)\n",
    "shop/orders.py": "from shop.alerts import alert\n\n\ndef checkout():\n    return alert('paid')\n",
}


def test_what_a_layer_package_imports_only_to_hand_on_is_provided_by_every_service(tmp_path):
    # lnbits' crud/__init__.py imports delete_webpush_subscriptions from .webpush (service webpush) and the
    # layer's notifications import it from lnbits.core.crud: the unused import was pruned from the layer,
    # which then failed to import in every service (cannot import name ... from 'lnbits.core.crud')
    analysis = analyse(tmp_path, HANDED_ON)
    homes = {"shop": "shared", "shop.crud": "shared", "shop.alerts": "shared", "shop.alerts:alert": "shared",
             "shop.crud.notes": "notes", "shop.crud.notes:add_note": "notes",
             "shop.crud.tags": "notes", "shop.crud.tags:tag": "notes",
             "shop.orders": "orders", "shop.orders:checkout": "orders"}
    layout = build_layout(analysis, homes, Sources.of(analysis, tmp_path), {}, "shop")
    assert {("shop.crud.notes", "add_note"), ("shop.crud.tags", "tag")} <= layout.layer.needs_of["shop.crud"]
    orders = next(s for s in layout.services if s.name == "orders")
    for module, name in (("shop.crud.notes", "add_note"), ("shop.crud.tags", "tag")):  # read-only: kept here
        view = orders.views[module]
        assert name in view.keep | view.proxies.keys()


HANDLER_NAMED = {
    "shop/__init__.py": "",
    "shop/api.py": """from flask_restx import Namespace, Resource

scores = Namespace("scores")


@scores.route("")
class ScoreList(Resource):
    def get(self):
        return []
""",
    "shop/cache.py": """def clear_scores(cache):
    from shop.api import ScoreList

    cache.delete(ScoreList.endpoint)
""",
    "shop/orders.py": """from shop.cache import clear_scores


def checkout(cache):
    clear_scores(cache)
    return "ok"
""",
}


def test_a_handler_class_named_by_code_elsewhere_comes_along_as_code_never_a_stub(tmp_path):
    # CTFd's clear_standings (in the layer) names ScoreboardList.endpoint: its stub failed every challenge
    # attempt in 18 services; the class (and the namespace its decorator names) is copied, registered nowhere
    analysis = analyse(tmp_path, HANDLER_NAMED)
    assert "shop.api:ScoreList" in {r.handler for r in analysis.routes}
    homes = {"shop": "shared", "shop.cache": "shared", "shop.cache:clear_scores": "shared",
             "shop.api": "scores", "shop.api:scores": "scores", "shop.api:ScoreList": "scores",
             "shop.orders": "orders", "shop.orders:checkout": "orders"}
    layout = build_layout(analysis, homes, Sources.of(analysis, tmp_path), {}, "shop")
    orders = next(s for s in layout.services if s.name == "orders")
    assert {"ScoreList", "scores"} <= orders.views["shop.api"].keep
    assert orders.views["shop.api"].copied == {"ScoreList": "scores", "scores": "scores"}
    assert not [p for p in orders.proxies() if p.kind == "stub"] and orders.routes == []


DECORATED_COPY = {
    "shop/__init__.py": "",
    "shop/cache.py": "def cached(seconds, key=None):\n    def wrap(view):\n        return view\n\n    return wrap\n",
    "shop/widget.py": "from shop.cache import cached\n\n\n@cached(60, key=len)\ndef widget(request):\n    return 'w'\n",
    "shop/orders.py": "from shop.widget import widget\n\n\ndef checkout(request):\n    return widget(request)\n",
}


def test_what_a_copied_function_calls_while_its_module_loads_comes_along_never_a_client(tmp_path):
    # pretalx: orga copies agenda's widget_data (it takes the request), whose decorator
    # conditional_cache_page(key_prefix=version_prefix) was a client of agenda called while the copy
    # loaded: WireError (a function cannot travel), and orga's URLconf failed to load
    analysis = analyse(tmp_path, DECORATED_COPY)
    homes = {"shop": "shared", "shop.cache": "widgets", "shop.cache:cached": "widgets",
             "shop.widget": "widgets", "shop.widget:widget": "widgets",
             "shop.orders": "orders", "shop.orders:checkout": "orders"}
    layout = build_layout(analysis, homes, Sources.of(analysis, tmp_path), {}, "shop")
    orders = next(s for s in layout.services if s.name == "orders")
    assert orders.views["shop.widget"].copied == {"widget": "widgets"}
    assert orders.views["shop.cache"].copied == {"cached": "widgets"}
    assert not orders.proxies()
