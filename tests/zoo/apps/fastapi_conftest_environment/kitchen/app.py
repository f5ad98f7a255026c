from fastapi import FastAPI

from kitchen import recipes, settings, users

app = FastAPI(title="kitchen", debug=settings.TESTING)
app.include_router(recipes.router)
app.include_router(users.router)
