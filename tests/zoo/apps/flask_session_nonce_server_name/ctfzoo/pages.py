import secrets

from flask import Blueprint, jsonify, redirect, render_template_string, request, session

bp = Blueprint("pages", __name__)

PAGE = """<html><head><meta name="csrf-token" content="{{ session.nonce }}"></head><body>
<script>var init = {'csrfNonce': "{{ session.nonce }}", 'userMode': "users"}</script>
<h1>{{ title }}</h1>{% if session.user %}<p>Signed in as {{ session.user }}</p>{% endif %}
<form method="post" action="/login"><input type="hidden" name="nonce" value="{{ session.nonce }}"></form>
</body></html>"""


@bp.get("/")
def index():
    return render_template_string(PAGE, title="Home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template_string(PAGE, title="Login")
    session["user"] = request.form["name"]
    session["nonce"] = secrets.token_hex(32)  # a new session, a new nonce: shown in no page yet
    return redirect("/")


@bp.post("/api/notes")
def notes():
    body = request.get_json(silent=True) or {}
    return jsonify(saved=body.get("title"), by=session.get("user")), 201
