"""Extensions, created here and bound to the app in ``shop.app``."""
from flask_sqlalchemy import SQLAlchemy

from shop.httpauth import TokenAuth

db = SQLAlchemy()
auth = TokenAuth()
