from tests.helpers import analyse


def test_flask_restful_resources_on_a_blueprint(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/api.py": """
            from flask import Blueprint
            from flask_restful import Api, Resource

            bp = Blueprint("api", __name__, url_prefix="/api")
            api = Api(bp, prefix="/v1")

            class TodoList(Resource):
                def get(self): ...
                def post(self): ...

            class Todo(Resource):
                def get(self, todo_id): ...
                def delete(self, todo_id): ...

            api.add_resource(TodoList, "/todos", "/todos/")
            api.add_resource(Todo, "/todos/<int:todo_id>", endpoint="todo")
        """,
        "shop/app.py": """
            from flask import Flask
            from shop.api import bp
            app = Flask(__name__)
            app.register_blueprint(bp)
        """,
    })
    assert {(r.methods, r.path, r.handler, r.mounted) for r in a.routes} == {
        (("GET", "POST"), "/api/v1/todos", "shop.api:TodoList", True),
        (("GET", "POST"), "/api/v1/todos/", "shop.api:TodoList", True),
        (("DELETE", "GET"), "/api/v1/todos/<int:todo_id>", "shop.api:Todo", True),
    }
    assert {r.framework for r in a.routes} == {"flask"}


def test_flask_restx_namespaces(tmp_path):
    a = analyse(tmp_path, {
        "app.py": """
            from flask import Flask
            from flask_restx import Api, Namespace, Resource

            app = Flask(__name__)
            api = Api()
            api.init_app(app)
            users = api.namespace("users", path="/people")
            orders = Namespace("orders")
            api.add_namespace(orders, path="/shop/orders")

            @users.route("/<int:user_id>")
            class User(Resource):
                def get(self, user_id): ...

            @orders.route("/")
            class Orders(Resource):
                def get(self): ...
                def post(self): ...
        """,
    })
    assert {(r.methods, r.path, r.mounted) for r in a.routes} == {
        (("GET",), "/people/<int:user_id>", True),
        (("GET", "POST"), "/shop/orders/", True),
    }
