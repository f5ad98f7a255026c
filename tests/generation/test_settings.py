"""The environment variables a module reads (generation/settings.py), from its source."""

from __future__ import annotations

from decompose.generation.settings import env_reads
from decompose.generation.source import parse


def reads(text: str) -> set[str]:
    return env_reads(parse("pkg.config", text, False, "pkg/config.py"))


def test_literal_names_and_module_constants_are_read():
    text = ('import os\nKEY = "SHOP_KEY"\nA = os.environ["SHOP_DB"]\nB = os.getenv("SHOP_MODE", "x")\n'
            "C = os.environ.get(KEY)\n")
    assert reads(text) == {"SHOP_DB", "SHOP_MODE", "SHOP_KEY"}


def test_a_string_python_cannot_evaluate_is_skipped_not_a_crash():
    text = 'import os\nBAD = "\\x"\nA = os.getenv("\\x")\nB = os.environ[BAD]\nC = os.getenv("SHOP_OK")\n'
    assert reads(text) == {"SHOP_OK"}


def test_a_wsgi_request_s_environ_keys_are_no_environment_variables():
    text = ('import os\nfrom os import environ\n\n'
            'def view(request):\n'
            '    token = request.headers.environ["HTTP_AUTHORIZATION"]\n'
            '    agent = request.environ.get("HTTP_USER_AGENT")\n'
            '    return token, agent, environ.get("SHOP_REGION"), os.environ["SERVER_NAME"]\n\n'
            'def middleware(environ, start_response):\n'
            '    return environ["PATH_INFO"], environ.get("HTTP_X_TENANT"), environ["wsgi.input"]\n')
    assert reads(text) == {"SHOP_REGION", "SERVER_NAME"}  # os.environ's SERVER_NAME is Flasky's own setting


def test_the_fields_of_a_pydantic_settings_class_are_environment_variables():
    text = '''
from typing import ClassVar

from pydantic_settings import BaseSettings, SettingsConfigDict
import pydantic


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file="../.env", env_prefix="SHOP_")
    SECRET_KEY: str = "x"
    database_url: str
    _cache: dict = {}
    LIMITS: ClassVar[int] = 3

    def helper(self) -> str:
        local: str = "no field"
        return local


class Legacy(pydantic.BaseSettings):
    REDIS_URL: str = ""

    class Config:
        env_prefix = "OLD_"


class Plain:
    NOT_A_SETTING: str = ""
'''
    assert reads(text) == {"SHOP_SECRET_KEY", "SHOP_DATABASE_URL", "OLD_REDIS_URL"}
