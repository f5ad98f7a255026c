"""Framework detectors: routes (Flask, Flask-RESTful/RESTX, FastAPI, Django/DRF) and ORM models
(SQLAlchemy, Flask-SQLAlchemy, SQLModel, Django). Each route detector has a `framework` name and `routes(index)`."""

from decompose.frameworks import fastapi, flask
from decompose.frameworks.django import DjangoRoutes
from decompose.frameworks.flask_restful import RestfulRoutes

FLASK = flask.detector()
ROUTE_DETECTORS = (FLASK, RestfulRoutes(FLASK), fastapi.detector(), DjangoRoutes())
