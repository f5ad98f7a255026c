"""Starting data through Django's ORM (decompose.contracts.django_data), on Django's own auth models in
a child process (Django's settings are configured once per process, so not in the test runner's)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("django")

SCRIPT = textwrap.dedent("""
    import json, sys
    import django
    from django.conf import settings
    import os
    os.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings.test"
    settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"], USE_TZ=True, DEBUG=True,
                       WSGI_APPLICATION="proj.wsgi.application", ALLOWED_HOSTS=["shop.example"],
                       DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}})
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.test.client import ClientHandler
    from decompose.contracts import sightings, startdata
    seen = sightings.Sightings()
    seen.reached(ClientHandler())
    call_command("migrate", verbosity=0)
    editors = Group.objects.create(name="editors")
    ada = User.objects.create_user("ada", "ada@example.com", "pw", id=7)
    ada.groups.add(editors)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as counted:  # what assertNumQueries counts
        data = startdata.capture(ClientHandler())
    call_command("flush", interactive=False, verbosity=0)
    inserted = startdata.load(ClientHandler(), {k: v for k, v in data.items() if k.startswith("auth_")})
    again = startdata.load(ClientHandler(), data)
    changed = startdata.load(ClientHandler(), {"auth_user": [{**data["auth_user"][0], "email": "ada@new.example.com"}]})
    changed_email = User.objects.get(pk=7).email
    try:
        startdata.load(ClientHandler(), {"no_such_table": [{"id": 1}]})
        refused = ""
    except startdata.LoadError as error:
        refused = str(error)
    from decompose.contracts import django_data
    settings.WSGI_APPLICATION = None  # Django's default: runserver builds get_wsgi_application()
    default_spec = django_data.app_spec()
    members = [(u.pk, [g.name for g in u.groups.all()]) for u in User.objects.all()]
    next_id = User.objects.create_user("bob").pk
    startdata.fresh(ClientHandler())  # the first scenario: a test database, migrated
    test_name = str(settings.DATABASES["default"]["NAME"])
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory
    csrf_off = WSGIHandler.request_class(RequestFactory().post("/x").environ)._dont_enforce_csrf_checks
    User.objects.create_user("carol")
    startdata.fresh(ClientHandler())  # the next one: emptied
    print(json.dumps({"tables": sorted(data), "users": data["auth_user"], "inserted": inserted, "again": again,
                      "changed": [changed, changed_email],
                      "members": members,
                      "next_id": next_id, "refused": refused, "not_django": startdata.capture(object()),
                      "world": seen.to_json(), "test_name": test_name, "users_after_fresh": User.objects.count(),
                      "content_types": ContentType.objects.count(), "hosts": settings.ALLOWED_HOSTS,
                      "default_spec": default_spec, "csrf_off": csrf_off, "debug": settings.DEBUG,
                      "counted": len(counted)}))
