"""Transaction crossings on hand-built analyses (generation/crossings.py): what `plan --converge` must
keep in one service so that one transaction of the monolith stays one transaction."""

from decompose.analysis.model import Analysis, Edge, Table
from decompose.generation.crossings import crossings, together

PRODUCT = "shop.models:Product"


def _analysis(*edges: tuple[str, str, str]) -> Analysis:
    return Analysis(root=".", edges=[Edge(src, dst, kind, 1, ()) for src, dst, kind in edges],
                    tables=[Table("products", PRODUCT, "sqlalchemy", "shop.models", 1),
                            Table("product_tags", "shop.models:ProductTag", "sqlalchemy", "shop.models", 9)])


def _kinds(analysis: Analysis, homes: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(c.caller, c.target, c.kind) for c in crossings(analysis, homes, [])]


def test_a_caller_changing_a_model_as_attributes_and_a_writer_of_it_elsewhere_is_a_transaction_crossing():
    # update_product sets the product's fields (no table-write the analysis sees), then _set_tags writes its tags
    analysis = _analysis(("shop.services:update_product", PRODUCT, "reference"),
                         ("shop.services:update_product", "shop.services:_set_tags", "call"),
                         ("shop.services:_set_tags", PRODUCT, "reference"),
                         ("shop.services:_set_tags", "table:product_tags", "table-write"))
    homes = {"shop.services:update_product": "catalog", "shop.services:_set_tags": "tags"}
    assert _kinds(analysis, homes) == [("shop.services:update_product", "shop.services:_set_tags", "transaction")]
    assert together(crossings(analysis, homes, [])) == [["shop.services:update_product", "shop.services:_set_tags"]]
    assert _kinds(analysis, {**homes, "shop.services:_set_tags": "catalog"}) == []  # kept together: no crossing


def test_a_writer_called_by_code_that_touches_none_of_its_tables_is_no_crossing():
    analysis = _analysis(("shop.views:report", "shop.services:_set_tags", "call"),
                         ("shop.views:report", "shop.models:Order", "reference"),
                         ("shop.services:_set_tags", "table:product_tags", "table-write"))
    assert _kinds(analysis, {"shop.views:report": "reports", "shop.services:_set_tags": "tags"}) == []


def test_a_callee_that_writes_nothing_is_no_crossing_even_on_the_same_model():
    analysis = _analysis(("shop.services:update_product", PRODUCT, "reference"),
                         ("shop.services:update_product", "shop.services:price_of", "call"),
                         ("shop.services:price_of", "table:products", "table-read"))
    assert _kinds(analysis, {"shop.services:update_product": "catalog", "shop.services:price_of": "pricing"}) == []


def test_a_call_into_a_module_generation_puts_in_the_layer_is_no_crossing_whatever_service_the_plan_names():
    # flasky: verify_password (api) calls User (the plan lists app.models:User in another service), but every
    # module defining ORM models is promoted to the layer: the call stays in the api service's process
    analysis = _analysis(("shop.api:verify", "shop.api:verify", "call"),
                         ("shop.api:verify", "table:products", "table-write"),
                         ("shop.api:verify", PRODUCT, "call"),
                         (PRODUCT, "table:products", "table-write"))
    homes = {"shop.api:verify": "api", PRODUCT: "accounts"}
    assert _kinds(analysis, homes) == [("shop.api:verify", PRODUCT, "transaction")]
    assert crossings(analysis, homes, [], layer={"shop.models"}) == []


def test_a_stub_no_service_edge_explains_is_a_crossing_from_the_module_needing_it():
    """djangogirls: every service's copy of the layer's code needs `core.slack_client:slack_client`, a value
    of service `event`; no edge from a service's own code crosses, yet each service holds a stub (#23)."""
    from decompose.generation.api import _stubs_beyond
    from decompose.generation.crossings import Crossing
    from decompose.generation.model import ModuleView, Proxy, ServiceLayout

    stub = Proxy("slack_client", "core.slack_client:slack_client", "event", "stub", "a module-level value")
    client = Proxy("send", "core.emails:send", "event", "client")
    services = [ServiceLayout(name, views={"core.slack_client": ModuleView("core.slack_client", False, proxies={
        "slack_client": stub, "send": client})}) for name in ("applications", "coach")]
    explained = [Crossing("applications.views:apply", "core.slack_client:slack_client", "stub", "applications", "event")]
    assert _stubs_beyond(explained, services) == [
        Crossing("core.slack_client", "core.slack_client:slack_client", "stub", "coach", "event")]
