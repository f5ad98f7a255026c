"""The monolith's dotenv files: found from the settings' literal `env_file=` at generation, read into a
locally run service's environment without replacing what the environment already says."""

from __future__ import annotations

import os

import pytest

from decompose.generation.envfiles import env_files, variables
from decompose.generation.layout import Sources
from decompose.generation.runtime import envfiles
from tests.helpers import analyse

DOTENV = """
# the project's defaults
export PROJECT_NAME="Full Stack"
SECRET_KEY=changethis  # rotate before deploying
EMPTY=
QUOTED='a # not a comment'
MULTI="one\\ntwo"
not a pair
"""


def test_parse_reads_what_dotenv_files_hold():
    assert envfiles.parse(DOTENV) == [("PROJECT_NAME", "Full Stack"), ("SECRET_KEY", "changethis"), ("EMPTY", ""),
                                      ("QUOTED", "a # not a comment"), ("MULTI", "one\ntwo")]


def test_load_never_replaces_a_variable_already_set(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(DOTENV)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.delenv("PROJECT_NAME", raising=False)
    envfiles.load([str(tmp_path / "missing.env"), str(tmp_path / ".env")])
    assert os.environ["PROJECT_NAME"] == "Full Stack" and os.environ["SECRET_KEY"] == "from-the-environment"
    for key in ("EMPTY", "QUOTED", "MULTI"):
        monkeypatch.delenv(key)


@pytest.mark.parametrize("written", ['env_file="../.env"', "env_file=('../.env', '.env.local')",
                                     'env_file = "../.env", env_file_encoding="utf-8"'])
def test_env_files_are_found_from_the_settings_and_resolved_from_the_monoliths_folder(tmp_path, written):
    project = tmp_path / "backend"
    (tmp_path / ".env").write_text("PROJECT_NAME=x\nFIRST_SUPERUSER=admin@example.com\n")
    analysis = analyse(project, {"app/__init__.py": "", "app/config.py": f"""
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class Settings(BaseSettings):
            model_config = SettingsConfigDict({written})
            PROJECT_NAME: str
        """})
    found = env_files(Sources.of(analysis, project))
    assert found == [(tmp_path / ".env").resolve()]  # .env.local does not exist: nothing to read
    assert variables(found) == ["FIRST_SUPERUSER", "PROJECT_NAME"]