""")


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory):
    database = tmp_path_factory.mktemp("django") / "db.sqlite3"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(database)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_rows_are_captured_by_table_with_their_columns(roundtrip):
    assert {"auth_user", "auth_group", "auth_user_groups", "django_content_type"} <= set(roundtrip["tables"])
    (user,) = roundtrip["users"]
    assert user["id"] == 7 and user["username"] == "ada" and user["is_active"] is True
    assert set(user["date_joined"]) == {"$datetime"}
    assert roundtrip["not_django"] is None
    assert roundtrip["counted"] == 0  # a test's assertNumQueries never counts the capture's reads


def test_loaded_rows_keep_their_keys_and_relations(roundtrip):
    assert roundtrip["inserted"] == 3  # ada, editors, the membership (permissions were there)
    assert roundtrip["members"][0] == [7, ["editors"]]
    assert roundtrip["again"] == 0  # every row already there: nothing twice
    assert roundtrip["changed"] == [0, "ada@new.example.com"]  # a row a test changed between requests: updated
    assert roundtrip["next_id"] == 8


def test_an_unknown_table_is_refused_by_name(roundtrip):
    assert "no_such_table" in roundtrip["refused"] and "Django model" in roundtrip["refused"]


def test_a_django_suite_names_its_wsgi_application_and_settings_as_the_world(roundtrip):
    assert roundtrip["world"] == {"apps": [{"spec": "proj.wsgi:application", "tests": 1}],
                                  "env": {"DJANGO_SETTINGS_MODULE": "proj.settings.test"}}
    assert roundtrip["default_spec"] == "django.core.wsgi:get_wsgi_application"  # kuma sets no WSGI_APPLICATION


def test_each_replayed_scenario_starts_on_an_empty_migrated_test_database(roundtrip):
    assert roundtrip["test_name"] != "db.sqlite3" and "memory" in roundtrip["test_name"]  # never the project's own
    assert roundtrip["users_after_fresh"] == 0
    assert roundtrip["content_types"] > 0  # post_migrate rows made again, as in the suite's test database
    assert roundtrip["hosts"] == ["shop.example", "testserver", "127.0.0.1", "localhost"]  # replay's hosts too
    assert roundtrip["csrf_off"] is True  # as the suite's test client sent them
    # the suite's runner (pytest-django, manage.py test) runs with DEBUG off whatever the settings say: a replay
    # with it on answered healthchecks' 404s with Django's technical page where the suite saw the plain one
    assert roundtrip["debug"] is False


def test_a_duration_goes_as_the_text_its_field_parses_back():
    """healthchecks' Check.timeout (a DurationField): a timedelta made the whole capture fail."""
    import datetime

    from django.db.models import DurationField

    from decompose.contracts import django_data

    text = django_data._value(datetime.timedelta(days=1, seconds=5, microseconds=7))
    assert text == "1 00:00:05.000007"
    assert DurationField().to_python(text) == datetime.timedelta(days=1, seconds=5, microseconds=7)


def test_a_third_party_field_s_value_goes_as_what_the_field_writes_and_parses_back():
    """A held-out Django site's approximate-date field: a value startdata has no tag for made the whole
    capture fail silently (no scenario had starting data: 16 of 83 answered 404 on replay)."""
    from django.db.models import CharField

    from decompose.contracts import django_data

    class Approximate:  # what a third-party field's from_db_value hands back
        def __init__(self, text):
            self.text = text

        def __str__(self):
            return self.text

    class ApproximateField(CharField):
        def get_prep_value(self, value):
            return str(value) if isinstance(value, Approximate) else value

        def to_python(self, value):
            return Approximate(value) if isinstance(value, str) else value

    field = ApproximateField(max_length=10)
    text = django_data._value(Approximate("2027-03-00"), field)
    assert text == "2027-03-00" and field.to_python(text).text == "2027-03-00"
    with pytest.raises(TypeError):  # no field to ask: never a silent guess
        django_data._value(Approximate("2027-03-00"))


FLEET = textwrap.dedent("""
    import json, sys
    import django
    from django.conf import settings
    settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
                       DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}})
    django.setup()
    from django.contrib.auth.models import User
    from decompose.contracts import django_data
    django_data.fresh()  # the scenario's reset in this service
    before = User.objects.count()
    User.objects.create_user(sys.argv[2])  # what this service's request wrote
    print(json.dumps({"name": settings.DATABASES["default"]["NAME"], "before": before,
                      "users": sorted(User.objects.values_list("username", flat=True))}))
""")


