"""Uploaded files and theme assets, each named by a path with slashes."""
from flask import Blueprint, Response, abort

bp = Blueprint("files", __name__)

FILES = {
    "readme.txt": "top level",
    "2024/reports/q1.csv": "quarter,total\nq1,10\n",
}
ASSETS = {
    ("core", "css/main.css"): "body { margin: 0 }",
    ("core", "js/vendor/lib.js"): "export const lib = 1;",
}


@bp.route("/files/<path:path>")
def files(path):
    if path not in FILES:
        abort(404)
    return Response(FILES[path], mimetype="text/plain")


@bp.route("/themes/<theme>/static/<path:path>")
def themes(theme, path):
    if (theme, path) not in ASSETS:
        abort(404)
    return Response(ASSETS[theme, path], mimetype="text/css" if path.endswith(".css") else "text/javascript")
