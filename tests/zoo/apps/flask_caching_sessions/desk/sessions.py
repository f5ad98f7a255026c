"""Sessions kept on the server, in the app's Flask-Caching cache: the cookie holds a random id."""
import json
import uuid

from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from desk.cache import cache

PREFIX = "session:"


class CachedSession(CallbackDict, SessionMixin):
    def __init__(self, values=None, sid=None):
        def changed(_):
            self.modified = True

        super().__init__(values or {}, changed)
        self.sid = sid or uuid.uuid4().hex
        self.modified = False


class CacheSessions(SessionInterface):
    def open_session(self, app, request):
        sid = request.cookies.get("desk_session")
        stored = cache.get(PREFIX + sid) if sid else None
        return CachedSession(json.loads(stored), sid) if stored else CachedSession()

    def save_session(self, app, session, response):
        if not session.modified:
            return
        if not session:
            cache.delete(PREFIX + session.sid)
            response.delete_cookie("desk_session")
            return
        cache.set(PREFIX + session.sid, json.dumps(dict(session)), timeout=3600)
        response.set_cookie("desk_session", session.sid, httponly=True)
