import os


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get("LIBRARY_DATABASE_URL", "sqlite://")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    FIRST_BOOKS = ("Dune", "Emma", "Ulysses")
