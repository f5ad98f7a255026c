"""Module source -> pieces, the kept cut of a module, and what that cut needs: before/after strings."""

import pytest

from decompose.errors import UserError
from decompose.generation.source import Needs, absolute, needs, parse, select

MODULE = '''"""Shop services."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.models import Product

RATE: float = 0.2
a, (b, c) = 1, (2, 3)
x = y = 0


def get_product(pid):
    return pid


class Cart:
    pass


print("loaded")
'''


def kinds(text: str, module: str = "pkg.shop", is_package: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.kind, p.names) for p in parse(module, text, is_package, "pkg/shop.py").pieces]


# --- parse ---------------------------------------------------------------------------------------------

def test_parse_splits_module_into_header_imports_symbols_and_body():
    assert kinds(MODULE) == [
        ("header", ()),
        ("header", ()),
        ("imports", ()),
        ("imports", ()),
        ("imports", ()),
        ("symbol", ("RATE",)),
        ("symbol", ("a", "b", "c")),
        ("symbol", ("x", "y")),
        ("symbol", ("get_product",)),
        ("symbol", ("Cart",)),
        ("body", ()),
    ]


def test_parse_symbols_collects_every_defined_name():
    parsed = parse("pkg.shop", MODULE, False, "pkg/shop.py")
    assert parsed.symbols() == {"RATE", "a", "b", "c", "x", "y", "get_product", "Cart"}
    assert parsed.module == "pkg.shop" and parsed.is_package is False


def test_docstring_only_counts_as_header_when_first():
    assert kinds('x = 1\n"""not a docstring"""\n') == [("symbol", ("x",)), ("body", ())]


def test_if_with_anything_but_imports_is_body():
    text = "if TYPE_CHECKING:\n    from a import b\n    X = 1\n"
    assert kinds(text) == [("body", ())]


def test_if_else_of_only_imports_is_imports():
    text = "try_json = 1\nif FAST:\n    import ujson as json\nelse:\n    import json\n"
    assert kinds(text) == [("symbol", ("try_json",)), ("imports", ())]


def test_assignment_to_attribute_or_subscript_is_body():
    assert kinds("obj.attr = 1\nd['k'] = 2\nx += 1\n") == [("body", ()), ("body", ()), ("body", ())]


def test_annotation_without_value_is_a_symbol():
    assert kinds("name: str\n") == [("symbol", ("name",))]


def test_parse_of_invalid_syntax_is_a_user_error():
    with pytest.raises(UserError) as info:
        parse("pkg.broken", "def f(:\n    pass\n", False, "pkg/broken.py")
    assert "pkg/broken.py" in info.value.what
    assert "cannot be parsed" in info.value.what
    assert "analyze again" in info.value.next_step


# --- select --------------------------------------------------------------------------------------------

def test_select_keeps_header_imports_and_chosen_symbols_only():
    parsed = parse("pkg.shop", MODULE, False, "pkg/shop.py")
    assert select(parsed, {"get_product", "b"}, body=False).code == '''"""Shop services."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.models import Product
a, (b, c) = 1, (2, 3)


def get_product(pid):
    return pid
'''


def test_select_with_body_keeps_other_statements():
    parsed = parse("pkg.shop", MODULE, False, "pkg/shop.py")
    assert select(parsed, {"Cart"}, body=True).code == '''"""Shop services."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.models import Product


class Cart:
    pass


print("loaded")
'''


def test_select_everything_gives_the_module_back_unchanged():
    parsed = parse("pkg.shop", MODULE, False, "pkg/shop.py")
    assert select(parsed, parsed.symbols(), body=True).code == MODULE


def test_select_nothing_keeps_only_header_and_imports():
    parsed = parse("pkg.m", '"""Doc."""\nimport os\nX = 1\nos.getcwd()\n', False, "pkg/m.py")
    assert select(parsed, set(), body=False).code == '"""Doc."""\nimport os\n'


# --- needs ---------------------------------------------------------------------------------------------

def needs_of(text: str, keep: set[str], body: bool = False, module: str = "pkg.sub.mod",
             is_package: bool = False) -> Needs:
    return needs(parse(module, text, is_package, "x.py"), keep, body)


