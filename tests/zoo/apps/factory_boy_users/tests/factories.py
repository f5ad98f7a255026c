import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from tasknotes.db import db
from tasknotes.models import Note, Project, User

DEFAULT_PASSWORD = "correct horse battery"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    class Params:
        password = DEFAULT_PASSWORD

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    # cheap hashing: the suite logs in a lot
    password_hash = factory.LazyAttribute(lambda o: generate_password_hash(o.password, method="pbkdf2:sha256:1000"))


class ProjectFactory(BaseFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    description = factory.Faker("sentence")
    owner = factory.SubFactory(UserFactory)


class NoteFactory(BaseFactory):
    class Meta:
        model = Note

    project = factory.SubFactory(ProjectFactory)
    author = factory.SelfAttribute("project.owner")
    title = factory.Faker("sentence", nb_words=4)
    body = factory.Faker("paragraph")
