"""A module view -> its source: imports of what a copy does not have pruned (before/after strings),
package `__init__`s split over layer and service, proxy-only views and copied constants."""

import libcst as cst

from decompose.generation.model import ModuleView, Proxy
from decompose.generation.source import parse
from decompose.generation.views import EXTEND_PATH, prune_imports, render_view


def internal(module: str) -> bool:
    return module == "pkg" or module.startswith("pkg.")


def having(*pairs: tuple[str, str]):
    """A copy that has exactly these (module, name) pairs; name "" is the module itself."""
    present = set(pairs)
    return lambda module, name: (module, name) in present


def pruned(text: str, available, module: str = "pkg.shop", is_package: bool = False) -> str:
    parsed = parse(module, text, is_package, "x.py")
    result = prune_imports(parsed.tree, parsed, available, internal).code
    cst.parse_module(result)  # still valid Python
    return result


def client_of(proxy: Proxy) -> str:
    return f"decompose_clients.{proxy.owner}:{proxy.target.split(':')[1]}"


# --- prune_imports -------------------------------------------------------------------------------------

def test_prune_drops_only_unavailable_internal_names():
    before = "from pkg.models import Product, Order, Cart\n"
    assert pruned(before, having(("pkg.models", "Product"), ("pkg.models", "Cart"))) == \
        "from pkg.models import Product, Cart\n"


def test_prune_drops_last_name_without_leaving_a_trailing_comma():
    before = "from pkg.models import Product, Order\n"
    assert pruned(before, having(("pkg.models", "Product"))) == "from pkg.models import Product\n"


def test_prune_keeps_third_party_and_standard_library_imports():
    before = "import os\nimport requests\nfrom flask import Flask, request\n"
    assert pruned(before, having()) == before


def test_prune_removes_a_statement_left_empty():
    before = "import os\nfrom pkg.models import Order\nfrom pkg.util import helper\n"
    assert pruned(before, having(("pkg.util", "helper"))) == "import os\nfrom pkg.util import helper\n"


def test_prune_plain_imports_of_internal_modules():
    before = "import os, pkg.models, pkg.util\nimport pkg.gone\n"
    assert pruned(before, having(("pkg.util", ""))) == "import os, pkg.util\n"


def test_prune_resolves_relative_imports_before_asking():
    before = "from . import sibling, other\nfrom .util import helper\n"
    assert pruned(before, having(("pkg", "other"))) == "from . import other\n"
    assert pruned(before, having(("pkg.shop", "sibling"), ("pkg.shop.util", "helper")),
                  module="pkg.shop", is_package=True) == "from . import sibling\nfrom .util import helper\n"


def test_prune_keeps_star_imports():
    assert pruned("from pkg.models import *\n", having()) == "from pkg.models import *\n"


def test_prune_drops_type_checking_block_left_empty():
    before = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pkg.models import Order\n\nX = 1\n"
    assert pruned(before, having()) == "from typing import TYPE_CHECKING\n\nX = 1\n"


def test_prune_keeps_type_checking_block_with_names_left():
    before = "if TYPE_CHECKING:\n    from pkg.models import Order\n    from pkg.util import helper\n"
    assert pruned(before, having(("pkg.util", "helper"))) == "if TYPE_CHECKING:\n    from pkg.util import helper\n"


def test_prune_leaves_a_function_whose_only_statement_was_a_lazy_import_valid():
    before = "def load():\n    from pkg.plugins import everything\n"
    assert pruned(before, having()) == "def load():\n    pass\n"


def test_prune_keeps_a_function_that_had_pass_unchanged():
    before = "if DEBUG:\n    pass\n\ndef f():\n    from pkg.util import helper\n    return helper()\n"
    assert pruned(before, having()) == "if DEBUG:\n    pass\n\ndef f():\n    return helper()\n"


# --- render_view ---------------------------------------------------------------------------------------

PACKAGE_INIT = '''"""The pkg package."""
from __future__ import annotations

import os

VERSION = "1.0"
'''


def test_owned_package_init_gets_extend_path_after_docstring_and_future_import():
    parsed = parse("pkg", PACKAGE_INIT, True, "pkg/__init__.py")
    view = ModuleView("pkg", True, own=True, keep={"VERSION"})
    assert render_view(parsed, view, having(), client_of, internal, "split by decompose") == (
        '"""The pkg package."""\n'
        "from __future__ import annotations\n"
        + EXTEND_PATH +
        "\nimport os\n"
        '\nVERSION = "1.0"\n')


def test_owned_package_init_without_header_starts_with_extend_path():
    parsed = parse("pkg", "import os\n", True, "pkg/__init__.py")
    view = ModuleView("pkg", True, own=True)
    assert render_view(parsed, view, having(), client_of, internal, "note") == EXTEND_PATH + "import os\n"