def test_needs_from_imports_are_module_name_pairs():
    text = "from pkg.models import Product, Order as O\n\ndef f():\n    return Product, O\n"
    found = needs_of(text, {"f"})
    assert found.imported == {("pkg.models", "Product"), ("pkg.models", "Order")}
    assert found.modules == set()
    assert found.undefined == set()


def test_needs_only_counts_imports_the_kept_code_uses():
    text = "from pkg.a import one\nfrom pkg.b import two\n\ndef f():\n    return one\n\ndef g():\n    return two\n"
    assert needs_of(text, {"f"}).imported == {("pkg.a", "one")}
    assert needs_of(text, {"g"}).imported == {("pkg.b", "two")}
    assert needs_of(text, set()).imported == set()


def test_needs_relative_imports_of_a_module_are_made_absolute():
    text = "from . import sibling\nfrom .util import helper\nfrom ..core import base\n\n" \
           "def f():\n    return sibling, helper, base\n"
    assert needs_of(text, {"f"}).imported == {
        ("pkg.sub", "sibling"), ("pkg.sub.util", "helper"), ("pkg.core", "base")}


def test_needs_relative_imports_of_a_package_are_made_absolute():
    text = "from . import sibling\nfrom .util import helper\n\ndef f():\n    return sibling, helper\n"
    found = needs_of(text, {"f"}, module="pkg.sub", is_package=True)
    assert found.imported == {("pkg.sub", "sibling"), ("pkg.sub.util", "helper")}


def test_needs_attribute_of_a_from_imported_submodule():
    text = "from pkg import models\n\ndef f():\n    return models.Product\n"
    found = needs_of(text, {"f"})
    assert found.imported == {("pkg", "models")}
    assert ("pkg.models", "Product") in found.attributes


def test_needs_import_as_alias_gives_attributes_of_the_real_module():
    text = "import pkg.x.y as z\n\ndef f():\n    return z.go()\n"
    found = needs_of(text, {"f"})
    assert found.modules == {"pkg.x.y"}
    assert found.attributes == {("pkg", "x"), ("pkg.x", "y"), ("pkg.x.y", "go")}


def test_needs_plain_import_of_a_top_level_module():
    text = "import os\n\ndef f():\n    return os.sep\n"
    found = needs_of(text, {"f"})
    assert found.modules == {"os"}
    assert found.attributes == {("os", "sep")}


def test_needs_dotted_import_chain_gives_attributes():
    text = "import pkg.a.b\n\ndef f():\n    return pkg.a.b.run()\n"
    found = needs_of(text, {"f"})
    assert found.modules == {"pkg.a.b"}
    assert ("pkg.a.b", "run") in found.attributes


def test_needs_dotted_import_chain_records_the_module():
    text = "import pkg.a.b\n\ndef f():\n    return pkg.a.b.run()\n"
    assert needs_of(text, {"f"}).modules == {"pkg.a.b"}


def test_needs_undefined_when_a_used_symbol_was_not_kept():
    text = "RATE = 2\n\ndef price(x):\n    return x * RATE\n\ndef total(xs):\n    return sum(price(x) for x in xs)\n"
    assert needs_of(text, {"total"}).undefined == {"price"}
    assert needs_of(text, {"total", "price"}).undefined == {"RATE"}
    assert needs_of(text, {"total", "price", "RATE"}).undefined == set()


def test_needs_undefined_from_tuple_target_and_body():
    text = "a, b = 1, 2\n\ndef f():\n    return b\n\nprint(f())\n"
    assert needs_of(text, set(), body=True).undefined == {"f"}
    assert needs_of(text, {"f"}, body=True).undefined == {"b"}
    assert needs_of(text, {"f", "a"}, body=True).undefined == set()


def test_needs_ignores_builtins_and_locals():
    text = "def f(items):\n    total = len(items)\n    return __name__, total, ValueError\n"
    assert needs_of(text, {"f"}) == Needs()


def test_needs_counts_lazy_imports_inside_functions():
    text = "def f():\n    from pkg.lazy import thing\n    import pkg.other as other\n    return thing(), other.go\n"
    found = needs_of(text, {"f"})
    assert found.imported == {("pkg.lazy", "thing")}
    assert found.modules == {"pkg.other"}
    assert ("pkg.other", "go") in found.attributes
    assert needs_of(text, set()) == Needs()


