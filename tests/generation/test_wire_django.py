"""Django rows and `request.user` between services (decompose_runtime.wire), in a child process:
Django's settings are configured once per process, so not in the test runner's."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("django")

SCRIPT = textwrap.dedent("""
    import json
    import django
    from django.conf import settings
    settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
                       DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    django.setup()
    from django.contrib.auth.models import AnonymousUser, Group, User
    from django.core.management import call_command
    from django.utils.functional import SimpleLazyObject
    from decompose.generation.runtime import wire
    call_command("migrate", verbosity=0)
    wire.allow(models=["django.contrib.auth.models:Group"])
    ada = User.objects.create_user("ada", id=7)
    staff = Group.objects.create(name="staff")
    lazy = SimpleLazyObject(lambda: User.objects.get(pk=7))  # request.user as AuthenticationMiddleware sets it
    back = wire.decode(json.loads(json.dumps(wire.encode([ada, lazy, staff, AnonymousUser()]))))
    User.objects.filter(pk=7).update(first_name="Ada")  # what a called service saved
    gone = User.objects.create_user("gone")
    User.objects.filter(pk=gone.pk).delete()
    wire.refresh([ada, "not a row", gone])

    def refused(action):
        try:
            action()
        except wire.WireError as error:
            return str(error)
        return ""

    print(json.dumps({
        "user": wire.encode(ada), "lazy": wire.encode(lazy),
        "back": [type(v).__name__ for v in back], "names": [getattr(v, "username", getattr(v, "name", "")) for v in back],
        "refreshed": ada.first_name, "deleted_kept": gone.username,
        "unsaved": refused(lambda: wire.encode(User(username="bob"))),
        "unknown": refused(lambda: wire.decode({"$model": "django.contrib.auth.models:Permission", "pk": [1]})),
        "missing": refused(lambda: wire.decode({"$model": "django.contrib.auth.models:User", "pk": [99]})),
    }))
""")


@pytest.fixture(scope="module")
def result():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_django_row_travels_by_primary_key(result):
    assert result["user"] == {"$model": "django.contrib.auth.models:User", "pk": [7]}
    assert result["back"][0] == "User" and result["names"][0] == "ada"


def test_request_user_travels_as_the_user_it_wraps(result):
    """The zoo's checkout passed request.user to another service: a SimpleLazyObject was refused."""
    assert result["lazy"] == result["user"]
    assert result["back"][1] == "User" and result["names"][1] == "ada"


def test_an_allowed_model_and_the_anonymous_user_are_read_back(result):
    assert result["back"][2:] == ["Group", "AnonymousUser"] and result["names"][2] == "staff"


def test_what_cannot_be_read_back_is_refused_by_name(result):
    assert "save it first" in result["unsaved"]
    assert "Permission" in result["unknown"] and "does not know" in result["unknown"]
    assert "99" in result["missing"] and "not in the database" in result["missing"]


def test_rows_given_to_a_call_are_read_again_after_it(result):
    """The zoo's cancel_order(order) set order.status in the other service: the caller answered 'placed'."""
    assert result["refreshed"] == "Ada"
    assert result["deleted_kept"] == "gone"  # a row the call deleted keeps what the caller had
