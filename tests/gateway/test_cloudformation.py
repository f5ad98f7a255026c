"""`decompose gateway template`: the route table as API Gateway resources. Each template is checked by
walking its resource tree the way API Gateway matches a request (literal segment, else the variable
child, else the greedy one; then the method, else ANY) and asserting who answers: the owner's
Lambda for a route in service mode, the monolith for everything else, every path still served."""

from __future__ import annotations

import pytest
import yaml

from decompose.errors import UserError
from decompose.gateway.cloudformation import Budget, dump, template
from decompose.gateway.table import Mode, read, sync

ROUTES = {"GET /": "monolith", "GET /api/cart": "cart", "DELETE /api/cart": "cart", "POST /api/cart/items": "cart",
          "PATCH /api/cart/items/{product_id}": "cart", "GET /api/orders/{order_id}": "orders",
          "POST /api/orders/checkout": "orders", "GET /api/catalog/products": "catalog"}
BUDGETS = {route: Budget(12.5, 0.01, "(the monolith's p95 2.5 ms x 3 + 5 ms)") for route in ROUTES}


def table_with(tmp_path, modes: dict[str, str], routes: dict[str, str] = ROUTES):
    path = tmp_path / "routes.toml"
    sync(path, routes)
    table = read(path)
    for route, mode in modes.items():
        table.set_mode([route], Mode.parse(mode))
    return table


def resources(document, kind):
    return {k: v["Properties"] for k, v in document["Resources"].items() if v["Type"] == f"AWS::{kind}"}


def answer(document, method: str, path: str) -> str:
    """Who answers METHOD path on API Gateway: "monolith", "lambda:<Param>", "canary:<variable>", or "403"."""
    children: dict[str, dict[str, str]] = {}
    for logical, props in resources(document, "ApiGateway::Resource").items():
        parent = "root" if "Fn::GetAtt" in props["ParentId"] else props["ParentId"]["Ref"]
        children.setdefault(parent, {})[props["PathPart"]] = logical
    node = "root"
    for segment in [s for s in path.strip("/").split("/") if s]:
        here = children.get(node, {})
        variables = [part for part in here if part.startswith("{") and not part.endswith("+}")]
        greedy = [part for part in here if part.endswith("+}")]
        if segment in here:
            node = here[segment]
        elif variables:
            node = here[variables[0]]
        elif greedy:
            node = here[greedy[0]]
            break
        else:
            return "403"
    methods = {p["HttpMethod"]: p["Integration"] for p in resources(document, "ApiGateway::Method").values()
               if (p["ResourceId"].get("Ref") if "Ref" in p["ResourceId"] else "root") == node}
    integration = methods.get(method) or methods.get("ANY")
    if integration is None:
        return "403"
    uri = integration["Uri"]
    if integration["Type"] == "AWS_PROXY":
        return "lambda:" + uri["Fn::Sub"].split("functions/${")[1].split("}")[0]
    if isinstance(uri, str):
        return "canary:" + uri.split("${stageVariables.")[1].split("}")[0]
    assert uri["Fn::Sub"].startswith("${MonolithUrl}/")
    return "monolith"


PATHS = ["/", "/api", "/api/cart", "/api/cart/items", "/api/cart/items/7", "/api/cart/items/7/extra", "/api/orders/3",
         "/api/orders/checkout", "/api/orders/3/cancel", "/api/catalog/products", "/unknown/deep/path", "/api/unknown"]


def test_all_monolith_is_the_root_and_a_catch_all_to_the_monolith(tmp_path):
    document = template(table_with(tmp_path, {}), BUDGETS, "shop")
    assert sorted(document["Resources"]) == ["Api", next(k for k in document["Resources"] if k.startswith("Deployment")),
                                             "MethodProxyAny", "MethodRootAny", "ResourceProxy", "Stage"]
    assert list(document["Parameters"]) == ["MonolithUrl", "StageName"] and "Conditions" not in document
    assert {answer(document, m, p) for m in ("GET", "POST") for p in PATHS} == {"monolith"}


