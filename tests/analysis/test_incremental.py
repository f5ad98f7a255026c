"""Incremental linking: after any edit, analysis.json is byte for byte what a cold run writes, and
an edit that changes nothing other modules can see re-links one module."""

from pathlib import Path

import pytest

from decompose.analysis.pipeline import AnalyzeOptions, AnalyzeResult, analyze
from decompose.analysis.serialize import dumps
from tests.helpers import write_tree

SAMPLE = Path(__file__).resolve().parents[2] / "sample_monolith"

TREE = {
    "shop/__init__.py": "",
    "shop/app.py": """
        from flask import Flask
        from shop.views import bp
        app = Flask(__name__)
        app.register_blueprint(bp, url_prefix="/shop")
    """,
    "shop/models.py": """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
        class Order(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """,
    "shop/pricing.py": """
        import time
        def quote(order):
            return order.id * 2
        def slow():
            time.sleep(1)
    """,
    "shop/api.py": """
        from shop.pricing import quote
        __all__ = ["quote"]
    """,
    "shop/views.py": """
        from flask import Blueprint
        from shop.api import quote
        from shop.models import Order
        bp = Blueprint("orders", __name__)

        @bp.get("/orders/<int:order_id>")
        def show(order_id):
            return str(quote(Order.query.get(order_id)))
    """,
    "shop/report.py": """
        from shop import pricing
        def total(orders):
            return sum(pricing.quote(o) for o in orders)
    """,
}


def render(root: Path, cache: Path | None) -> AnalyzeResult:
    return analyze(root / "shop", AnalyzeOptions(cache_path=cache, render=True))


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def after_edit(root: Path, name: str) -> AnalyzeResult:
    """TREE analysed with a cache (a full link), then EDITS[name] made, then analysed again."""
    write_tree(root, TREE)
    cache = root / "out" / "cache.sqlite"
    assert render(root, cache).link.full
    edit(root, *EDITS[name])
    return render(root, cache)


def assert_same_as_cold(root: Path, result: AnalyzeResult) -> None:
    assert result.rendered is not None
    cold = render(root, None)
    assert cold.rendered is not None and result.rendered.text == cold.rendered.text


def test_rendered_text_is_what_dumps_writes(tmp_path):
    write_tree(tmp_path, TREE)
    objects = analyze(tmp_path / "shop").analysis
    assert render(tmp_path, None).rendered.text == dumps(objects)


def test_rendered_sample_monolith_is_what_dumps_writes():
    rendered = analyze(SAMPLE, AnalyzeOptions(render=True)).rendered
    assert rendered.text == dumps(analyze(SAMPLE).analysis)
    assert rendered.summary["routes"] > 0 and rendered.summary["hazards"] > 0


EDITS = {
    "comment appended": ("shop/pricing.py", "    time.sleep(1)\n", "    time.sleep(1)\n# a comment\n"),
    "lines move": ("shop/pricing.py", "import time\n", "# header\n\nimport time\n"),
    "body calls a hazard": ("shop/pricing.py", "    return order.id * 2", "    slow()\n    return order.id * 2"),
    "function renamed": ("shop/pricing.py", "def quote(", "def price(order):\n    return 1\ndef quoted("),
    "import removed": ("shop/views.py", "from shop.models import Order\n", ""),
    "route added": ("shop/views.py", "@bp.get(", "@bp.get(\"/extra\")\ndef extra():\n    return ''\n\n@bp.get("),
    "route prefix changed": ("shop/app.py", 'url_prefix="/shop"', 'url_prefix="/store"'),
    "model renamed": ("shop/models.py", "class Order(", "class Purchase("),
    "syntax error": ("shop/report.py", "def total(orders):", "def total(orders:"),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_every_edit_gives_the_cold_bytes(tmp_path, name):
    assert_same_as_cold(tmp_path, after_edit(tmp_path, name))


def test_edits_in_a_row_and_a_revert_give_the_cold_bytes(tmp_path):
    write_tree(tmp_path, TREE)
    cache = tmp_path / "out" / "cache.sqlite"
    original = (tmp_path / "shop/pricing.py").read_text()
    render(tmp_path, cache)
    for rel, old, new in EDITS.values():
        edit(tmp_path, rel, old, new)
        assert_same_as_cold(tmp_path, render(tmp_path, cache))
    (tmp_path / "shop/pricing.py").write_text(original)
    assert_same_as_cold(tmp_path, render(tmp_path, cache))


def test_a_local_edit_relinks_one_module(tmp_path):
    again = after_edit(tmp_path, "body calls a hazard")
    assert (again.link.full, again.link.relinked) == (False, 1)


def test_a_changed_interface_relinks_the_modules_that_resolved_through_it(tmp_path):
    again = after_edit(tmp_path, "function renamed")
    # pricing itself, api (re-exports quote), views (imports it through api), report (pricing.quote)
    assert (again.link.full, again.link.relinked) == (False, 4)


def test_a_renamed_model_relinks_the_modules_that_looked_it_up(tmp_path):
    again = after_edit(tmp_path, "model renamed")
    # models itself, and views (its `Order` resolved through models, and was a model's table)
    assert (again.link.full, again.link.relinked) == (False, 2)
    assert_same_as_cold(tmp_path, again)


def test_a_new_file_links_everything(tmp_path):
    write_tree(tmp_path, TREE)
    cache = tmp_path / "out" / "cache.sqlite"
    render(tmp_path, cache)
    (tmp_path / "shop/extra.py").write_text("from shop.pricing import quote\n")
    again = render(tmp_path, cache)
    assert again.link.full
    assert_same_as_cold(tmp_path, again)


DJANGO_EDITS = {
    "route added": ("shop/urls.py", "urlpatterns = [", 'urlpatterns = [\n    path("again/", views.product_list),'),
    "view renamed": ("shop/views.py", "def legacy(", "def old_legacy("),
    "model made abstract": ("shop/models.py", "class Order(models.Model):", "class Order(Base):"),
    "view body reads another model": ("shop/views.py", "return Product.objects", "Order.objects.all()\n    return Product.objects"),
}


@pytest.mark.parametrize("name", list(DJANGO_EDITS))
def test_django_edits_give_the_cold_bytes(tmp_path, name):
    from tests.frameworks.test_django import PROJECT

    write_tree(tmp_path, PROJECT)
    cache = tmp_path / "out" / "cache.sqlite"
    analyze(tmp_path, AnalyzeOptions(cache_path=cache, render=True))
    edit(tmp_path, *DJANGO_EDITS[name])
    again = analyze(tmp_path, AnalyzeOptions(cache_path=cache, render=True))
    cold = analyze(tmp_path, AnalyzeOptions(render=True))
    assert again.rendered.text == cold.rendered.text
