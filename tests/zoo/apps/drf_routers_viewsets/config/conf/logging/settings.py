"""Logging settings, kept in a folder of their own beside the code that applies them."""
import os

LOG_LEVEL = os.environ.get("BIKESHOP_LOG_LEVEL", "WARNING")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
