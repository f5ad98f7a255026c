from flask import request
from flask_restx import Namespace, Resource

from ledger.cache import forget_account_lists
from ledger.models import Entry, db

entries_namespace = Namespace("entries", description="Ledger entries")


@entries_namespace.route("")
class EntryList(Resource):
    def get(self):
        query = Entry.query.order_by(Entry.id)
        if request.args.get("account"):
            query = query.filter_by(account=request.args["account"])
        return {"success": True, "data": [e.to_dict() for e in query]}

    def post(self):
        sent = request.get_json(silent=True) or {}
        if not isinstance(sent.get("cents"), int) or not sent.get("account"):
            return {"success": False, "errors": {"cents": "an integer and an account are required"}}, 400
        entry = Entry(account=sent["account"], cents=sent["cents"], memo=sent.get("memo", ""))
        db.session.add(entry)
        db.session.commit()
        forget_account_lists()
        return {"success": True, "data": entry.to_dict()}, 201


@entries_namespace.route("/<int:entry_id>")
class EntryDetail(Resource):
    def get(self, entry_id):
        entry = db.session.get(Entry, entry_id)
        return ({"success": True, "data": entry.to_dict()}, 200) if entry else ({"success": False}, 404)

    def delete(self, entry_id):
        entry = db.session.get(Entry, entry_id)
        if entry is None:
            return {"success": False}, 404
        db.session.delete(entry)
        db.session.commit()
        return {"success": True}
