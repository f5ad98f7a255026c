from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pantry.db import Base


class Cookbook(Base):
    __tablename__ = "cookbooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    household: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))


class ShoppingList(Base):
    __tablename__ = "shopping_lists"
    id: Mapped[int] = mapped_column(primary_key=True)
    household: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))


class ShoppingItem(Base):
    __tablename__ = "shopping_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("shopping_lists.id"))
    note: Mapped[str] = mapped_column(String(200))
    checked: Mapped[bool] = mapped_column(default=False)


class Recipe(Base):
    __tablename__ = "recipes"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id"))
    text: Mapped[str] = mapped_column(String(500))


class Food(Base):
    __tablename__ = "foods"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
