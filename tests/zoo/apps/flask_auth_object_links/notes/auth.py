from .models import User
from .tokens import TokenAuth

token_auth = TokenAuth()


@token_auth.verify_token
def verify(token):
    return User.query.filter_by(token=token).first()
