"""Badges earned by score: a plugin with no assets, only a menu entry and its table of levels."""
from collections import namedtuple

from arcade.plugins import register_menu

Level = namedtuple("Level", ["name", "at"])
LEVELS = [Level("gold", 100), Level("silver", 50), Level("bronze", 10)]


def badge(points):
    return next((level.name for level in LEVELS if points >= level.at), None)


def load(app):
    register_menu(app, "Badges", "/scores/")
