from flask import Blueprint, current_app
from flask_restx import Api

from ledger.api.v1.accounts import accounts_namespace
from ledger.api.v1.entries import entries_namespace

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
ledger_api = Api(blueprint, version="v1", doc=current_app.config.get("API_DOCS"))

ledger_api.add_namespace(accounts_namespace, "/accounts")
ledger_api.add_namespace(entries_namespace, "/entries")
