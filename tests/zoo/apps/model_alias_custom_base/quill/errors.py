from flask import jsonify


class APIError(Exception):
    status_code = 400

    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code

    def to_response(self):
        response = jsonify({"errors": {"body": [self.message]}})
        response.status_code = self.status_code
        return response


def not_found(what):
    return APIError(f"{what} not found", 404)


def forbidden():
    return APIError("you cannot change this", 403)


def unauthorized():
    return APIError("missing or unknown X-User header", 401)
