"""The wire format between services: values round trip through JSON, ORM rows travel by primary key,
errors come back as their own class, and anything else is a WireError saying where it was."""

import datetime as dt
import decimal
import json
import uuid

import pytest
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

import decompose.generation.runtime.wire as wire


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "product"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class OutOfStock(Exception):
    def __init__(self, sku: str, left: int) -> None:
        super().__init__(f"{sku} is out of stock")
        self.sku = sku
        self.left = left


class LocalOutOfStock(Exception):
    pass


@pytest.fixture(autouse=True)
def clean_wire():
    """Every test starts with this module's model and error classes allowed, as generated code allows its own."""
    wire.configure(None)
    saved = dict(wire._ERRORS), dict(wire._MODELS)
    wire._ERRORS.clear()
    wire._MODELS.clear()
    wire.allow(models=[f"{__name__}:Product"], errors=[f"{__name__}:OutOfStock"])
    yield
    wire.configure(None)
    for table, before in zip((wire._ERRORS, wire._MODELS), saved):
        table.clear()
        table.update(before)


@pytest.fixture()
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def round_trip(value):
    return wire.decode(json.loads(json.dumps(wire.encode(value))))


# --- values --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, True, False, 0, -7, 2**70, 1.5, "", "héllo", [], {}])
def test_scalars_and_empty_containers_are_themselves(value):
    assert wire.encode(value) == value
    assert round_trip(value) == value
    assert type(round_trip(value)) is type(value)


def test_nested_lists_and_dicts_round_trip_untagged():
    value = {"a": [1, {"b": [None, "x"]}], "c": {"d": {"e": 2.5}}}
    assert wire.encode(value) == value
    assert round_trip(value) == value


def test_tuples_and_sets():
    assert wire.encode((1, "a")) == {"$tuple": [1, "a"]}
    assert round_trip((1, ("a", None))) == (1, ("a", None))
    assert wire.encode({3, 1}) == {"$set": [1, 3]}
    assert round_trip({1, (2, 3)}) == {1, (2, 3)}
    assert round_trip(frozenset({"x"})) == {"x"}


def test_bytes_of_every_value_round_trip():
    value = bytes(range(256))
    assert wire.encode(b"\x00\xff") == {"$bytes": "AP8="}
    assert round_trip(value) == value
    assert round_trip(bytearray(b"ab")) == b"ab"


@pytest.mark.parametrize("value, encoded", [
    (dt.datetime(2024, 2, 29, 13, 5, 7, 123456), {"$datetime": "2024-02-29T13:05:07.123456"}),
    (dt.datetime(2024, 1, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=2))), {"$datetime": "2024-01-01T09:00:00+02:00"}),
    (dt.date(2024, 2, 29), {"$date": "2024-02-29"}),
    (dt.time(23, 59, 1), {"$time": "23:59:01"}),
    (dt.timedelta(days=-1, seconds=5, microseconds=7), {"$timedelta": [-1, 5, 7]}),
    (decimal.Decimal("12.3400"), {"$decimal": "12.3400"}),
    (uuid.UUID("12345678-1234-5678-1234-567812345678"), {"$uuid": "12345678-1234-5678-1234-567812345678"}),
])
def test_standard_library_values(value, encoded):
    assert wire.encode(value) == encoded
    decoded = round_trip(value)
    assert decoded == value
    assert type(decoded) is type(value)


def test_dict_with_int_keys():
    value = {1: "one", 2: ["two"]}
    assert wire.encode(value) == {"$dict": [[1, "one"], [2, ["two"]]]}
    assert round_trip(value) == value


def test_dict_with_tuple_keys():
    assert round_trip({(1, 2): "a"}) == {(1, 2): "a"}


@pytest.mark.parametrize("value", [
    {"$tuple": [1, 2]},
    {"$model": "x:Y", "pk": [1]},
    {"$error": "builtins:ValueError", "args": []},
    {"$weird": 1, "plain": 2},
])
def test_dicts_with_keys_starting_with_dollar_stay_dicts(value):
    assert set(wire.encode(value)) == {"$dict"}
    assert round_trip(value) == value


def test_unsupported_object_names_its_path_and_type():
    class Opaque:
        pass

    with pytest.raises(wire.WireError) as info:
        wire.encode([1, {"x": Opaque()}], "arguments")
    assert str(info.value).startswith("arguments[1]['x'] is a ")
    assert "Opaque" in str(info.value)
    assert "cannot travel between services" in str(info.value)


