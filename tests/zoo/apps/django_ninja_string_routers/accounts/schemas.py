from ninja import Schema


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class UserOut(Schema):
    id: int
    username: str
    email: str


class Error(Schema):
    detail: str
