"""Starting data through Django's ORM: the rows a test's fixtures left behind, captured at its first
request and put back before replay (the Django half of decompose.contracts.startdata, same format).

A Django project has no app object holding its database: the models are the process's registry
(`django.apps.apps`), so the handler that served the request (WSGIHandler, the test client's
ClientHandler, a django-ninja TestClient) only says that Django is the framework.

    serves(app)      -> whether `app` is Django's (its class comes from django.* or ninja.*)
    capture()        -> {db_table: [{column: value}]} of every managed concrete model and
                        many-to-many table with rows, or None (the database is not reachable:
                        a test without database access, Django not set up)
    load(data)       -> rows inserted: each row whose primary key is not there yet, in one
                        transaction (foreign keys are deferred to its end, so order does not
                        matter), then PostgreSQL's sequences moved past them
    load(data, replace=True) -> a scenario's start: every table of an installed model holds exactly
                        the snapshot's rows, with their ids (emptied, then filled in one transaction;
                        a table that holds them already is left alone).
                        post_migrate's rows included: a service whose registry differs from the
                        monolith's (other models, another order) makes its content types and
                        permissions under other ids, and the snapshot's auth_permission rows point
                        at the monolith's content type ids (djangogirls' resets failed on that FK)
    load(data, strict=False) -> a generated service: rows of a table no model here describes are
                        another service's, and left to it
    fresh()          -> before a replayed scenario: the first time in a process, the test database
                        the suite's runner would make (Django's test environment, DEBUG off, with 127.0.0.1
                        and localhost allowed as LiveServerTestCase allows its host, CSRF checks
                        off as the test client has them, then
                        `create_test_db`: `test_<NAME>` on PostgreSQL, a shared in-memory SQLite,
                        migrations run); every later time that database flushed (post_migrate rows,
                        content types and permissions, made again), so each scenario starts empty.
                        In a fleet (the processes a verify or `gateway up --contract-world` starts,
                        each with DECOMPOSE_CONTRACT_RESET=1 and one DECOMPOSE_INTERNAL_SECRET) every
                        process shares one test database named after that fleet (a SQLite file in
                        the temporary folder, `test_<NAME>_<fleet>` elsewhere): the first process
                        creates and migrates it, the others use it, one at a time under a file lock;
                        it is flushed once per scenario (the first reset naming the scenario's folder,
                        DECOMPOSE_CONTRACT_SCENARIO, flushes it; the fleet's other resets for that
                        scenario find it flushed: djangogirls' 13 processes flushed it 13 times a
                        scenario); a reset naming no scenario flushes it always. A row one service
                        writes is there for the next.
                        `fresh(label)` (a service's generated tests, alone) names a PostgreSQL or
                        file database `test_<NAME>_<label>`, so two services' sessions side by side
                        never clobber each other's
    finish()         -> the test databases this process made alone, destroyed (a session's end)
    app_spec()       -> "config.wsgi:application" from settings.WSGI_APPLICATION, the app a replay
                        builds (the recorder's sightings name it for a Django suite); without that
                        setting "django.core.wsgi:get_wsgi_application", as runserver does

Columns are the table's (`author_id`, not `author`), values encoded as startdata.encode does. A read
runs in a savepoint when a transaction is open, so a table that cannot be read never breaks the
test's own transaction (PostgreSQL would refuse every later statement of it).
Standard library at import: this module runs in the monolith's interpreter beside the recorder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from typing import Any

from . import startdata as _startdata


def serves(app: Any) -> bool:
    return any(k.__module__.startswith(("django.", "ninja.")) for k in type(app).__mro__)


_TEST_DATABASES: list[str] = []  # aliases this process made (or, in a fleet, joined) a test database for
FLEET_ENABLE, FLEET_SECRET = "DECOMPOSE_CONTRACT_RESET", "DECOMPOSE_INTERNAL_SECRET"


def fresh(label: str | None = None) -> None:
    from django.test import utils

    if not _TEST_DATABASES:
        if not hasattr(utils._TestState, "saved_data"):  # set up once per process, by whoever comes first
            # what the suite's runner set: DEBUG off (pytest-django's and `manage.py test`'s default, whatever the
            # settings say), ALLOWED_HOSTS with testserver, locmem e-mail
            utils.setup_test_environment(debug=False)
        _allow_local_hosts()
        _skip_csrf_checks()
    fleet = fleet_name(os.environ)
    if fleet is None:
        _fresh_alone(label)
        return
    with _locked(os.path.join(tempfile.gettempdir(), f"decompose-django-{fleet}.lock")):
        _fresh_shared(fleet)


def fleet_name(environ: Any) -> str | None:
    """The fleet this process belongs to (a short digest of its shared secret), or None: a process
    alone (the in-process monolith, a recording) keeps a test database of its own."""
    secret = environ.get(FLEET_SECRET)
    if environ.get(FLEET_ENABLE) != "1" or not secret:
        return None
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def _fresh_alone(label: str | None = None) -> None:
    from django.core.management import call_command
    from django.db import connections

    if _TEST_DATABASES:
        for alias in _TEST_DATABASES:
            _flush(call_command, alias)
        return
    for alias in connections:
        connection = connections[alias]
        if label:
            _label_test_name(connection, label)
        _MADE[alias] = connection.settings_dict["NAME"]
        _create_test_db(connection)
        _TEST_DATABASES.append(alias)


def _flush(call_command: Any, alias: str) -> None:
    """Every table emptied, as TransactionTestCase does. CASCADE (PostgreSQL): a service whose copy of
    the code holds only some of the models still has every table the migrations made, and TRUNCATE of
    the tables it knows is refused while an unknown one holds a foreign key to them."""
    call_command("flush", interactive=False, verbosity=0, database=alias, allow_cascade=True)


_MADE: dict[str, Any] = {}  # alias -> the database's own name, for the test database this process made alone


def _label_test_name(connection: Any, label: str) -> None:
    """`test_<NAME>_<label>` where the test database is a named one (PostgreSQL, MySQL, a SQLite file the
    settings name): processes of several labels (a service's generated tests each) run side by side, where
    one `test_<NAME>` would be clobbered by the next to start. SQLite's in-memory default is each process's own."""
    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite" and (not test.get("NAME") or connection.creation.is_in_memory_db(test["NAME"])):
        return
    name = test.get("NAME") or f"test_{connection.settings_dict.get('NAME')}"
    root, dot, suffix = str(name).rpartition(".") if connection.vendor == "sqlite" else (name, "", "")
    test["NAME"] = f"{root}_{label}{dot}{suffix}" if dot else f"{name}_{label}"


def finish() -> None:
    """The test databases this process made alone, destroyed (the end of a test session, as the suite's
    runner ends); a fleet's shared database stays for its other processes."""
    from django.db import connections

    for alias, name in sorted(_MADE.items()):
        connections[alias].creation.destroy_test_db(name, verbosity=0)
        _TEST_DATABASES.remove(alias)
    _MADE.clear()


def _fresh_shared(fleet: str) -> None:
    """Under the fleet's lock: its database made by the first process (migrated, empty), joined by the
    others; flushed by every process but the one that has just made it."""
    from django.core.management import call_command
    from django.db import connections

    scenario = os.environ.get(SCENARIO)
    for alias in connections:
        connection = connections[alias]
        name = shared_test_name(connection.vendor, connection.settings_dict.get("NAME"), fleet, alias)
        made = os.path.join(tempfile.gettempdir(), f"decompose-django-{fleet}-{alias}.made")
        flushed = os.path.join(tempfile.gettempdir(), f"decompose-django-{fleet}-{alias}.flushed")
        if alias not in _TEST_DATABASES:
            _TEST_DATABASES.append(alias)
            if not os.path.exists(made):
                connection.settings_dict.setdefault("TEST", {})["NAME"] = name
                _create_test_db(connection)
                open(made, "w").close()  # noqa: SIM115  (a marker: its existence is the fact)
                _mark(flushed, scenario)
                continue
            _join(alias, name)
        if scenario is None or _read(flushed) != scenario:
            _flush(call_command, alias)
            _mark(flushed, scenario)


# the scenario the last rebuilding reset started, its folder (decompose_runtime.reset.SCENARIO)
SCENARIO = "DECOMPOSE_CONTRACT_SCENARIO"


def _mark(path: str, scenario: str | None) -> None:
    """The scenario the fleet's database was last emptied for (none: the next reset empties it again)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(scenario or "")


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read() or None
    except OSError:
        return None


def _create_test_db(connection: Any) -> None:
    """`create_test_db` with nothing serialized: `serialize=False` where Django still takes it (Django 6
    deprecates the argument and serializes only when asked)."""
    import inspect

    serialize = inspect.signature(connection.creation.create_test_db).parameters.get("serialize")
    extra = {} if serialize is None or serialize.default is None else {"serialize": False}
    connection.creation.create_test_db(verbosity=0, autoclobber=True, **extra)


def shared_test_name(vendor: str, name: Any, fleet: str, alias: str) -> str:
    """A fleet's test database: a SQLite file in the temporary folder, `test_<NAME>_<fleet>` elsewhere
    (never the suite's own `test_<NAME>`, which a monolith verified beside the fleet uses)."""
    if vendor == "sqlite":
        return os.path.join(tempfile.gettempdir(), f"decompose-django-{fleet}-{alias}.sqlite3")
    return f"test_{name}_{fleet}"


def _join(alias: str, name: str) -> None:
    """This process's connections (every thread's: they share the settings dict) go to the fleet's database."""
    from django.conf import settings
    from django.db import connections

    connection = connections[alias]
    connection.close()
    settings.DATABASES[alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


@contextlib.contextmanager
def _locked(path: str) -> Iterator[None]:
    """An exclusive lock on `path` between processes (POSIX; elsewhere the fleet's resets are not
    parallel enough to need it: the verifier resets the first process before the others)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _allow_local_hosts() -> None:
    """Replay reaches the app as 127.0.0.1 or localhost, where the suite's client said `testserver`:
    allowed as LiveServerTestCase allows its own host (a restricted ALLOWED_HOSTS answered every replayed
    request 400)."""
    from django.conf import settings

    missing = [h for h in LOCAL_HOSTS if h not in settings.ALLOWED_HOSTS]
    if "*" not in settings.ALLOWED_HOSTS and missing:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, *missing]


LOCAL_HOSTS = ("127.0.0.1", "localhost")


def _skip_csrf_checks() -> None:
    """Django's test client marks every request `_dont_enforce_csrf_checks` (unless a test asks for
    `Client(enforce_csrf_checks=True)`), so the suite's POSTs carry no CSRF token; replayed over HTTP
    they were refused 403 (kuma). The replaying process's handler marks its requests the same way."""
    from django.core.handlers.wsgi import WSGIHandler

    base = WSGIHandler.request_class
    if getattr(base, "decompose_replay", False):
        return

    class ReplayedRequest(base):
        decompose_replay = True

        def __init__(self, environ: Any) -> None:
            super().__init__(environ)
            self._dont_enforce_csrf_checks = True

    WSGIHandler.request_class = ReplayedRequest


def app_spec() -> str | None:
    try:
        from django.conf import settings

        dotted = settings.WSGI_APPLICATION
    except Exception:  # noqa: BLE001  (settings not configured: no Django world to name)
        return None
    module, _, attribute = (dotted or "").rpartition(".")
    # no WSGI_APPLICATION (Django's default is None): runserver's own choice, a plain factory
    return f"{module}:{attribute}" if module and attribute else "django.core.wsgi:get_wsgi_application"


def _models() -> list[Any]:
    from django.apps import apps

    found = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    return sorted(found, key=lambda m: m._meta.db_table)


def capture() -> dict[str, list[dict[str, Any]]] | None:
    try:
        from django.db import router, transaction

        found = {}
        for model in _models():
            alias = router.db_for_read(model)
            with _unlogged(alias), transaction.atomic(using=alias):
                rows = _rows(model, alias)
            if rows:
                found[model._meta.db_table] = rows
    except Exception:  # noqa: BLE001  (the suite's own database: a capture never breaks its test)
        return None
    return found


@contextlib.contextmanager
def _unlogged(alias: str) -> Iterator[None]:
    """The capture's queries taken back out of the connection's query log, which `assertNumQueries`
    counts: healthchecks' tests saw 13 queries where they expect 3."""
    from django.db import connections

    log = connections[alias].queries_log
    before = len(log)
    try:
        yield
    finally:
        if log.maxlen is None or before < log.maxlen:
            while len(log) > before:
                log.pop()


def _rows(model: Any, alias: str) -> list[dict[str, Any]]:
    fields = model._meta.concrete_fields
    columns = {f.attname: f.column for f in fields}
    by_name = {f.attname: f for f in fields}
    rows = [{columns[k]: _value(v, by_name[k]) for k, v in row.items()}
            for row in model._base_manager.using(alias).values(*columns)]
    key = model._meta.pk.column
    return sorted(rows, key=lambda row: _startdata._key(row, [key]))


def _value(value: Any, field: Any = None) -> Any:
    """startdata's encoding; a value it has no tag for goes as what its field writes to the database,
    which the field parses back on load (`to_python`): a DurationField's timedelta as Django's duration
    string (healthchecks' Check.timeout made every capture fail, so no scenario had starting data), a
    third-party field's object (an approximate date, a country) as its prepared value."""
    import datetime

    if isinstance(value, datetime.timedelta):
        from django.utils.duration import duration_string

        return duration_string(value)
    try:
        return _startdata.encode(value)
    except TypeError:
        if field is None:
            raise
    prepared = field.get_prep_value(value)
    try:
        return _startdata.encode(prepared)
    except TypeError:
        return str(prepared)


def load(data: dict[str, list[dict[str, Any]]], replace: bool = False, strict: bool = True) -> int:
    from django.db import router, transaction

    models = {m._meta.db_table: m for m in _models()}
    unknown = sorted(set(data) - set(models))
    if unknown and strict:
        raise _startdata.LoadError(f"starting data for table {unknown[0]!r}, which no installed Django model has")
    inserted = 0
    by_alias: dict[str, list[Any]] = {}
    for table in sorted(models if replace else set(data) & set(models)):
        by_alias.setdefault(router.db_for_write(models[table]), []).append(models[table])
    for alias, chosen in sorted(by_alias.items()):
        with transaction.atomic(using=alias):
            if replace:
                chosen = _differing(alias, chosen, data)
                _empty(alias, chosen)
            for model in chosen:
                inserted += _insert(model, alias, data.get(model._meta.db_table, []), replace)
        _advance_sequences(alias, chosen)
    return inserted


def _differing(alias: str, models: list[Any], data: dict[str, list[dict[str, Any]]]) -> list[Any]:
    """The models whose tables do not hold exactly the snapshot's rows yet: in a fleet every process loads
    the same rows into one database, and only the first has to write them (djangogirls' 13 processes took
    some 20 s a scenario deleting and inserting the same rows again)."""
    def wanted(model: Any) -> list[dict[str, Any]]:
        key = [model._meta.pk.column]
        return sorted(data.get(model._meta.db_table, []), key=lambda row: _startdata._key(row, key))
    return [m for m in models if _rows(m, alias) != wanted(m)]


def _empty(alias: str, models: list[Any]) -> None:
    """Every row of these tables deleted in SQL (no cascade collector, no signals): the transaction's
    foreign keys are checked at its end, once the snapshot's rows are back."""
    from django.db import connections

    connection = connections[alias]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _insert(model: Any, alias: str, rows: list[dict[str, Any]], exact: bool = False) -> int:
    """`rows` into the model's table; exact (its table emptied just before): all of them in one statement,
    where a row that does not fit is the snapshot's error; else one by one, each row already there (by
    primary key) updated to the given values."""
    if not rows:
        return 0
    manager = model._base_manager.using(alias)
    made = [model(**_values(model, row)) for row in rows]
    if exact:
        manager.bulk_create(made)
        return len(made)
    return _insert_missing(manager, alias, model._meta.pk.attname, made)


def _values(model: Any, row: dict[str, Any]) -> dict[str, Any]:
    fields = {f.column: f for f in model._meta.concrete_fields}
    wrong = sorted(set(row) - set(fields))
    if wrong:
        raise _startdata.LoadError(f"starting data for {model._meta.db_table}.{wrong[0]}, a column the model does not have")
    return {fields[c].attname: fields[c].to_python(_startdata.decode(v)) for c, v in row.items()}


def _insert_missing(manager: Any, alias: str, key: str, made: list[Any]) -> int:
    from django.db import IntegrityError, transaction

    present = set(manager.values_list("pk", flat=True))
    inserted = 0
    for instance in made:
        if getattr(instance, key) in present:  # a row the test changed between two requests: its new values
            _update(manager, alias, key, instance)
            continue
        try:  # a row the fresh app made under another key (a unique name) is skipped, as for SQLAlchemy
            with transaction.atomic(using=alias):
                manager.bulk_create([instance])
            inserted += 1
        except IntegrityError:
            continue
    return inserted


def _update(manager: Any, alias: str, key: str, instance: Any) -> None:
    """The row under the instance's key to its values; one that would break a unique value another row
    holds (a default the fresh app made under another key) is left as it is."""
    from django.db import IntegrityError, transaction

    fields = [f for f in instance._meta.concrete_fields if not f.primary_key]
    try:
        with transaction.atomic(using=alias):
            manager.filter(pk=getattr(instance, key)).update(**{f.attname: getattr(instance, f.attname) for f in fields})
    except IntegrityError:
        pass


def _advance_sequences(alias: str, models: list[Any]) -> None:
    """Rows inserted with their ids leave PostgreSQL's id sequences behind (SQLite's SQL here is empty)."""
    from django.core.management.color import no_style
    from django.db import connections

    connection = connections[alias]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
