"""The services' own venv (decompose.services_env) and the requirements it is built from: the monolith's
pins of what the code imports and of what those depend on, the Lambda runtime of the monolith's Python."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from decompose.errors import UserError
from decompose.generation.settings import Requirement, lambda_runtime, requirements
from decompose.interpreter import Installed, Interpreter, probe
from decompose.services_env import culprit, ensure, key, relaxed, requirement_lines, with_boto3
from tests.helpers import write_tree

OLD_FLASK = Installed({"flask": ["Flask"], "flask_login": ["Flask-Login"], "werkzeug": ["Werkzeug"]},
                      {"Flask": "0.12.2", "Werkzeug": "0.12.2", "Jinja2": "2.10", "MarkupSafe": "1.1.1",
                       "click": "6.7", "itsdangerous": "0.24", "Flask-Login": "0.4.0", "coverage": "4.4.1"},
                      {"Flask": ["Jinja2", "Werkzeug", "click", "itsdangerous"], "Jinja2": ["MarkupSafe"],
                       "Flask-Login": ["Flask"], "Werkzeug": ["watchdog"]}, (3, 9, 18))


def test_what_the_imported_distributions_depend_on_is_pinned_too():
    found = requirements({"flask_login", "os"}, set(), OLD_FLASK)
    assert found == [Requirement("click", "6.7", (), "Flask-Login"), Requirement("Flask", "0.12.2", (), "Flask-Login"),
                     Requirement("Flask-Login", "0.4.0", ("flask_login",)),
                     Requirement("itsdangerous", "0.24", (), "Flask-Login"), Requirement("Jinja2", "2.10", (), "Flask-Login"),
                     Requirement("MarkupSafe", "1.1.1", (), "Flask-Login"), Requirement("Werkzeug", "0.12.2", (), "Flask-Login")]
    # what is not installed (watchdog: an extra or a marker this Python did not meet) and the dev tools stay out
    assert not {"watchdog", "coverage"} & {r.name for r in found}


def test_a_distribution_the_code_imports_is_listed_as_imported_not_as_pulled_in():
    found = requirements({"flask", "werkzeug"}, set(), OLD_FLASK)
    assert Requirement("Werkzeug", "0.12.2", ("werkzeug",)) in found
    assert [r.name for r in found if r.via] == ["click", "itsdangerous", "Jinja2", "MarkupSafe"]


@pytest.mark.parametrize(("python", "runtime", "reported"), [
    ((3, 9, 18), "python3.9", True), ((3, 13, 0), "python3.13", False), ((), "python3.12", False),
    ((3, 14, 1), "python3.13", True), ((3, 8, 10), "python3.9", True)])
def test_the_lambda_runtime_follows_the_monolith_s_python(python, runtime, reported):
    chosen, why = lambda_runtime(python)
    assert chosen == runtime and bool(why) == reported
    assert not why or (f"Python {python[0]}.{python[1]}" in why or "the monolith's Python" in why) and runtime in why


def test_the_venv_is_built_from_every_requirements_file_once(tmp_path: Path):
    write_tree(tmp_path, {"services/shared/requirements.txt": "# header\nFlask==2.0.3\nchalice==1.31.0\n",
                          "services/cart/requirements.txt": "# header\nflask==2.0.3  # import flask\nPyJWT==2.8.0\n",
                          "services/users/requirements.txt": "\n"})
    lines = requirement_lines(tmp_path / "services")
    assert lines == ["chalice==1.31.0", "Flask==2.0.3", "PyJWT==2.8.0"]
    nine, twelve = (Interpreter(Path("p"), "--python", v) for v in ((3, 9, 1), (3, 12, 1)))
    assert key(lines, nine) == key(list(lines), nine) != key(lines, twelve) != key(lines[:2], twelve)
    assert relaxed(lines) == ["chalice<=1.31.0", "Flask==2.0.3", "PyJWT==2.8.0"]  # the monolith's pins stay exact


def test_the_installer_s_message_names_the_distribution():
    lines = ["Flask==0.12.2", "click==6.7", "chalice==1.31.0"]
    uv = "  × No solution found when resolving dependencies:\n  ╰─▶ Because chalice==1.31.0 depends on click>=7 ..."
    assert culprit(uv, lines) == "chalice==1.31.0"
    assert culprit("ERROR: nothing matches", lines) == "one of Flask==0.12.2, click==6.7, chalice==1.31.0"


def test_a_requirement_that_cannot_be_installed_is_one_clear_error(tmp_path: Path):
    write_tree(tmp_path, {"services/shared/requirements.txt": "decompose-no-such-distribution==0.0.1\n",
                          "services/cart/requirements.txt": "\n"})
    own = probe(Interpreter(Path(sys.executable), "--python"))
    with pytest.raises(UserError) as raised:
        ensure(own, tmp_path / "services", tmp_path)
    assert "installing the services' requirements failed at decompose-no-such-distribution==0.0.1" in raised.value.what
    assert "services/*/requirements.txt" in raised.value.next_step
    assert not (tmp_path / ".decompose" / "services-venv").exists()


def test_the_project_s_own_pins_come_first(tmp_path: Path):
    from decompose.generation.locks import pins

    write_tree(tmp_path, {"requirements/dev.txt": "-r common.txt\nFlask-Login==0.4.1\npytest==3.0.0  # tests\n",
                          "requirements/common.txt": "Flask==0.12.2\nflask-login==0.4.0\nsqlalchemy[asyncio]==1.1.11 ; "
                                                     "python_version >= '3'\n-e git+https://x/y#egg=z\nbleach>=2\n",
                          "poetry.lock": '[[package]]\nname = "Werkzeug"\nversion = "0.12.2"\n\n'
                                         '[[package]]\nname = "flask"\nversion = "1.0"\n',
                          "pyproject.toml": '[project]\nname = "x"\ndependencies = ["click==6.7", "six"]\n'})
    found = pins(tmp_path)
    assert found.files == ("poetry.lock", "requirements/common.txt", "requirements/dev.txt", "pyproject.toml")
    assert found.versions == {"werkzeug": "0.12.2", "flask": "1.0", "flask-login": "0.4.0", "sqlalchemy": "1.1.11",
                              "pytest": "3.0.0", "click": "6.7"}  # the lock first, production files before dev ones
    environment = OLD_FLASK.with_pins(found.versions, found.files)
    assert environment.version("Flask") == "1.0" and environment.version("MarkupSafe") == "1.1.1"
    # an import nothing installed provides is listed, not required under its own name (`jwt` is not PyJWT)
    assert requirements({"flask_sslify"}, set(), environment) == [
        Requirement("flask_sslify", None, ("flask_sslify",), provided=False)]


def test_an_import_nothing_provides_is_a_comment_not_a_requirement(tmp_path: Path):
    from decompose.generation.render import _requirements_text

    found = requirements({"flask", "jwt"}, set(), OLD_FLASK)
    text = _requirements_text("service x", found, OLD_FLASK)
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert "Flask==0.12.2" in lines and not any(line.startswith("jwt") for line in lines)
    assert "no distribution of the monolith's environment provides: jwt." in text


def test_uv_lock_is_read_before_poetry_lock(tmp_path: Path):
    from decompose.generation.locks import pins

    write_tree(tmp_path, {"poetry.lock": '[[package]]\nname = "flask"\nversion = "1.0"\n',
                          "uv.lock": 'version = 1\n[[package]]\nname = "flask"\nversion = "2.0.3"\n'})
    assert pins(tmp_path).version("Flask") == "2.0.3"
    assert pins(tmp_path).files == ("uv.lock", "poetry.lock")


def test_a_workspace_member_takes_the_lock_of_its_workspace_root(tmp_path: Path):
    from decompose.generation.locks import project_pins

    write_tree(tmp_path, {"repo/pyproject.toml": '[tool.uv.workspace]\nmembers = ["backend"]\n',
                          "repo/uv.lock": 'version = 1\n[[package]]\nname = "fastapi"\nversion = "0.115.0"\n',
                          "repo/backend/pyproject.toml": '[project]\nname = "app"\ndependencies = ["fastapi"]\n',
                          "uv.lock": 'version = 1\n[[package]]\nname = "fastapi"\nversion = "0.1.0"\n'})
    found = project_pins(tmp_path / "repo" / "backend")
    assert found.files == ("../uv.lock",) and found.version("FastAPI") == "0.115.0"


def test_the_lock_search_stops_at_the_repository_s_top(tmp_path: Path):
    from decompose.generation.locks import project_pins

    write_tree(tmp_path, {"uv.lock": 'version = 1\n[[package]]\nname = "flask"\nversion = "0.1"\n',
                          "repo/.git/HEAD": "ref: refs/heads/main\n", "repo/app/requirements.txt": "\n",
                          "other/.git/HEAD": "ref: refs/heads/main\n", "other/poetry.lock":
                          '[[package]]\nname = "flask"\nversion = "2.2.0"\n', "other/api/main.py": "\n"})
    assert project_pins(tmp_path / "repo" / "app").files == ()  # the lock above the repository is another project's
    assert project_pins(tmp_path / "other" / "api").files == ("../poetry.lock",)


def test_a_src_layout_takes_the_lock_of_its_project_root_without_git(tmp_path: Path):
    """pretalx: the app imports from src/, its pyproject.toml and uv.lock are one folder up, and a copy made
    with `git archive` has no .git to say where the repository starts."""
    from decompose.generation.locks import project_pins

    write_tree(tmp_path, {"uv.lock": 'version = 1\n[[package]]\nname = "django"\nversion = "1.0"\n',
                          "pyproject.toml": '[project]\nname = "elsewhere"\n',
                          "repo/pyproject.toml": '[project]\nname = "app"\ndependencies = ["django~=6.0"]\n',
                          "repo/uv.lock": 'version = 1\n[[package]]\nname = "django"\nversion = "6.0.1"\n',
                          "repo/src/app/__init__.py": "\n",
                          "tool/pyproject.toml": '[tool.ruff]\nline-length = 100\n', "tool/uv.lock": "version = 1\n",
                          "tool/src/x.py": "\n"})
    found = project_pins(tmp_path / "repo" / "src")
    assert found.files == ("../uv.lock",) and found.version("Django") == "6.0.1"
    # a pyproject.toml that declares no project is no project's root: the walk goes on (and finds the top's)
    assert project_pins(tmp_path / "tool" / "src").files[0] == "../../uv.lock"


def test_pipfile_lock_and_a_broken_lock(tmp_path: Path):
    from decompose.generation.locks import pins

    write_tree(tmp_path, {"Pipfile.lock": '{"default": {"django": {"version": "==4.2.1"}, "local": {"path": "."}}, '
                                          '"develop": {"pytest": {"version": "==8.0.0"}}}',
                          "uv.lock": "this is not toml ["})
    assert pins(tmp_path).versions == {"django": "4.2.1", "pytest": "8.0.0"}
    assert pins(tmp_path).files == ("Pipfile.lock",)


def test_distributions_named_only_in_settings_strings_are_required():
    from decompose.generation.settings import owned_strings
    from decompose.generation.source import parse

    settings = parse("proj.settings", '''
INSTALLED_APPS = ["django.contrib.auth", "corsheaders", "proj.users", "rest_framework"]
MIDDLEWARE = ("corsheaders.middleware.CorsMiddleware", "whitenoise.middleware.WhiteNoiseMiddleware")
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"]}
AUTH_USER_MODEL = "users.User"
title = "sentry_sdk.integrations"
LOG_LEVEL = "whitenoise"
''', False, "proj/settings.py")
    owners = {"corsheaders": ["django-cors-headers"], "whitenoise": ["whitenoise"], "django": ["Django"],
              "rest_framework": ["djangorestframework"], "rest_framework_simplejwt": ["djangorestframework-simplejwt"],
              "users": ["users"], "sentry_sdk": ["sentry-sdk"]}
    # lower-case names are not settings; a bare name counts only in an INSTALLED_APPS; "users.User" is
    # a model label, but `users` is installed: it is kept, and requirements() drops it when it is internal
    assert owned_strings([settings], owners) == {"corsheaders", "django", "rest_framework", "rest_framework_simplejwt",
                                                 "users", "whitenoise"}


def test_the_monolith_s_pins_of_chalice_s_own_dependencies_are_let_go_second():
    from decompose.services_env import serving_dependencies, shared_with_serving

    assert "click" in serving_dependencies() and "botocore" in serving_dependencies()
    lines = ["chalice==1.31.0", "click==6.7", "Flask==0.12.2", "PyYAML==3.12"]
    assert shared_with_serving(lines, {"click", "pyyaml", "chalice"}) == (
        ["chalice==1.31.0", "click", "Flask==0.12.2", "PyYAML"], ["click==6.7", "PyYAML==3.12"])


def test_installed_extras_of_imported_distributions_come_and_not_those_of_their_dependencies():
    environment = Installed({"pwdlib": ["pwdlib"]}, {"pwdlib": "0.2.1", "argon2-cffi": "23.1.0", "bcrypt": "4.2.0",
                                                     "pytest": "8.0.0", "cffi": "1.17.1"},
                            {"pwdlib": ["[extra]argon2-cffi", "[extra]bcrypt", "[extra]unused"],
                             "argon2-cffi": ["cffi"], "bcrypt": ["[extra]pytest"]})
    assert environment.closure(["pwdlib"]) == {"argon2-cffi": "pwdlib", "bcrypt": "pwdlib", "cffi": "pwdlib"}


def test_pins_chalice_cannot_run_beside_are_let_go_from_the_first_attempt():
    from packaging.specifiers import SpecifierSet

    from decompose.services_env import contradicting

    wanted = {"click": SpecifierSet(">=7,<9"), "six": SpecifierSet(">=1.10"), "chalice": SpecifierSet(">=1")}
    lines = ["chalice==1.31.0", "click==6.7", "Flask==0.12.2", "six==1.16.0", "pyyaml==3.12"]
    assert contradicting(lines, wanted) == (["chalice==1.31.0", "click", "Flask==0.12.2", "six==1.16.0", "pyyaml==3.12"],
                                            ["click==6.7"])


def test_chalice_s_own_requirements_are_read_with_their_specifiers():
    from decompose.services_env import serving_specifiers

    click = serving_specifiers()["click"]
    assert not click.contains("6.7") and click.contains(metadata_version("click"))


def metadata_version(name: str) -> str:
    from importlib import metadata

    return metadata.version(name)


def test_what_the_project_declares_for_development_only_is_read_from_its_files(tmp_path: Path):
    from decompose.generation.locks import project_pins

    write_tree(tmp_path, {"pyproject.toml": '''
[project]
name = "app"
dependencies = ["fastapi[standard]>=0.114", "SQLAlchemy>=2"]
[project.optional-dependencies]
test = ["factory_boy>=3"]
postgres = ["psycopg>=3"]
[dependency-groups]
dev = ["pytest>=8", "mypy>=1.8", "SQLAlchemy[mypy]>=2"]
[tool.poetry.group.lint.dependencies]
ruff = "*"
''', "requirements-dev.txt": "-r requirements.txt\nparameterized==0.9.0\n# a comment\n",
                          "requirements.txt": "fastapi==0.115.0\n"})
    found = project_pins(tmp_path)
    # SQLAlchemy is a production dependency too; psycopg's extra is no development one
    assert found.development == {"pytest", "mypy", "factory-boy", "ruff", "parameterized"}


def test_a_development_tool_pulled_in_through_an_extra_is_not_shipped():
    environment = Installed({"sqlalchemy": ["SQLAlchemy"]},
                            {"SQLAlchemy": "2.0.45", "mypy": "1.18", "librt": "0.1", "greenlet": "3.3.0"},
                            {"SQLAlchemy": ["[extra]mypy", "greenlet"], "mypy": ["librt"]}, (3, 10, 13))
    shipped = {r.name for r in requirements({"sqlalchemy"}, set(), environment)}
    assert shipped == {"SQLAlchemy", "greenlet", "mypy", "librt"}  # without the project's files: all installed extras
    pinned = environment.with_pins({}, (), frozenset({"mypy"}))
    assert {r.name for r in requirements({"sqlalchemy"}, set(), pinned)} == {"SQLAlchemy", "greenlet"}
    assert {r.name for r in requirements({"sqlalchemy", "mypy"}, set(), pinned)} == {"SQLAlchemy", "greenlet", "mypy",
                                                                                    "librt"}  # the code imports it


def test_boto3_joins_the_services_venv_only_when_a_service_uses_aws(tmp_path):
    lines = ["Flask==2.0.3", "pytest==8.3.5"]
    write_tree(tmp_path, {"cart/app.py": "", "cart/requirements.txt": "Flask==2.0.3\n"})
    assert with_boto3(lines, tmp_path) == lines  # nothing remediated: nothing more to install
    write_tree(tmp_path, {"images/chalicelib/aws.py": ""})
    assert with_boto3(lines, tmp_path) == ["boto3", "Flask==2.0.3", "pytest==8.3.5"]
    assert with_boto3(["boto3==1.28.0", *lines], tmp_path) == ["boto3==1.28.0", *lines]  # the project's own pin wins


def test_a_shared_kernels_aws_resources_bring_boto3_too(tmp_path):
    write_tree(tmp_path, {"shared/resources.json": "{}"})
    assert "boto3" in with_boto3(["Flask==2.0.3"], tmp_path)


def test_uv_is_found_where_a_tool_installed_decompose_has_it(tmp_path: Path, monkeypatch):
    from decompose.services_env import find_uv

    uv = tmp_path / "bin" / "uv"
    uv.parent.mkdir()
    uv.write_text("#!/bin/sh\n")
    uv.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("UV", str(uv))  # what `uv run` and `uv tool run` set
    assert find_uv() == str(uv)
    monkeypatch.setenv("UV", str(tmp_path / "missing"))  # a stale $UV is passed over, never run
    assert find_uv() != str(tmp_path / "missing")
    uv.chmod(0o644)  # not executable: passed over too
    monkeypatch.setenv("UV", str(uv))
    assert find_uv() != str(uv)
