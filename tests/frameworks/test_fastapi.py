from tests.helpers import analyse


def test_routers_prefixes_and_include_router(tmp_path):
    a = analyse(tmp_path, {
        "api/__init__.py": "",
        "api/items.py": """
            from fastapi import APIRouter
            router = APIRouter(prefix="/items")

            @router.get("/{item_id}")
            async def read_item(item_id: int): ...

            @router.api_route("/", methods=["POST", "PUT"])
            async def write_item(): ...

            def legacy(): ...
            router.add_api_route("/legacy/{path:path}", legacy, methods=["GET"])
        """,
        "api/main.py": """
            from fastapi import FastAPI
            from api import items
            app = FastAPI()
            app.include_router(items.router, prefix="/v1")

            @app.get("/")
            def root(): ...
        """,
    })
    got = {(r.methods, r.path, r.template, r.handler) for r in a.routes}
    assert got == {
        (("GET",), "/v1/items/{item_id}", "/v1/items/{item_id}", "api.items:read_item"),
        (("POST", "PUT"), "/v1/items/", "/v1/items/", "api.items:write_item"),
        (("GET",), "/v1/items/legacy/{path:path}", "/v1/items/legacy/{path+}", "api.items:legacy"),
        (("GET",), "/", "/", "api.main:root"),
    }
    assert {r.framework for r in a.routes} == {"fastapi"}


def test_not_a_router(tmp_path):
    """INVALID: decorators named like routes on objects that are not FastAPI apps or routers."""
    a = analyse(tmp_path, {
        "api.py": """
            import httpx
            client = httpx.Client()
            registry = {}

            @registry.get("/items")
            def not_a_route(): ...

            def fetch():
                return client.get("/items")
        """,
    })
    assert a.routes == []


def test_prefixes_from_settings_and_constants_are_resolved(tmp_path):
    a = analyse(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": """
            from pydantic_settings import BaseSettings
            class Settings(BaseSettings):
                API_V1_STR: str = "/api/v1"
            settings = Settings()
            ITEMS = "/items"
        """,
        "app/items.py": """
            from fastapi import APIRouter
            from app.config import ITEMS
            router = APIRouter(prefix=ITEMS)
            @router.get("/{item_id}")
            def read(item_id: int): ...
        """,
        "app/main.py": """
            from fastapi import FastAPI
            from app.config import settings
            from app import items
            app = FastAPI()
            app.include_router(items.router, prefix=settings.API_V1_STR)
            app.include_router(items.router, prefix=get_prefix())
            app.include_router(items.router, prefix=runtime.PREFIX)
            app.include_router(items.router, prefix=f"{settings.API_V1_STR}/v2")
        """,
    })
    assert {r.path for r in a.routes} == {
        "/api/v1/items/{item_id}",  # settings = Settings() and the class's default
        "${get_prefix()}/items/{item_id}",  # computed at run time: said, not guessed
        "${runtime.PREFIX}/items/{item_id}",
        '${f"{settings.API_V1_STR}/v2"}/items/{item_id}',
    }


def test_sub_applications_mounted_with_starlette_and_empty_paths(tmp_path):
    """Netflix Dispatch's layout: routers on an `api` app mounted under /api/v1, `@router.get("")`."""
    a = analyse(tmp_path, {
        "svc/__init__.py": "",
        "svc/orgs.py": """
            from fastapi import APIRouter
            router = APIRouter()
            @router.get("")
            def list_orgs(): ...
            @router.get("/{org_id}")
            def get_org(org_id: int): ...
        """,
        "svc/main.py": """
            from fastapi import APIRouter, FastAPI
            from svc.orgs import router as orgs_router
            api_router = APIRouter()
            api_router.include_router(orgs_router, prefix="/organizations")
            app = FastAPI()
            api = FastAPI()
            api.include_router(api_router)
            app.mount("/api/v1", app=api)

            @app.get("")
            def root(): ...
        """,
    })
    assert {(r.path, r.handler) for r in a.routes} == {
        ("/api/v1/organizations", "svc.orgs:list_orgs"),
        ("/api/v1/organizations/{org_id}", "svc.orgs:get_org"),
        ("/", "svc.main:root"),
    }


def test_a_prefix_read_from_a_cached_settings_factory_is_resolved(tmp_path):
    a = analyse(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": """
            from functools import lru_cache
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                API_V1_STR: str = "/api/v1"

            @lru_cache
            def get_settings() -> Settings:
                return Settings()

            def two_kinds(flag):
                if flag:
                    return Settings()
                return None
        """,
        "app/main.py": """
            from fastapi import APIRouter, FastAPI
            from app.config import get_settings, two_kinds
            router = APIRouter()

            @router.get("/items")
            def items(): ...

            app = FastAPI()
            app.include_router(router, prefix=get_settings().API_V1_STR)
            app.include_router(router, prefix=two_kinds(True).API_V1_STR)
        """,
    })
    unknown, resolved = sorted({r.template for r in a.routes})
    assert resolved == "/api/v1/items" and unknown.startswith("/${two_kinds(")  # two returns: not a factory


def test_a_prefix_written_as_an_f_string_of_module_constants_is_resolved(tmp_path):
    a = analyse(tmp_path, {
        "api.py": """
            from fastapi import APIRouter, FastAPI
            base_prefix = "/organizers"
            tags = APIRouter(prefix=f"{base_prefix}/tags")
            odd = APIRouter(prefix=f"{base_prefix}/{unknown}")

            @tags.get("/{item_id}")
            def tag(item_id: str): ...

            @odd.get("/x")
            def x(): ...

            app = FastAPI()
            app.include_router(tags)
            app.include_router(odd)
        """,
    })
    assert {r.template for r in a.routes} == {"/organizers/tags/{item_id}", '/${f"{base_prefix}/{unknown}"}/x'}


def test_routers_built_by_a_project_subclass_of_apirouter(tmp_path):
    a = analyse(tmp_path, {
        "app/__init__.py": "",
        "app/base.py": """
            from fastapi import APIRouter
            class UserAPIRouter(APIRouter):
                def __init__(self, prefix: str = "", **kwargs):
                    super().__init__(prefix=prefix, **kwargs)
            class AdminAPIRouter(UserAPIRouter):
                pass
        """,
        "app/users.py": """
            from app.base import AdminAPIRouter, UserAPIRouter
            user_router = UserAPIRouter(prefix="/users")
            admin_router = AdminAPIRouter(prefix="/admin/users")

            @user_router.get("/me")
            def me(): ...

            @admin_router.delete("/{user_id}")
            def remove(user_id: int): ...
        """,
        "app/main.py": """
            from fastapi import FastAPI
            from app import users
            app = FastAPI()
            app.include_router(users.user_router, prefix="/api")
            app.include_router(users.admin_router, prefix="/api")
        """,
    })
    assert {(r.methods, r.template) for r in a.routes} == {(("GET",), "/api/users/me"), (("DELETE",), "/api/admin/users/{user_id}")}
