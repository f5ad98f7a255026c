from flask import request
from flask_restx import Namespace, Resource

from sqlalchemy import func

from ledger.cache import cached
from ledger.models import Account, Entry, db

accounts_namespace = Namespace("accounts", description="Accounts")


@accounts_namespace.route("")
class AccountList(Resource):
    def get(self):
        return cached(AccountList.endpoint, _listed)

    def post(self):
        name = (request.get_json(silent=True) or {}).get("name", "").strip()
        if not name:
            return {"success": False, "errors": {"name": "required"}}, 400
        account = Account(name=name)
        db.session.add(account)
        db.session.commit()
        return {"success": True, "data": account.to_dict()}, 201


def _listed():
    balances = dict(db.session.query(Entry.account, func.sum(Entry.cents)).group_by(Entry.account))
    return {"success": True, "data": [{**a.to_dict(), "balance": balances.get(a.name, 0)}
                                      for a in Account.query.order_by(Account.id)]}


@accounts_namespace.route("/<int:account_id>")
class AccountDetail(Resource):
    def get(self, account_id):
        account = db.session.get(Account, account_id)
        if account is None:
            return {"success": False}, 404
        return {"success": True, "data": account.to_dict()}