def test_unsupported_object_inside_a_tuple_names_its_path():
    with pytest.raises(wire.WireError, match=r"^value\[0\]\[2\] is a builtins.object"):
        wire.encode([(1, 2, object())])


# --- ORM rows ------------------------------------------------------------------------------------------

def test_flushed_row_travels_by_primary_key(session):
    row = Product(name="lamp")
    session.add(row)
    session.flush()
    encoded = wire.encode(row)
    assert encoded == {"$model": f"{__name__}:Product", "pk": [row.id]}
    wire.configure(session=lambda: session)
    assert wire.decode(json.loads(json.dumps(encoded))) is row


def test_row_inside_a_structure_travels(session):
    row = Product(name="lamp")
    session.add(row)
    session.flush()
    wire.configure(session=lambda: session)
    assert round_trip({"items": [row], "n": 1}) == {"items": [row], "n": 1}


def test_unflushed_row_is_refused_with_a_hint_to_flush(session):
    row = Product(name="lamp")
    session.add(row)
    with pytest.raises(wire.WireError, match="flush the session first"):
        wire.encode(row)


def test_row_not_in_the_database_mentions_the_transaction(session):
    wire.configure(session=lambda: session)
    with pytest.raises(wire.WireError) as info:
        wire.decode({"$model": f"{__name__}:Product", "pk": [999]})
    assert "[999]" in str(info.value)
    assert "transaction" in str(info.value)


def test_row_without_a_configured_session_says_so():
    with pytest.raises(wire.WireError, match="no session is configured"):
        wire.decode({"$model": f"{__name__}:Product", "pk": [1]})


# --- errors --------------------------------------------------------------------------------------------

def test_builtin_error_round_trips():
    encoded = wire.encode_error(KeyError("sku-1"))
    assert encoded == {"$error": "builtins:KeyError", "args": ["sku-1"], "state": {}}
    error = wire.decode_error(json.loads(json.dumps(encoded)))
    assert type(error) is KeyError
    assert error.args == ("sku-1",)


def test_custom_error_round_trips_with_its_attributes():
    encoded = wire.encode_error(OutOfStock("sku-1", 0))
    assert encoded == {"$error": f"{__name__}:OutOfStock", "args": ["sku-1 is out of stock"],
                       "state": {"sku": "sku-1", "left": 0}}
    error = wire.decode_error(json.loads(json.dumps(encoded)))
    assert type(error) is OutOfStock
    assert (error.args, error.sku, error.left) == (("sku-1 is out of stock",), "sku-1", 0)


def test_error_with_unencodable_state_travels_as_its_message():
    error = OutOfStock("sku-1", 0)
    error.sku = object()
    encoded = wire.encode_error(error)
    assert encoded == {"$error": f"{__name__}:OutOfStock", "args": ["sku-1 is out of stock"], "state": {}}


def test_error_inside_a_value_is_encoded_as_an_error():
    assert round_trip([ValueError("bad")])[0].args == ("bad",)


def test_unknown_error_class_decodes_to_remote_error():
    error = wire.decode_error({"$error": "nowhere.at.all:Gone", "args": ["it", 2], "state": {}})
    assert type(error) is wire.RemoteError
    assert error.origin == "nowhere.at.all:Gone"
    assert str(error) == "nowhere.at.all:Gone: it 2"


def test_name_that_is_not_an_exception_decodes_to_remote_error():
    error = wire.decode_error({"$error": "os:getcwd", "args": ["no"]})
    assert type(error) is wire.RemoteError
    assert str(error) == "os:getcwd: no"


def test_registered_error_class_is_used():
    wire.register_error("pkg.shop:OutOfStock", LocalOutOfStock)
    error = wire.decode_error({"$error": "pkg.shop:OutOfStock", "args": ["gone"], "state": {"sku": "s"}})
    assert type(error) is LocalOutOfStock
    assert (error.args, error.sku) == (("gone",), "s")


def test_a_value_nested_too_deep_inside_a_tagged_value_says_so():
    with pytest.raises(wire.WireError, match="nests more than 64 levels"):
        wire.decode({"$tuple": json.loads("[" * 70 + "]" * 70)})
