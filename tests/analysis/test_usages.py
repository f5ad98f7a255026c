"""Symbol-level call, reference, inheritance and string edges, resolved through imports."""

from tests.helpers import analyse, edge, edges

TREE = {
    "shop/__init__.py": "",
    "shop/payments.py": """
        class Provider:
            pass
        def charge(amount):
            return amount
        RETRIES = 3
    """,
    "shop/orders.py": """
        from shop import payments
        from shop.payments import Provider, charge as pay

        class StripeProvider(Provider):
            pass

        def checkout(total):
            pay(total)
            pay(total)
            payments.charge(total)
            return payments.RETRIES

        def shadowed(charge, pay):
            pay(1)            # a parameter, not the import
            return charge
    """,
}


def test_calls_are_weighted_by_count(tmp_path):
    a = analyse(tmp_path, TREE)
    assert edge(a, "shop.orders:checkout", "shop.payments:charge", "call").weight == 3


def test_references_and_inheritance(tmp_path):
    a = analyse(tmp_path, TREE)
    assert ("shop.orders:checkout", "shop.payments:RETRIES") in edges(a, "reference")
    assert ("shop.orders:StripeProvider", "shop.payments:Provider") in edges(a, "inherit")


def test_parameters_shadow_imports(tmp_path):
    a = analyse(tmp_path, TREE)
    assert not {e for e in edges(a) if e[0] == "shop.orders:shadowed"}


def test_string_references_to_modules_symbols_and_patch_targets(tmp_path):
    a = analyse(tmp_path, {
        **TREE,
        "shop/settings.py": 'PAYMENTS = "shop.payments"\nPROVIDER = "shop.payments.Provider"\nOTHER = "os.path"\n',
        "shop/test_orders.py": """
            from unittest import mock
            def test_checkout():
                with mock.patch("shop.orders.pay") as fake:
                    pass
        """,
    })
    refs = edges(a, "string-ref")
    assert ("shop.settings", "shop.payments") in refs
    assert ("shop.settings", "shop.payments:Provider") in refs
    assert ("shop.test_orders:test_checkout", "shop.payments:charge") in refs
    assert not {dst for src, dst in refs if "os" in dst}


def test_lazy_import_inside_function_binds_only_there(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/a.py": "def f():\n    from shop.b import g\n    return g()\n\ndef h():\n    return g()\n",
        "shop/b.py": "def g(): pass\n",
    })
    assert ("shop.a:f", "shop.b:g") in edges(a, "call")
    assert ("shop.a:h", "shop.b:g") not in edges(a, "call")


def test_circular_imports_do_not_loop(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "from shop.a import *\n",
        "shop/a.py": "from shop.b import *\nfrom shop import x\n",
        "shop/b.py": "from shop.a import *\nfrom shop import y\n",
    })
    assert ("shop.a", "shop.b") in edges(a, "import")


def test_celery_dispatch_is_an_enqueue_edge_not_a_call(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/tasks.py": "from celery import shared_task\n@shared_task\ndef export_csv(ids):\n    pass\n",
        "shop/views.py": """
            from shop.tasks import export_csv
            def start_export(ids):
                export_csv.delay(ids)
                export_csv.apply_async(args=(ids,), countdown=5)
            def export_now(ids):
                export_csv(ids)
        """,
    })
    assert edge(a, "shop.views:start_export", "shop.tasks:export_csv", "enqueue").weight == 2
    assert ("shop.views:start_export", "shop.tasks:export_csv") not in edges(a, "call")
    assert ("shop.views:export_now", "shop.tasks:export_csv") in edges(a, "call")
