from flask import jsonify


class ValidationError(ValueError):
    pass


def bad_request(message):
    response = jsonify({"error": "bad request", "message": message})
    response.status_code = 400
    return response


def not_found(message="resource not found"):
    response = jsonify({"error": "not found", "message": message})
    response.status_code = 404
    return response


def conflict(message):
    response = jsonify({"error": "conflict", "message": message})
    response.status_code = 409
    return response


def register_error_handlers(app):
    @app.errorhandler(ValidationError)
    def validation_error(e):
        return bad_request(e.args[0])

    @app.errorhandler(404)
    def page_not_found(e):
        return not_found()
