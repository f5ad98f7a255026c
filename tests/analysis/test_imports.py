"""Import edges of every form, one small tree each."""

from tests.helpers import analyse, edge, edges


def test_absolute_and_dotted_imports(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/a.py": "import shop.b.c\nimport shop.d as d\n",
        "shop/b/__init__.py": "",
        "shop/b/c.py": "",
        "shop/d.py": "",
    })
    assert ("shop.a", "shop.b.c") in edges(a, "import")
    assert ("shop.a", "shop.d") in edges(a, "import")


def test_relative_imports_at_every_level(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/util.py": "def helper(): pass\n",
        "shop/orders/__init__.py": "from . import views\n",
        "shop/orders/views.py": "from .models import Order\nfrom ..util import helper\nfrom ... import nowhere\n",
        "shop/orders/models.py": "class Order: pass\n",
    })
    got = edges(a, "import")
    assert ("shop.orders", "shop.orders.views") in got
    assert ("shop.orders.views", "shop.orders.models") in got
    assert ("shop.orders.views", "shop.util") in got
    assert all(dst.startswith("shop") for _, dst in got)  # the import above the top is dropped


def test_from_package_import_name_resolves_through_reexports(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/models/__init__.py": "from .commerce import Order\nfrom shop.models.users import *\n",
        "shop/models/commerce.py": "class Order: pass\n",
        "shop/models/users.py": "class User: pass\n",
        "shop/views.py": "from shop.models import Order, User\n",
    })
    found = edge(a, "shop.views", "shop.models.commerce", "import")
    assert found.via == "shop.models"
    assert ("shop.views", "shop.models.users") in edges(a, "import")
    assert ("shop.views", "shop.models") not in edges(a, "import")


def test_type_checking_lazy_and_dynamic_imports_are_typed(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/a.py": """
            import importlib
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from shop.b import B
            def load():
                from shop.c import C
                plugin = importlib.import_module("shop.plugins.fast")
                other = __import__("shop.d")
                return importlib.import_module(name_from_config())
        """,
        "shop/b.py": "class B: pass\n",
        "shop/c.py": "class C: pass\n",
        "shop/d.py": "",
        "shop/plugins/__init__.py": "",
        "shop/plugins/fast.py": "",
    })
    assert ("shop.a", "shop.b") in edges(a, "import-type-checking")
    assert ("shop.a", "shop.c") in edges(a, "import-lazy")
    assert {("shop.a", "shop.plugins.fast"), ("shop.a", "shop.d")} <= edges(a, "import-dynamic")
    assert ("shop.a", "shop.b") not in edges(a, "import")
    assert [u.what for u in a.unresolved] == ["dynamic import with a computed name: importlib.import_module(name_from_config())"]


def test_namespace_packages_and_src_layout(tmp_path):
    a = analyse(tmp_path, {
        "pyproject.toml": "",
        "src/shop/__init__.py": "",
        "src/shop/api/handlers.py": "from shop.core.rules import rule\n",  # api/ has no __init__.py
        "src/shop/core/rules.py": "def rule(): pass\n",
    })
    names = {m.name for m in a.modules}
    assert {"shop", "shop.api.handlers", "shop.core.rules"} <= names
    assert ("shop.api.handlers", "shop.core.rules") in edges(a, "import")


def test_external_imports_are_listed_not_edges(tmp_path):
    a = analyse(tmp_path, {"app.py": "import os\nimport flask\nfrom sqlalchemy.orm import Session\n"})
    (module,) = a.modules
    assert module.external_imports == ("flask", "os", "sqlalchemy")
    assert not a.edges


def test_a_migrations_package_the_app_imports_is_app_code(tmp_path):
    """CTFd's factory calls create_database() from CTFd/utils/migrations/__init__.py: app code, placed like
    any other; Django's and Alembic's migrations import the app (never the reverse) and stay migrations."""
    a = analyse(tmp_path, {
        "shop/__init__.py": "from shop.utils.migrations import create_database\n",
        "shop/utils/__init__.py": "",
        "shop/utils/migrations/__init__.py": "def create_database():\n    return 'sqlite://'\n",
        "shop/orders/__init__.py": "",
        "shop/orders/models.py": "class Order: pass\n",
        "shop/orders/migrations/__init__.py": "",
        "shop/orders/migrations/0001_initial.py": "from shop.orders.models import Order\n",
    })
    roles = {m.name: m.role for m in a.modules}
    assert roles["shop.utils.migrations"] == "app"
    assert roles["shop.orders.migrations"] == roles["shop.orders.migrations.0001_initial"] == "migration"
