from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from pantry.models import Comment, Recipe
from pantry.routes._base import BaseController, controller
from pantry.schemas import CommentIn, CommentOut

router = APIRouter(prefix="/{slug}/comments", tags=["Recipe: Comments"])


@controller(router)
class RecipeCommentsController(BaseController):
    def _recipe(self, slug: str) -> Recipe:
        recipe = self.session.scalar(select(Recipe).where(Recipe.slug == slug))
        if recipe is None:
            raise HTTPException(status_code=404, detail="no such recipe")
        return recipe

    @router.get("", response_model=list[CommentOut])
    def get_all(self, slug: str):
        recipe = self._recipe(slug)
        return list(self.session.scalars(select(Comment).where(Comment.recipe_id == recipe.id).order_by(Comment.id)))

    @router.post("", response_model=CommentOut, status_code=201)
    def create_one(self, slug: str, data: CommentIn):
        comment = Comment(recipe_id=self._recipe(slug).id, text=data.text)
        self.session.add(comment)
        self.session.commit()
        return comment
