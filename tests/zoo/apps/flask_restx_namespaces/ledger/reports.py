from flask import Blueprint, current_app, jsonify
from sqlalchemy import func

from ledger.models import Entry, db

blueprint = Blueprint("reports", __name__, url_prefix="/reports")
CURRENCY = current_app.config.get("LEDGER_CURRENCY", "EUR")  # read when imported: the factory imports it in its app context


@blueprint.route("/balance")
def balance():
    rows = db.session.query(Entry.account, func.sum(Entry.cents)).group_by(Entry.account).order_by(Entry.account)
    return jsonify({"currency": CURRENCY, "balances": {account: cents for account, cents in rows}})
