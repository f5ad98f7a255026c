"""Plugins: every folder here is imported by name when the app is built and its load(app) called; a plugin
serves its own assets and adds itself to the menu."""
import glob
import importlib
import os
from collections import namedtuple

from flask import current_app, send_from_directory

Menu = namedtuple("Menu", ["title", "route"])


def register_assets_directory(app, base_path):
    """Serve a plugin's folder under its own path: /<base_path>/<file>."""
    base_path = base_path.strip("/")
    folder = os.path.join(os.path.dirname(os.path.dirname(__file__)), *base_path.split("/"))

    def assets_handler(path):
        return send_from_directory(folder, path)

    rule = "/" + base_path + "/<path:path>"
    app.add_url_rule(rule, endpoint=base_path.replace("/", "."), view_func=assets_handler)


def register_menu(app, title, route):
    app.plugin_menu.append(Menu(title=title, route=route))


def menu():
    return [{"title": m.title, "route": m.route} for m in current_app.plugin_menu]


def plugin_names():
    here = os.path.dirname(__file__)
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(here, "*"))
                  if os.path.isdir(p) and not p.endswith("__pycache__"))


def init_plugins(app):
    app.plugin_menu = []
    for name in plugin_names():
        module = importlib.import_module("." + name, package="arcade.plugins")
        module.load(app)
