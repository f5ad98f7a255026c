"""Configuration classes, passed to ``create_app(config_object=...)``."""
import os


class Config:
    SECRET_KEY = os.environ.get("SHOP_SECRET", "secret-key")
    APP_DIR = os.path.abspath(os.path.dirname(__file__))
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    TOKEN_BYTES = 24
    MEMBER_DISCOUNT_PERCENT = 10
    PASSWORD_HASH_METHOD = "scrypt"


class ProdConfig(Config):
    ENV = "prod"
    DEBUG = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///shop.sqlite3")


class DevConfig(Config):
    ENV = "dev"
    DEBUG = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///shop-dev.sqlite3"


class TestConfig(Config):
    TESTING = True
    DEBUG = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    TOKEN_BYTES = 8
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing in tests
