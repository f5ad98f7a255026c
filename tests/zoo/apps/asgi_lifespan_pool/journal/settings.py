from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOURNAL_")

    database: str = "journal.sqlite3"
    audit_queue_size: int = 1000