def test_service_routes_go_to_their_lambda_and_every_other_method_and_path_to_the_monolith(tmp_path):
    document = template(table_with(tmp_path, {"GET /api/cart": "service", "PATCH /api/cart/items/{product_id}": "service"}),
                        BUDGETS, "shop")
    assert answer(document, "GET", "/api/cart") == "lambda:CartFunctionArn"
    assert answer(document, "PATCH", "/api/cart/items/9") == "lambda:CartFunctionArn"
    assert answer(document, "DELETE", "/api/cart") == "monolith"  # the same resource, a method that did not move
    assert answer(document, "GET", "/api/cart/items/9") == "monolith"
    assert {answer(document, "GET", p) for p in PATHS if p != "/api/cart"} == {"monolith"}
    assert "ResourceApiCartItemsProductIdVar" in document["Resources"]
    assert "ResourceApiCartItemsProxy" not in document["Resources"]  # one variable child per level: {product_id} already
    (permission,) = resources(document, "Lambda::Permission").values()
    assert permission["FunctionName"] == {"Ref": "CartFunctionArn"} and permission["Principal"] == "apigateway.amazonaws.com"


def test_every_moved_route_has_alarms_from_its_sla_budget(tmp_path):
    document = template(table_with(tmp_path, {"GET /api/cart": "service"}), BUDGETS, "shop")
    alarms = resources(document, "CloudWatch::Alarm")
    latency, errors = alarms["AlarmApiCartGetLatency"], alarms["AlarmApiCartGetErrors"]
    assert (latency["MetricName"], latency["ExtendedStatistic"], latency["Threshold"]) == ("Latency", "p95", 12.5)
    assert (errors["MetricName"], errors["Statistic"], errors["Threshold"]) == ("5XXError", "Average", 0.01)
    assert {d["Name"]: d["Value"] for d in latency["Dimensions"]} == {"ApiName": "shop", "Resource": "/api/cart",
                                                                       "Method": "GET", "Stage": {"Ref": "StageName"}}
    assert "x 3 + 5 ms" in latency["AlarmDescription"] and "Conditions" in document
    unmeasured = template(table_with(tmp_path, {"GET /api/cart": "service"}), {"GET /api/cart": Budget(None, 0.0)}, "shop")
    assert list(resources(unmeasured, "CloudWatch::Alarm")) == ["AlarmApiCartGetErrors"]


def test_a_service_route_keeps_the_variable_name_its_chalice_app_declares(tmp_path):
    routes = {"GET /api/items/{item_id}": "items", "GET /api/items/{id}/photos": "items"}  # Chalice: {id} for both
    document = template(table_with(tmp_path, {"GET /api/items/{item_id}": "service"}, routes), {}, "shop")
    assert [p["PathPart"] for p in resources(document, "ApiGateway::Resource").values()].count("{id}") == 1
    assert answer(document, "GET", "/api/items/5") == "lambda:ItemsFunctionArn"


def test_two_services_with_different_variable_names_on_one_level_are_a_clear_error(tmp_path):
    routes = {"GET /api/things/{thing_id}": "things", "GET /api/things/{slug}/reviews": "reviews"}
    table = table_with(tmp_path, {route: "service" for route in routes}, routes)
    with pytest.raises(UserError, match="one variable name per level"):
        template(table, {}, "shop")


def test_canary_routes_split_the_stage_between_the_monolith_and_the_service(tmp_path):
    document = template(table_with(tmp_path, {"GET /api/orders/{order_id}": "canary:10", "POST /api/orders/checkout": "canary:10",
                                              "GET /api/catalog/products": "shadow"}), BUDGETS, "shop")
    assert answer(document, "GET", "/api/orders/3") == "canary:upstreamOrders" == answer(document, "POST", "/api/orders/checkout")
    assert answer(document, "GET", "/api/catalog/products") == "monolith"  # shadowing needs the local gateway
    stage = resources(document, "ApiGateway::Stage")["Stage"]
    split = {"Fn::Select": [1, {"Fn::Split": ["://", {"Ref": "MonolithUrl"}]}]}
    assert stage["Variables"] == {"upstreamOrders": split} and stage["CanarySetting"]["PercentTraffic"] == 10
    assert stage["CanarySetting"]["StageVariableOverrides"]["upstreamOrders"]["Fn::Select"][1]["Fn::Split"][1] == {"Ref": "OrdersUrl"}
    assert document["Parameters"]["MonolithUrl"]["AllowedPattern"].startswith("^https://")


