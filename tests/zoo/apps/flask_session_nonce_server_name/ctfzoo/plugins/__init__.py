"""Plugins register their assets through this helper, as CTFd's plugins call register_plugin_assets_directory."""
import os

from flask import send_from_directory

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the ctfzoo package


def register_assets(app, base_path, endpoint=None):
    base_path = base_path.strip("/")
    if endpoint is None:
        endpoint = base_path.replace("/", ".")

    def assets_handler(path):
        return send_from_directory(os.path.join(ROOT, base_path), path)

    rule = "/" + base_path + "/<path:path>"
    app.add_url_rule(rule=rule, endpoint=endpoint, view_func=assets_handler)
