from flask import request
from flask_restx import Namespace, Resource

from ledger.models import Account, db

accounts_namespace = Namespace("accounts", description="Accounts")


@accounts_namespace.route("")
class AccountList(Resource):
    def get(self):
        return {"success": True, "data": [a.to_dict() for a in Account.query.order_by(Account.id)]}

    def post(self):
        name = (request.get_json(silent=True) or {}).get("name", "").strip()
        if not name:
            return {"success": False, "errors": {"name": "required"}}, 400
        account = Account(name=name)
        db.session.add(account)
        db.session.commit()
        return {"success": True, "data": account.to_dict()}, 201


@accounts_namespace.route("/<int:account_id>")
class AccountDetail(Resource):
    def get(self, account_id):
        account = db.session.get(Account, account_id)
        if account is None:
            return {"success": False}, 404
        return {"success": True, "data": account.to_dict()}
