"""Applies the logging settings once settings are read (a module named `setup`, not a packaging script)."""
import logging


class LoggingSetup:
    @staticmethod
    def quiet(names):
        for name in names:
            logging.getLogger(name).setLevel(logging.ERROR)
