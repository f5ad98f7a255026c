from ninja import NinjaAPI

from accounts.api import router as accounts_router

api = NinjaAPI(title="Newsroom API", version="1.0.0", urls_namespace="newsroom")

api.add_router("/accounts", accounts_router, tags=["accounts"])
# Routers of the bigger apps are mounted by dotted path so that importing this
# module stays cheap and the apps do not import each other at start-up.
api.add_router("/articles", "articles.api.router", tags=["articles"])
api.add_router("/tags", "tags.api.router", tags=["tags"])