def _service(database, user: str, env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", FLEET, str(database), user], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_services_of_one_fleet_share_one_test_database(tmp_path):
    """Generated services are separate processes: a row one writes must be there for the next (the zoo's
    orders service read a cart another service had filled), and each reset empties it for all."""
    import os
    import secrets

    env = {**os.environ, "DECOMPOSE_CONTRACT_RESET": "1", "DECOMPOSE_INTERNAL_SECRET": secrets.token_hex(8),
           "TMPDIR": str(tmp_path)}
    first = _service(tmp_path / "db.sqlite3", "ada", env)
    second = _service(tmp_path / "db.sqlite3", "bob", env)
    other_fleet = _service(tmp_path / "db.sqlite3", "carol", {**env, "DECOMPOSE_INTERNAL_SECRET": "another"})
    assert first["name"] == second["name"] != other_fleet["name"]
    assert first["name"].startswith(str(tmp_path)) and "db.sqlite3" not in first["name"]  # never the project's
    assert first["before"] == 0 and first["users"] == ["ada"]
    assert second["before"] == 0 and second["users"] == ["bob"]  # joined, migrated, flushed by its reset
    assert other_fleet["users"] == ["carol"]


def test_a_fleet_is_named_by_its_secret_only_when_resets_are_on():
    from decompose.contracts import django_data

    on = {"DECOMPOSE_CONTRACT_RESET": "1", "DECOMPOSE_INTERNAL_SECRET": "s3cret"}
    assert django_data.fleet_name(on) == django_data.fleet_name(dict(on)) != django_data.fleet_name({**on, "DECOMPOSE_INTERNAL_SECRET": "x"})
    assert "s3cret" not in django_data.fleet_name(on)
    assert django_data.fleet_name({"DECOMPOSE_INTERNAL_SECRET": "s3cret"}) is None
    assert django_data.fleet_name({"DECOMPOSE_CONTRACT_RESET": "1"}) is None


def test_a_fleet_database_never_takes_the_suites_own_test_name():
    from decompose.contracts import django_data

    assert django_data.shared_test_name("postgresql", "kuma", "abc123", "default") == "test_kuma_abc123"
    sqlite = django_data.shared_test_name("sqlite", "/srv/db.sqlite3", "abc123", "default")
    assert sqlite.endswith("decompose-django-abc123-default.sqlite3") and "/srv" not in sqlite


LABELLED = textwrap.dedent("""
    import json, os, sys
    import django
    from django.conf import settings
    folder = sys.argv[1]
    settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
                       DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(folder, "db.sqlite3"),
                                              "TEST": {"NAME": os.path.join(folder, "test.sqlite3")}}})
    django.setup()
    from django.contrib.auth.models import User
    from decompose.contracts import django_data
    django_data.fresh("shop")  # a service's generated tests: the session's test database
    made = settings.DATABASES["default"]["NAME"]
    User.objects.create_user("ada")
    django_data.fresh("shop")  # the next test: emptied, the same database
    after = User.objects.count()
    existed = os.path.exists(made)
    django_data.finish()  # the session's end
    print(json.dumps({"made": made, "after": after, "existed": existed, "left": os.path.exists(made),
                      "name": settings.DATABASES["default"]["NAME"]}))
""")


def test_a_labelled_test_database_is_the_sessions_own_and_goes_at_its_end(tmp_path):
    """A service's generated tests make the suite runner's test database once per session, named after the
    service (two services' sessions run side by side), flush it per test and destroy it at the end."""
    done = subprocess.run([sys.executable, "-c", LABELLED, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["made"] == str(tmp_path / "test_shop.sqlite3") and seen["existed"]
    assert seen["after"] == 0
    assert not seen["left"] and seen["name"] == str(tmp_path / "db.sqlite3")  # destroyed, the settings as they were


class _Connection:
    def __init__(self, vendor: str, name: str, test: dict) -> None:
        from django.db.backends.sqlite3.creation import DatabaseCreation

        self.vendor, self.settings_dict, self.creation = vendor, {"NAME": name, "TEST": test}, DatabaseCreation


@pytest.mark.parametrize(("vendor", "test", "named"), [
    ("postgresql", {}, "test_kuma_plus"),  # Django's test_<NAME>, labelled
    ("postgresql", {"NAME": "kuma_ci"}, "kuma_ci_plus"),  # the settings' own test name, labelled
    ("sqlite", {}, None),  # in memory: each process's own
    ("sqlite", {"NAME": ":memory:"}, ":memory:"),
])
def test_a_label_names_only_a_database_other_processes_could_share(vendor, test, named):
    from decompose.contracts import django_data

    connection = _Connection(vendor, "kuma", dict(test))
    django_data._label_test_name(connection, "plus")
    assert connection.settings_dict["TEST"].get("NAME") == named


EXACT = textwrap.dedent("""
    import json, sys
    import django
    from django.conf import settings
    apps = sys.argv[2].split(",")  # the same apps in another order: post_migrate numbers content types otherwise
    settings.configure(INSTALLED_APPS=apps, USE_TZ=True,
                       DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}})
    django.setup()
    from django.contrib.auth.models import Permission, User
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.test.client import ClientHandler
    from decompose.contracts import startdata
    call_command("migrate", verbosity=0)
    ids = {f"{c.app_label}.{c.model}": c.pk for c in ContentType.objects.all()}
    if sys.argv[3] == "capture":
        ada = User.objects.create_user("ada", id=7)
        ada.user_permissions.add(Permission.objects.get(codename="change_session"))
        print(json.dumps({"ids": ids, "data": startdata.capture(ClientHandler())}))
        sys.exit()
    data = json.loads(sys.stdin.read())
    data["orders_order"] = [{"id": 1}]  # another service's table
    User.objects.create_user("left-over")  # a row the snapshot does not have
    loaded = startdata.load(ClientHandler(), data, strict=False, replace=True)
    again = startdata.load(ClientHandler(), data, strict=False, replace=True)  # the next process of a fleet
    ada = User.objects.get(pk=7)
    print(json.dumps({"ids": ids, "loaded": loaded, "again": again, "users": sorted(User.objects.values_list("username", flat=True)),
                      "after": {f"{c.app_label}.{c.model}": c.pk for c in ContentType.objects.all()},
                      "ada_may": ada.has_perm("sessions.change_session"), "next_id": User.objects.create_user("bob").pk}))
""")


def _exact(database, apps: str, mode: str, data: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", EXACT, str(database), apps, mode], input=data, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_scenario_start_holds_the_snapshots_rows_with_their_ids_content_types_included(tmp_path):
    """djangogirls: a service's post_migrate made django_content_type rows under other ids than the monolith's,
    so the snapshot's auth_permission rows pointed at content types that were not there (the reset failed)."""
    monolith = _exact(tmp_path / "monolith.sqlite3", "django.contrib.contenttypes,django.contrib.auth,django.contrib.sessions", "capture")
    service = _exact(tmp_path / "service.sqlite3", "django.contrib.contenttypes,django.contrib.sessions,django.contrib.auth", "load",
                     json.dumps(monolith["data"]))
    assert service["ids"] != monolith["ids"]  # the premise: the same content types under other ids
    assert service["after"] == monolith["ids"]
    assert service["users"] == ["ada"]  # the row the snapshot does not have is gone
    assert service["ada_may"] is True  # her permission row still names the session content type
    assert service["loaded"] == sum(len(rows) for rows in monolith["data"].values())
    assert service["again"] == 0  # the tables hold those rows already: nothing written twice
    assert service["next_id"] == 8


def test_a_fleet_flushes_its_database_once_per_scenario(tmp_path):
    """djangogirls: 13 processes each flushed the shared PostgreSQL database at every scenario's reset
    (~30 s a scenario). The first reset naming a scenario flushes it; the fleet's others for that scenario
    keep it; the next scenario, or a reset naming none, flushes it again."""
    import os
    import secrets

    env = {**os.environ, "DECOMPOSE_CONTRACT_RESET": "1", "DECOMPOSE_INTERNAL_SECRET": secrets.token_hex(8),
           "TMPDIR": str(tmp_path)}
    one, two = {**env, "DECOMPOSE_CONTRACT_SCENARIO": "/s/scenario-1"}, {**env, "DECOMPOSE_CONTRACT_SCENARIO": "/s/scenario-2"}
    first = _service(tmp_path / "db.sqlite3", "ada", one)
    same = _service(tmp_path / "db.sqlite3", "bob", one)
    assert (first["before"], same["before"], same["users"]) == (0, 1, ["ada", "bob"])  # not flushed again
    assert _service(tmp_path / "db.sqlite3", "carol", two)["users"] == ["carol"]
    unnamed = {k: v for k, v in env.items() if k != "DECOMPOSE_CONTRACT_SCENARIO"}
    assert _service(tmp_path / "db.sqlite3", "dan", unnamed)["users"] == ["dan"]
    assert _service(tmp_path / "db.sqlite3", "eve", unnamed)["users"] == ["eve"]  # no scenario: always flushed
