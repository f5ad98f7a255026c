from flask import Blueprint, abort, jsonify

from arcade.plugins import menu
from arcade.plugins.scoring import RULES

games = Blueprint("games", __name__)

GAMES = {"asteroids": "classic", "snake": "streak"}


@games.route("/")
def listing():
    return jsonify(games=sorted(GAMES), menu=menu())


@games.route("/<name>/rules")
def rules(name):
    if name not in GAMES:
        abort(404)
    return jsonify(game=name, rule=GAMES[name], says=RULES[GAMES[name]]().describe())
