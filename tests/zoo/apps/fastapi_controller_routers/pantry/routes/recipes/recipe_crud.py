from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from pantry.db import get_session
from pantry.models import Recipe
from pantry.schemas import RecipeIn, RecipeOut
from pantry.security import household_of

router = APIRouter(dependencies=[Depends(household_of)])


@router.get("/", response_model=list[RecipeOut])
def list_recipes(session: Session = Depends(get_session)):
    return list(session.scalars(select(Recipe).order_by(Recipe.slug)))


@router.post("/", response_model=RecipeOut, status_code=201)
def create_recipe(data: RecipeIn, session: Session = Depends(get_session)):
    if session.scalar(select(Recipe).where(Recipe.slug == data.slug)) is not None:
        raise HTTPException(status_code=409, detail="slug taken")
    recipe = Recipe(slug=data.slug, title=data.title)
    session.add(recipe)
    session.commit()
    return recipe


@router.get("/{slug}", response_model=RecipeOut)
def get_recipe(slug: str, session: Session = Depends(get_session)):
    recipe = session.scalar(select(Recipe).where(Recipe.slug == slug))
    if recipe is None:
        raise HTTPException(status_code=404, detail="no such recipe")
    return recipe
