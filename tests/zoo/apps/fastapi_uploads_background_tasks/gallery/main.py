from fastapi import FastAPI

from gallery import models  # noqa: F401  (registers the tables)
from gallery.db import Base, engine
from gallery.routers import albums, photos

app = FastAPI(title="gallery")
app.include_router(albums.router)
app.include_router(photos.router)
Base.metadata.create_all(engine)
