"""Schema inference from hand-made answers, checked with the jsonschema package."""

import jsonschema
import pytest

from decompose.contracts.schema import DIALECT, infer


def valid(schema: dict, instance: object) -> bool:
    try:
        jsonschema.validate(instance, schema)
    except jsonschema.ValidationError:
        return False
    return True


def test_keys_present_in_every_example_are_required():
    schema = infer([{"id": 1, "note": "x"}, {"id": 2}])
    assert schema["$schema"] == DIALECT
    assert schema["required"] == ["id"] and schema["properties"]["note"] == {"type": "string"}
    assert valid(schema, {"id": 3}) and not valid(schema, {"note": "no id"}) and not valid(schema, {"id": "3"})


def test_types_are_unioned_and_integer_widens_to_number():
    assert infer([1, 2.5])["type"] == "number"
    assert infer([None, "a"])["type"] == ["null", "string"]
    assert infer([True])["type"] == "boolean"  # not an integer, although bool is an int in Python


def test_array_items_come_from_all_examples_and_an_empty_array_says_nothing():
    schema = infer([{"tags": ["a"]}, {"tags": []}])
    assert schema["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert infer([[]]) == {"$schema": DIALECT, "type": "array"}


def test_mixed_shapes_become_any_of_and_still_validate():
    schema = infer([{"error": "x"}, [1, 2]])
    assert [b["type"] for b in schema["anyOf"]] == ["array", "object"]
    assert valid(schema, [3]) and valid(schema, {"error": "y"}) and not valid(schema, "text")


def test_a_renamed_field_fails_the_inferred_schema():
    schema = infer([{"order": {"id": 1, "total_cents": 300}}])
    assert not valid(schema, {"order": {"id": 1, "total": 300}})


def test_inference_is_deterministic_and_rejects_non_json():
    assert infer([{"b": 1, "a": 2}]) == infer([{"a": 2, "b": 1}])
    assert list(infer([{"b": 1, "a": 2}])["properties"]) == ["a", "b"]
    with pytest.raises(TypeError, match="not a JSON value"):
        infer([{1, 2}])
