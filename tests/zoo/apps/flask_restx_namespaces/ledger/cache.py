"""Answers cached under the endpoint name flask-restx gives a resource when its namespace is mounted."""
import json

from flask import current_app

from ledger.models import CachedAnswer, db


def init_app(app):
    app.config.setdefault("CACHE_KEY_PREFIX", "answers/")


def cached(key, build):
    key = current_app.config["CACHE_KEY_PREFIX"] + key
    row = db.session.get(CachedAnswer, key)
    if row is not None:
        return json.loads(row.body)
    value = build()
    db.session.merge(CachedAnswer(key=key, body=json.dumps(value)))
    db.session.commit()
    return value


def forget(key):
    key = current_app.config["CACHE_KEY_PREFIX"] + key
    CachedAnswer.query.filter_by(key=key).delete()
    db.session.commit()


def forget_account_lists():
    """The account list shows each account's balance: a new entry makes the cached one stale."""
    from ledger.api.v1.accounts import AccountList

    forget(AccountList.endpoint)
