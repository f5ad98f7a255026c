"""Sessions kept in this process: the cookie holds a random id, the values a dict keyed by it."""
import uuid

from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

STORE = {}  # session id -> the session's values


class Session(CallbackDict, SessionMixin):
    def __init__(self, values=None, sid=None):
        def changed(_):
            self.modified = True

        super().__init__(values or {}, changed)
        self.sid = sid or uuid.uuid4().hex
        self.modified = False

    def renew(self):
        """A new id for the same client (at sign-in): the old one is forgotten."""
        STORE.pop(self.sid, None)
        self.sid = uuid.uuid4().hex
        self.clear()
        self.modified = True


class ServerSessions(SessionInterface):
    def open_session(self, app, request):
        sid = request.cookies.get(app.config.get("SESSION_COOKIE_NAME", "session"))
        if sid and sid in STORE:
            return Session(dict(STORE[sid]), sid)
        return Session()

    def save_session(self, app, session, response):
        if not session.modified:
            return
        STORE[session.sid] = dict(session)
        response.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), session.sid, httponly=True)
