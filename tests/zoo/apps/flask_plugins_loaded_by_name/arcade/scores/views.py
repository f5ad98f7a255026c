from flask import Blueprint, jsonify, request

from arcade.games.views import GAMES
from arcade.plugins.badges import LEVELS, badge
from arcade.plugins.scoring import RULES

scores = Blueprint("scores", __name__)


@scores.route("/", methods=["GET"])
def levels():
    return jsonify(levels=[{"name": level.name, "at": level.at} for level in LEVELS])


@scores.route("/", methods=["POST"])
def score():
    sent = request.get_json(silent=True) or {}
    if sent.get("game") not in GAMES:
        return jsonify(error="unknown game"), 400
    points = RULES[GAMES[sent["game"]]]().points(int(sent.get("hits", 0)), int(sent.get("misses", 0)))
    return jsonify(points=points, badge=badge(points))
