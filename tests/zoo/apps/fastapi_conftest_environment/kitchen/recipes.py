from fastapi import APIRouter, HTTPException

router = APIRouter(prefix="/recipes", tags=["recipes"])

RECIPES = {"pancakes": {"slug": "pancakes", "minutes": 20}, "soup": {"slug": "soup", "minutes": 45}}


@router.get("")
def list_recipes():
    return sorted(RECIPES)


@router.get("/{slug}")
def get_recipe(slug: str):
    if slug not in RECIPES:
        raise HTTPException(status_code=404, detail="no such recipe")
    return RECIPES[slug]
