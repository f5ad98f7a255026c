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
    settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"], USE_TZ=True,
                       DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}})
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test.client import ClientHandler
    from decompose.contracts import startdata
    call_command("migrate", verbosity=0)
    editors = Group.objects.create(name="editors")
    ada = User.objects.create_user("ada", "ada@example.com", "pw", id=7)
    ada.groups.add(editors)
    data = startdata.capture(ClientHandler())
    call_command("flush", interactive=False, verbosity=0)
    inserted = startdata.load(ClientHandler(), {k: v for k, v in data.items() if k.startswith("auth_")})
    again = startdata.load(ClientHandler(), data)
    try:
        startdata.load(ClientHandler(), {"no_such_table": [{"id": 1}]})
        refused = ""
    except startdata.LoadError as error:
        refused = str(error)
    print(json.dumps({"tables": sorted(data), "users": data["auth_user"], "inserted": inserted, "again": again,
                      "members": [(u.pk, [g.name for g in u.groups.all()]) for u in User.objects.all()],
                      "next_id": User.objects.create_user("bob").pk, "refused": refused,
                      "not_django": startdata.capture(object())}))
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


def test_loaded_rows_keep_their_keys_and_relations(roundtrip):
    assert roundtrip["inserted"] == 3  # ada, editors, the membership (permissions were there)
    assert roundtrip["members"][0] == [7, ["editors"]]
    assert roundtrip["again"] == 0  # every row already there: nothing twice
    assert roundtrip["next_id"] == 8


def test_an_unknown_table_is_refused_by_name(roundtrip):
    assert "no_such_table" in roundtrip["refused"] and "Django model" in roundtrip["refused"]