def test_owned_whole_module_comes_out_byte_for_byte():
    parsed = parse("pkg.shop", PACKAGE_INIT, False, "pkg/shop.py")
    view = ModuleView("pkg.shop", False, own=True, keep={"VERSION"})
    assert render_view(parsed, view, having(), client_of, internal, "note") == PACKAGE_INIT


def test_split_module_gets_note_and_proxies_after_its_imports():
    text = '"""Shop."""\nimport os\nfrom pkg.catalog import get_product\n\nX = 1\n\n\ndef total():\n    return get_product()\n'
    parsed = parse("pkg.shop", text, False, "pkg/shop.py")
    view = ModuleView("pkg.shop", False, own=True, keep={"total"},
                      proxies={"get_product": Proxy("get_product", "pkg.catalog:get_product", "catalog", "client")})
    assert render_view(parsed, view, having(), client_of, internal, "decompose: split") == (
        "# decompose: split\n"
        '"""Shop."""\n'
        "import os\n"
        "from decompose_clients.catalog import get_product  # decompose: client of service 'catalog'\n"
        "\n\n"
        "def total():\n"
        "    return get_product()\n")


def test_proxy_only_view_is_docstring_and_proxy_lines_sorted_by_name():
    view = ModuleView("pkg.shop", False, proxies={
        "get": Proxy("get", "pkg.shop:get_product", "catalog", "client"),
        "ShopError": Proxy("ShopError", "pkg.shop:ShopError", "catalog", "exception"),
        "legacy": Proxy("legacy", "pkg.shop:legacy", "catalog", "stub", reason="takes a file handle"),
        "helper": Proxy("helper", "pkg.util:helper", "shared", "reexport", source="pkg.util"),
        "fmt": Proxy("fmt", "pkg.util:format_price", "shared", "reexport", source="pkg.util"),
    })
    assert render_view(None, view, having(), client_of, internal, "pkg.shop lives in service 'catalog'") == (
        '"""pkg.shop lives in service \'catalog\'"""\n'
        "from decompose_clients.catalog import ShopError  # decompose: exception of service 'catalog'\n"
        "from pkg.util import format_price as fmt  # decompose: re-exported\n"
        "from decompose_clients.catalog import get_product as get  # decompose: client of service 'catalog'\n"
        "from pkg.util import helper  # decompose: re-exported\n"
        "from decompose_clients.catalog import legacy  # decompose: stub of service 'catalog'\n")


def test_proxy_only_package_view_gets_extend_path():
    view = ModuleView("pkg.shop", True, proxies={"get": Proxy("get", "pkg.shop:get", "catalog", "client")})
    assert render_view(None, view, having(), client_of, internal, "note") == (
        '"""note"""\n' + EXTEND_PATH
        + "from decompose_clients.catalog import get  # decompose: client of service 'catalog'\n")


def test_constants_are_copied_with_a_comment():
    view = ModuleView("pkg.settings", False, proxies={
        "RATE": Proxy("RATE", "pkg.settings:RATE", "billing", "constant", source="0.2"),
        "NAMES": Proxy("NAMES", "pkg.settings:NAMES", "billing", "constant", source="('a', 'b')"),
    })
    code = render_view(None, view, having(), client_of, internal, "note")
    assert code == (
        '"""note"""\n'
        "NAMES = ('a', 'b')  # decompose: copied from service 'billing' (pkg.settings:NAMES)\n"
        "RATE = 0.2  # decompose: copied from service 'billing' (pkg.settings:RATE)\n")
    namespace: dict = {}
    exec(compile(code, "settings.py", "exec"), namespace)  # noqa: S102 (our own rendered literal)
    assert (namespace["RATE"], namespace["NAMES"]) == (0.2, ("a", "b"))


def test_proxies_go_before_an_if_statement_that_uses_them():
    text = "from pkg.settings import DEBUG\nif DEBUG:\n    LEVEL = 1\n"
    parsed = parse("pkg.shop", text, False, "pkg/shop.py")
    view = ModuleView("pkg.shop", False, own=True, body=True, proxies={
        "DEBUG": Proxy("DEBUG", "pkg.settings:DEBUG", "core", "constant", source="True")})
    code = render_view(parsed, view, having(), client_of, internal, "note")
    assert code == ("# note\n"
                    "DEBUG = True  # decompose: copied from service 'core' (pkg.settings:DEBUG)\n"
                    "if DEBUG:\n    LEVEL = 1\n")
    namespace: dict = {}
    exec(compile(code, "shop.py", "exec"), namespace)  # noqa: S102 (our own rendered code)
    assert namespace["LEVEL"] == 1
