from pydantic import BaseModel, ConfigDict


class Named(BaseModel):
    name: str


class NamedOut(Named):
    model_config = ConfigDict(from_attributes=True)
    id: int


class ItemIn(BaseModel):
    note: str


class ItemOut(ItemIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    list_id: int
    checked: bool


class RecipeIn(BaseModel):
    slug: str
    title: str


class RecipeOut(RecipeIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class CommentIn(BaseModel):
    text: str


class CommentOut(CommentIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    recipe_id: int