def test_canary_routes_with_different_shares_are_a_clear_error(tmp_path):
    with pytest.raises(UserError, match="splits a stage's traffic once"):
        template(table_with(tmp_path, {"GET /api/orders/{order_id}": "canary:10", "POST /api/orders/checkout": "canary:20"}), {}, "shop")


def test_the_yaml_is_plain_deterministic_and_a_new_table_is_a_new_deployment(tmp_path):
    table = table_with(tmp_path, {"GET /api/cart": "service"})
    first, again = dump(template(table, BUDGETS, "shop")), dump(template(table, BUDGETS, "shop"))
    assert first == again and "&id" not in first and yaml.safe_load(first)["Resources"]["Api"]["Properties"]["Name"] == "shop"
    table.set_mode(["DELETE /api/cart"], Mode.parse("service"))
    deployments = [[k for k in yaml.safe_load(text)["Resources"] if k.startswith("Deployment")][0]
                   for text in (first, dump(template(table, BUDGETS, "shop")))]
    assert deployments[0] != deployments[1]  # CloudFormation only redeploys a stage for a new Deployment resource


def test_a_literal_path_that_stays_is_not_captured_by_a_moved_variable_beside_it(tmp_path):
    routes = {**ROUTES, "GET /{city}": "events", "GET /{city}/apply": "events", "GET /about": "monolith",
              "ANY /admin/{path+}": "monolith", "GET /api/orders/history": "monolith"}
    table = table_with(tmp_path, {"GET /{city}": "service", "GET /{city}/apply": "service",
                                  "GET /api/orders/{order_id}": "service"}, routes)
    document = template(table, BUDGETS, "shop")
    assert answer(document, "GET", "/berlin") == answer(document, "GET", "/berlin/apply") == "lambda:EventsFunctionArn"
    assert answer(document, "GET", "/api/orders/3") == "lambda:OrdersFunctionArn"
    for path in ("/about", "/admin", "/admin/login", "/admin/auth/user/3/change", "/api/orders/history"):
        assert answer(document, "GET", path) == "monolith", path
    (tmp_path / "one").mkdir()
    before = template(table_with(tmp_path / "one", {"GET /{city}": "service"}, {"GET /{city}": "events", "GET /x/{y}": "monolith"}),
                      BUDGETS, "shop")
    assert answer(before, "GET", "/x/1") == answer(before, "GET", "/x") == "monolith"
    assert answer(before, "GET", "/berlin") == "lambda:EventsFunctionArn"


def test_a_greedy_route_takes_the_variable_routes_of_its_service_beside_it(tmp_path):
    """`/files/{path+}` and `/files/{id}` of one service are one greedy resource (one variable child per level), as
    the service's Chalice app declares them (generation.routes.folded), not an error."""
    routes = {"GET /files/{path+}": "files", "DELETE /files/{id}": "files", "GET /files/{id}": "files",
              "GET /pages/{slug}": "pages"}
    document = template(table_with(tmp_path, {route: "service" for route in routes}, routes), {}, "shop")
    parts = [p["PathPart"] for p in resources(document, "ApiGateway::Resource").values()]
    assert sorted(parts) == ["files", "pages", "{id+}", "{proxy+}", "{proxy+}", "{slug}"]  # none under {id+}
    assert answer(document, "GET", "/files/2024/q1.csv") == "lambda:FilesFunctionArn"
    assert answer(document, "DELETE", "/files/7") == "lambda:FilesFunctionArn"
    assert answer(document, "POST", "/files/7") == "monolith"
