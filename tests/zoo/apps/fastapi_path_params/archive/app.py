"""An archive whose paths carry slashes: Starlette's `{name:path}` converter for files, object keys under a
bucket, and a single-page app's catch-all registered last, beside a literal API route."""
from fastapi import FastAPI

from archive import objects, site

app = FastAPI(title="archive")
app.include_router(objects.router)
app.include_router(site.router)  # last: its catch-all must not shadow the routes above
