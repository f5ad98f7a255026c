from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Read from SHOP_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="SHOP_", env_file=".env", extra="ignore")

    app_name: str = "shop-api"
    database_path: str = "shop.db"
    default_page_size: int = 20
    max_page_size: int = 100


@lru_cache
def get_settings() -> Settings:
    return Settings()