def test_needs_of_type_checking_imports_used_in_annotations():
    text = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.models import Product\n\n" \
           "def f(p: 'Product') -> None:\n    pass\n\ndef g(p: Product) -> None:\n    pass\n"
    assert ("pkg.models", "Product") in needs_of(text, {"g"}).imported


# --- absolute ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, module, is_package, expected", [
    ("os.path", "a.b.c", False, "os.path"),
    (".", "a.b.c", False, "a.b"),
    (".x", "a.b.c", False, "a.b.x"),
    ("..x", "a.b.c", False, "a.x"),
    ("..", "a.b.c", False, "a"),
    ("...x", "a.b.c.d", False, "a.x"),
    (".", "a.b", True, "a.b"),
    (".x", "a.b", True, "a.b.x"),
    ("..x", "a.b", True, "a.x"),
    ("...x", "a.b.c", True, "a.x"),
    ("..x.y", "a.b.c", False, "a.x.y"),
])
def test_absolute(name, module, is_package, expected):
    assert absolute(name, module, is_package) == expected


def test_needs_of_a_star_import_name_its_module():
    """Corpus styleguide: a package `__init__` made of `from .students import *` lines."""
    text = "from .rosters import *\nfrom .students import *\n"
    found = needs_of(text, set(), body=True, module="school.services", is_package=True)
    assert found.star == {"school.services.rosters", "school.services.students"}
    assert needs_of(text, set(), body=False, module="school.services", is_package=True).star == found.star  # imports stay


def test_a_star_imported_module_of_another_service_gets_every_public_name(tmp_path):
    """The package `__init__` one service owns star-imports a sibling another service owns: the
    sibling's view there must define every public name (as proxies), or the package does not import."""
    from decompose.generation.layout import Sources, build_layout
    from tests.helpers import analyse

    analysis = analyse(tmp_path, {
        "school/__init__.py": "",
        "school/services/__init__.py": "from .rosters import *\nfrom .students import *\n",
        "school/services/rosters.py": "def roster_create(name):\n    return name\n",
        "school/services/students.py": "def student_create(name):\n    return name\n\ndef _private():\n    return 1\n",
    })
    sources = Sources.of(analysis, tmp_path)
    homes = {"school": "shared", "school.services": "rosters", "school.services.rosters": "rosters",
             "school.services.rosters:roster_create": "rosters", "school.services.students": "students",
             "school.services.students:student_create": "students", "school.services.students:_private": "students"}
    layout = build_layout(analysis, homes, sources, {}, "school")
    rosters = next(s for s in layout.services if s.name == "rosters")
    assert set(rosters.views["school.services.students"].proxies) == {"student_create"}


def test_import_time_uses_are_those_outside_function_and_lambda_bodies():
    """One scope analysis gives both answers (the second of a transformed copy doubled generate's
    costliest step): class bodies, decorators, defaults, annotations and module-level comprehensions
    run at import; function bodies, lambdas, nested classes and comprehensions inside functions later."""
    from decompose.generation.source import import_time_needs, needs

    parsed = parse("m", "import a\nfrom b import B, C, D, E, F, G, H, K\nimport c.sub as s\n"
                        "@a.deco(C)\n"
                        "def f(x: B = D) -> E:\n"
                        "    class Inner(F):\n        y = G\n"
                        "    return [s.run(i) for i in H]\n"
                        "class K2(K):\n    table = [z for z in a.rows]\n    go = lambda self: s.other()\n",
                   False, "m.py")
    early = import_time_needs(parsed, {"f", "K2"}, False)
    assert early.imported == {("b", "B"), ("b", "C"), ("b", "D"), ("b", "E"), ("b", "K")}
    assert early.modules == {"a"} and ("a", "rows") in early.attributes and ("a", "deco") in early.attributes
    every = needs(parsed, {"f", "K2"}, False)
    assert every.imported == {("b", n) for n in "BCDEFGHK"} and every.modules == {"a", "c.sub"}
    assert ("c.sub", "run") in every.attributes and ("c.sub", "other") in every.attributes
