from contextlib import asynccontextmanager

from fastapi import FastAPI

from journal.audit import AuditTrail
from journal.db import open_database
from journal.routers import audit, notes, tags
from journal.settings import Settings
from journal.v2 import v2_app


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = Settings()
    db = await open_database(settings.database)
    trail = AuditTrail(db, maxsize=settings.audit_queue_size)
    trail.start()
    app.state.db = db
    app.state.audit = trail
    v2_app.state.db = db  # mounted apps do not run their own lifespan
    try:
        yield
    finally:
        await trail.stop()
        await db.close()


app = FastAPI(title="Journal", version="1.4.0", lifespan=lifespan)
app.include_router(notes.router)
app.include_router(tags.router)
app.include_router(audit.router)
app.mount("/v2", v2_app)


@app.get("/health")
async def health():
    return {"status": "ok"}
